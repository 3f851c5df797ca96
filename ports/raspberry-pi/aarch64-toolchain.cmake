# CMake toolchain file: cross-compile griffin-rt for 64-bit ARM Linux (Raspberry Pi OS 64-bit,
# Debian arm64) with Debian's g++-aarch64-linux-gnu, against a sysroot of Debian's arm64
# packages made by ports/raspberry-pi/make-sysroot.sh.
#
#   cmake -S . -B build-aarch64 \
#         -DCMAKE_TOOLCHAIN_FILE=ports/raspberry-pi/aarch64-toolchain.cmake \
#         [-DGRIFFIN_ARM64_SYSROOT=/path/to/sysroot]
#
# The sysroot is GRIFFIN_ARM64_SYSROOT (cache variable or environment variable), by default
# <build dir>/sysroot-arm64. It holds our dependencies' arm64 headers and libraries and the
# arm64 libc/libstdc++ that qemu-user loads; the compiler's own C library and startup files
# stay those of the cross toolchain (/usr/aarch64-linux-gnu), so no --sysroot is passed.
#
# Headers, libraries and CMake packages are searched in the sysroot only; programs (flatc) on
# the build machine only. Test binaries run through CMAKE_CROSSCOMPILING_EMULATOR:
# `qemu-aarch64 -L <sysroot>` (Debian package qemu-user), both when catch_discover_tests lists
# a binary's tests at build time and when CTest runs them. qemu-aarch64 reads the CPU model
# from the environment (QEMU_CPU=cortex-a72, cortex-a76, ...; default: "max", every feature).
include_guard(GLOBAL)

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(GRIFFIN_CROSS_TRIPLET aarch64-linux-gnu)

# --- Sysroot -------------------------------------------------------------------------------------
# try_compile() projects re-read this file from a scratch directory, so the resolved path is
# handed to them explicitly (CMAKE_TRY_COMPILE_PLATFORM_VARIABLES) instead of being recomputed
# from CMAKE_BINARY_DIR.
if(NOT GRIFFIN_ARM64_SYSROOT)
  if(DEFINED ENV{GRIFFIN_ARM64_SYSROOT} AND NOT "$ENV{GRIFFIN_ARM64_SYSROOT}" STREQUAL "")
    set(GRIFFIN_ARM64_SYSROOT "$ENV{GRIFFIN_ARM64_SYSROOT}")
  else()
    set(GRIFFIN_ARM64_SYSROOT "${CMAKE_BINARY_DIR}/sysroot-arm64")
  endif()
endif()
get_filename_component(GRIFFIN_ARM64_SYSROOT "${GRIFFIN_ARM64_SYSROOT}" ABSOLUTE)
set(GRIFFIN_ARM64_SYSROOT "${GRIFFIN_ARM64_SYSROOT}" CACHE PATH
    "Sysroot with Debian's arm64 packages of griffin-rt's dependencies (make-sysroot.sh)")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES GRIFFIN_ARM64_SYSROOT)
if(NOT EXISTS "${GRIFFIN_ARM64_SYSROOT}/usr/include/xnnpack.h")
  message(FATAL_ERROR "griffin-rt: no arm64 sysroot at ${GRIFFIN_ARM64_SYSROOT}. Make one with "
                      "ports/raspberry-pi/make-sysroot.sh ${GRIFFIN_ARM64_SYSROOT} (or run "
                      "ports/raspberry-pi/setup-cross.sh), or point -DGRIFFIN_ARM64_SYSROOT at it.")
endif()

# --- Compilers -----------------------------------------------------------------------------------
find_program(GRIFFIN_CROSS_CC ${GRIFFIN_CROSS_TRIPLET}-gcc)
find_program(GRIFFIN_CROSS_CXX ${GRIFFIN_CROSS_TRIPLET}-g++)
if(NOT GRIFFIN_CROSS_CC OR NOT GRIFFIN_CROSS_CXX)
  message(FATAL_ERROR "griffin-rt: ${GRIFFIN_CROSS_TRIPLET}-g++ not found. Install Debian "
                      "package 'g++-aarch64-linux-gnu' (ports/raspberry-pi/setup-cross.sh).")
endif()
set(CMAKE_C_COMPILER "${GRIFFIN_CROSS_CC}")
set(CMAKE_CXX_COMPILER "${GRIFFIN_CROSS_CXX}")
set(CMAKE_LIBRARY_ARCHITECTURE ${GRIFFIN_CROSS_TRIPLET})

# The sysroot's shared libraries need each other at link time (libXNNPACK.so.0 ->
# libcpuinfo.so.0, libpthreadpool.so.0): tell the linker where they are without baking a
# build-machine path into the binaries (no rpath).
set(_griffin_libdirs
  "${GRIFFIN_ARM64_SYSROOT}/usr/lib/${GRIFFIN_CROSS_TRIPLET}"
  "${GRIFFIN_ARM64_SYSROOT}/lib/${GRIFFIN_CROSS_TRIPLET}")
string(REPLACE ";" ":" _griffin_libdirs "${_griffin_libdirs}")
foreach(kind EXE SHARED MODULE)
  set(CMAKE_${kind}_LINKER_FLAGS_INIT "-Wl,-rpath-link,${_griffin_libdirs}")
endforeach()

# --- Where find_* look ---------------------------------------------------------------------------
set(CMAKE_FIND_ROOT_PATH "${GRIFFIN_ARM64_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)   # flatc, python: the build machine's
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)    # arm64 libraries: the sysroot's only
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)    # headers: the sysroot's only
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)    # Catch2Config.cmake & co: the sysroot's only

# --- Running target binaries ---------------------------------------------------------------------
find_program(GRIFFIN_QEMU_AARCH64 qemu-aarch64)
if(GRIFFIN_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${GRIFFIN_QEMU_AARCH64};-L;${GRIFFIN_ARM64_SYSROOT}")
else()
  message(WARNING "griffin-rt: qemu-aarch64 not found (Debian package 'qemu-user'): the "
                  "aarch64 test binaries can be built but not listed or run here.")
endif()
