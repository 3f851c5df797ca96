# Finds griffin-rt's dependencies, all from Debian bookworm packages. Debian's XNNPACK,
# pthreadpool, cpuinfo and SentencePiece ship no CMake config, so headers and libraries are
# found directly; every miss stops configuration with the package that provides it.
# (scripts/setup-deps.sh installs them all.)

function(griffin_find_header var header package)
  find_path(${var} ${header})
  if(NOT ${var})
    message(FATAL_ERROR "griffin-rt: ${header} not found. Install Debian package '${package}' "
                        "(or run scripts/setup-deps.sh).")
  endif()
endfunction()

function(griffin_find_library var name package)
  find_library(${var} ${name})
  if(NOT ${var})
    message(FATAL_ERROR "griffin-rt: library ${name} not found. Install Debian package "
                        "'${package}' (or run scripts/setup-deps.sh).")
  endif()
endfunction()

# Imported target for a header + library pair.
function(griffin_import target header library package)
  string(MAKE_C_IDENTIFIER "${target}" id)
  griffin_find_header(GRIFFIN_${id}_INCLUDE ${header} ${package})
  griffin_find_library(GRIFFIN_${id}_LIBRARY ${library} ${package})
  add_library(${target} UNKNOWN IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION "${GRIFFIN_${id}_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${GRIFFIN_${id}_INCLUDE}")
endfunction()

griffin_import(griffin::xnnpack xnnpack.h XNNPACK libxnnpack-dev)
griffin_import(griffin::pthreadpool pthreadpool.h pthreadpool libpthreadpool-dev)
griffin_import(griffin::cpuinfo cpuinfo.h cpuinfo libcpuinfo-dev)
griffin_import(griffin::sentencepiece sentencepiece_processor.h sentencepiece libsentencepiece-dev)

# glibc's vector math library (libmvec, part of libc6-dev): the AVX2 tanh loops
# (runtime/src/kernels/f32-tanh) call its vector tanhf. x86-64 only: glibc 2.36 has no vector
# tanhf on aarch64, where the scalar loops run.
set(GRIFFIN_MVEC "")
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  griffin_find_library(GRIFFIN_MVEC_LIBRARY mvec libc6-dev)
  add_library(griffin::mvec UNKNOWN IMPORTED GLOBAL)
  set_target_properties(griffin::mvec PROPERTIES IMPORTED_LOCATION "${GRIFFIN_MVEC_LIBRARY}")
  set(GRIFFIN_MVEC griffin::mvec)
endif()

# Header-only pieces.
griffin_find_header(GRIFFIN_FLATBUFFERS_INCLUDE flatbuffers/flatbuffers.h libflatbuffers-dev)
griffin_find_header(GRIFFIN_JSON_INCLUDE nlohmann/json.hpp nlohmann-json3-dev)
griffin_find_header(GRIFFIN_CLI11_INCLUDE CLI/CLI.hpp libcli11-dev)
griffin_find_header(GRIFFIN_FP16_INCLUDE fp16.h libfp16-dev)
add_library(griffin::headers INTERFACE IMPORTED GLOBAL)
set_target_properties(griffin::headers PROPERTIES INTERFACE_INCLUDE_DIRECTORIES
  "${GRIFFIN_FLATBUFFERS_INCLUDE};${GRIFFIN_JSON_INCLUDE};${GRIFFIN_CLI11_INCLUDE};${GRIFFIN_FP16_INCLUDE}")

# flatc runs on the build machine, also when cross-compiling.
find_program(GRIFFIN_FLATC flatc NO_CMAKE_FIND_ROOT_PATH)
if(NOT GRIFFIN_FLATC)
  message(FATAL_ERROR "griffin-rt: flatc not found. Install Debian package 'flatbuffers-compiler'.")
endif()

if(GRIFFIN_BUILD_TESTS)
  find_package(Catch2 2 QUIET)
  if(NOT Catch2_FOUND)
    message(FATAL_ERROR "griffin-rt: Catch2 v2 not found. Install Debian package 'catch2'.")
  endif()
endif()

find_package(Threads REQUIRED)
