# The library apps link (issue 12, part 3): libgriffin.so (SONAME libgriffin.so.0, exports only
# griffin_*) and libgriffin.a, built from the objects of the internal static targets behind the
# `griffin` target, plus `cmake --install` rules for the header, both libraries, a CMake package
# (find_package(griffin CONFIG) -> griffin::griffin) and griffin.pc. Included at the end of the
# top-level CMakeLists.txt, after every internal target is defined. Consumers: tests/install/.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Walks what `target` links and collects the repository's own static libraries (their objects
# go into the public libraries) and the imported dependencies (which the public libraries link).
# This follows `griffin` automatically: a new internal library that `griffin` links (directly or
# through another internal one) lands in libgriffin.so/.a with no change here.
function(griffin_collect_parts target parts_var deps_var)
  set(parts ${${parts_var}})
  set(deps ${${deps_var}})
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    get_target_property(links ${target} INTERFACE_LINK_LIBRARIES)
  else()
    get_target_property(links ${target} LINK_LIBRARIES)
  endif()
  foreach(link IN LISTS links)
    if(NOT TARGET "${link}")
      continue()  # a generator expression or a plain flag: none of ours link libraries that way
    endif()
    get_target_property(imported ${link} IMPORTED)
    get_target_property(link_type ${link} TYPE)
    if(imported)
      if(NOT link IN_LIST deps)
        list(APPEND deps ${link})
      endif()
    elseif(link_type STREQUAL "STATIC_LIBRARY" OR link_type STREQUAL "OBJECT_LIBRARY")
      if(NOT link IN_LIST parts)
        list(APPEND parts ${link})
        griffin_collect_parts(${link} parts deps)
      endif()
    elseif(link_type STREQUAL "INTERFACE_LIBRARY")
      griffin_collect_parts(${link} parts deps)  # griffin_warnings: flags only, adds nothing
    else()
      message(FATAL_ERROR "griffin-rt: `${target}` links ${link_type} `${link}`: the public "
                          "libraries can only absorb static or object libraries (cmake/GriffinLibrary.cmake)")
    endif()
  endforeach()
  set(${parts_var} ${parts} PARENT_SCOPE)
  set(${deps_var} ${deps} PARENT_SCOPE)
endfunction()

set(GRIFFIN_LIBRARY_PARTS griffin)
set(GRIFFIN_LIBRARY_DEPS "")
griffin_collect_parts(griffin GRIFFIN_LIBRARY_PARTS GRIFFIN_LIBRARY_DEPS)
set(GRIFFIN_LIBRARY_OBJECTS "")
foreach(part IN LISTS GRIFFIN_LIBRARY_PARTS)
  list(APPEND GRIFFIN_LIBRARY_OBJECTS $<TARGET_OBJECTS:${part}>)
endforeach()
string(REPLACE ";" " " GRIFFIN_LIBRARY_PARTS_TEXT "${GRIFFIN_LIBRARY_PARTS}")
message(STATUS "griffin-rt: libgriffin.so/.a are made of: ${GRIFFIN_LIBRARY_PARTS_TEXT}")
# griffin::headers is header-only (flatbuffers, json, CLI11, fp16): needed to compile the parts,
# never to link them, so the installed static library does not name it.
set(GRIFFIN_LIBRARY_LINK_DEPS ${GRIFFIN_LIBRARY_DEPS})
list(REMOVE_ITEM GRIFFIN_LIBRARY_LINK_DEPS griffin::headers)

# Built apart from build/lib, where the internal `griffin` target already writes libgriffin.a.
set(GRIFFIN_PUBLIC_LIB_DIR ${CMAKE_BINARY_DIR}/lib/public)
set(GRIFFIN_PUBLIC_INCLUDE_DIR ${CMAKE_SOURCE_DIR}/runtime/include)

# --- libgriffin.so ---------------------------------------------------------------------------------
# cmake/griffin.map keeps every symbol but griffin_* local; --no-undefined makes a missing
# implementation or dependency a link error here instead of in the app.
add_library(griffin_shared SHARED ${GRIFFIN_LIBRARY_OBJECTS})
add_dependencies(griffin_shared ${GRIFFIN_LIBRARY_PARTS})
target_link_libraries(griffin_shared PRIVATE ${GRIFFIN_LIBRARY_LINK_DEPS})
target_link_options(griffin_shared PRIVATE
  "LINKER:--version-script=${CMAKE_SOURCE_DIR}/cmake/griffin.map" "LINKER:--no-undefined")
target_include_directories(griffin_shared INTERFACE
  $<BUILD_INTERFACE:${GRIFFIN_PUBLIC_INCLUDE_DIR}> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
set_target_properties(griffin_shared PROPERTIES
  OUTPUT_NAME griffin VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}
  LINKER_LANGUAGE CXX EXPORT_NAME griffin_shared
  LIBRARY_OUTPUT_DIRECTORY ${GRIFFIN_PUBLIC_LIB_DIR}
  LINK_DEPENDS ${CMAKE_SOURCE_DIR}/cmake/griffin.map)

# --- libgriffin.a ----------------------------------------------------------------------------------
# The same objects in one archive. Debian ships XNNPACK, pthreadpool, cpuinfo and SentencePiece
# as shared libraries only, so an app linking libgriffin.a still links those dynamically.
add_library(griffin_static STATIC ${GRIFFIN_LIBRARY_OBJECTS})
add_dependencies(griffin_static ${GRIFFIN_LIBRARY_PARTS})
target_link_libraries(griffin_static PRIVATE ${GRIFFIN_LIBRARY_LINK_DEPS})
target_include_directories(griffin_static INTERFACE
  $<BUILD_INTERFACE:${GRIFFIN_PUBLIC_INCLUDE_DIR}> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
set_target_properties(griffin_static PROPERTIES
  OUTPUT_NAME griffin LINKER_LANGUAGE CXX EXPORT_NAME griffin_static
  ARCHIVE_OUTPUT_DIRECTORY ${GRIFFIN_PUBLIC_LIB_DIR})

# What the installed package says about libgriffin.a's dependencies, from the same list: the
# config file defines the targets the exported static library names ("griffin::xnnpack=XNNPACK"),
# griffin.pc lists them as -l flags (GCC's C++ runtime and -pthread last).
set(GRIFFIN_CONFIG_DEPS "")
set(GRIFFIN_CONFIG_NEEDS_THREADS FALSE)
set(GRIFFIN_PC_LIBS_PRIVATE "")
foreach(dep IN LISTS GRIFFIN_LIBRARY_LINK_DEPS)
  if(dep STREQUAL "Threads::Threads")
    set(GRIFFIN_CONFIG_NEEDS_THREADS TRUE)
    continue()
  endif()
  get_target_property(location ${dep} IMPORTED_LOCATION)
  if(NOT location)
    message(FATAL_ERROR "griffin-rt: no library file for `${dep}` to name in the installed package")
  endif()
  get_filename_component(name "${location}" NAME_WE)  # libXNNPACK
  string(REGEX REPLACE "^lib" "" name "${name}")
  string(APPEND GRIFFIN_CONFIG_DEPS " ${dep}=${name}")
  string(APPEND GRIFFIN_PC_LIBS_PRIVATE " -l${name}")
endforeach()
# GCC's C++ runtime (libstdc++, which needs libm), which a C app linking libgriffin.a lacks.
set(GRIFFIN_CXX_RUNTIME_LIBS "stdc++ m")
string(APPEND GRIFFIN_PC_LIBS_PRIVATE " -lstdc++ -lm -pthread")

# --- Install ---------------------------------------------------------------------------------------
# Relocatable: the CMake package and griffin.pc find the prefix from their own location, so
# `cmake --install build --prefix ANYWHERE` works.
install(FILES ${GRIFFIN_PUBLIC_INCLUDE_DIR}/griffin/griffin.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/griffin)
install(TARGETS griffin_shared griffin_static EXPORT griffinTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
set(GRIFFIN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/griffin)
install(EXPORT griffinTargets NAMESPACE griffin:: DESTINATION ${GRIFFIN_CMAKE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/griffinConfig.cmake.in
  ${CMAKE_BINARY_DIR}/package/griffinConfig.cmake INSTALL_DESTINATION ${GRIFFIN_CMAKE_DIR})
# 0.x: a minor version may break the API, so only the same minor version is compatible.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/package/griffinConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/package/griffinConfig.cmake
              ${CMAKE_BINARY_DIR}/package/griffinConfigVersion.cmake
        DESTINATION ${GRIFFIN_CMAKE_DIR})

# griffin.pc: ${pcfiledir} is <prefix>/<libdir>/pkgconfig, so the prefix is that many levels up.
# Libs.private: the static library's dependencies, then the C++ runtime.
file(RELATIVE_PATH GRIFFIN_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${CMAKE_SOURCE_DIR}/cmake/griffin.pc.in ${CMAKE_BINARY_DIR}/package/griffin.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/package/griffin.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# --- Tests -----------------------------------------------------------------------------------------
if(GRIFFIN_BUILD_TESTS)
  # Only griffin_* is exported, every GRIFFIN_API function is, and the SONAME carries the major
  # version. Uses the toolchain's nm/objdump, so it checks the aarch64 library in cross builds.
  add_test(NAME library.exports
    COMMAND bash ${CMAKE_SOURCE_DIR}/tests/install/check_exports.sh ${CMAKE_NM} ${CMAKE_OBJDUMP}
            $<TARGET_FILE:griffin_shared> ${GRIFFIN_PUBLIC_INCLUDE_DIR}/griffin/griffin.h
            libgriffin.so.${PROJECT_VERSION_MAJOR})
  # The public header compiles as strict C99 and as C++17 (only the compiler runs, on the host).
  add_test(NAME library.header_c99
    COMMAND ${CMAKE_C_COMPILER} -std=c99 -pedantic -Wall -Wextra -Werror -Wstrict-prototypes
            -Wmissing-prototypes -fsyntax-only -I${GRIFFIN_PUBLIC_INCLUDE_DIR}
            ${CMAKE_SOURCE_DIR}/tests/install/header_compiles.c)
  add_test(NAME library.header_cxx17
    COMMAND ${CMAKE_CXX_COMPILER} -x c++ -std=c++17 -pedantic -Wall -Wextra -Werror -fsyntax-only
            -I${GRIFFIN_PUBLIC_INCLUDE_DIR} ${CMAKE_SOURCE_DIR}/tests/install/header_compiles.c)
endif()
