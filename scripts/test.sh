#!/usr/bin/env bash
# The README's second command (and CI's): install dependencies, build with warnings as
# errors, and run the whole test suite with CTest: on x86, then cross-built for aarch64 under QEMU.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/setup-deps.sh
CMAKE_ARGS="-DGRIFFIN_WERROR=ON -DGRIFFIN_BUILD_TESTS=ON -DGRIFFIN_BUILD_JAVA=ON ${CMAKE_ARGS:-}" scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "${JOBS:-$(nproc)}"
# The Java binding's JUnit tests (ports/android) are part of that run; configuring fails without
# a JDK or JUnit 4, and this makes sure they were registered, never skipped.
java_tests=$(ctest -N -R '^java\.')
if [[ $java_tests != *"Total Tests: "[1-9]* ]]; then
  echo "test.sh: no Java tests registered (GRIFFIN_BUILD_JAVA must be ON)" >&2
  exit 1
fi

# The library as an app sees it: install into a scratch prefix, then build a consumer outside the
# tree against it with CMake and with pkg-config, shared and static, and check its greedy text
# against griffin-generate's (tests/install/run.sh). GRIFFIN_INSTALL_PREFIX stays exported for
# later blocks: PKG_CONFIG_PATH=$GRIFFIN_INSTALL_PREFIX/lib/pkgconfig,
# CMAKE_PREFIX_PATH=$GRIFFIN_INSTALL_PREFIX.
cd "$root"
build_dir=$(cd "${BUILD_DIR:-build}" && pwd)
export GRIFFIN_INSTALL_PREFIX=$build_dir/install-prefix
rm -rf "$GRIFFIN_INSTALL_PREFIX"
cmake --install "$build_dir" --prefix "$GRIFFIN_INSTALL_PREFIX" >/dev/null
GRIFFIN_GENERATE=$build_dir/bin/griffin-generate tests/install/run.sh "$GRIFFIN_INSTALL_PREFIX"

# The Swift package (ports/ios) against that installed library: its XCTest tests with the bundled
# model, and the build's tiny int4 model (GRIFFIN_INT4_MODEL) for the integer-path options. A
# missing Swift toolchain fails the run; it is never skipped.
if ! command -v swift >/dev/null && [[ -x /opt/swift/usr/bin/swift ]]; then
  export PATH=/opt/swift/usr/bin:$PATH
fi
if ! command -v swift >/dev/null; then
  echo "test.sh: no Swift toolchain (swift not on PATH nor at /opt/swift/usr/bin): the Swift tests cannot run" >&2
  exit 1
fi
griffin_pc=$(find "$GRIFFIN_INSTALL_PREFIX" -path '*/pkgconfig/griffin.pc' | head -1)
(cd ports/ios &&
  PKG_CONFIG_PATH=$(dirname "$griffin_pc") LD_LIBRARY_PATH=$(dirname "$(dirname "$griffin_pc")") \
    GRIFFIN_INT4_MODEL=$build_dir/fixtures/griffin-tiny-int4.griffin \
    swift test --scratch-path "$build_dir/swift")

# The same suite cross-built for aarch64 and run under qemu-user on an emulated Cortex-A72 and
# Cortex-A76, with the kernel-dispatch assertions (ports/raspberry-pi/README.md).
cd "$root"
# CI runs the Cortex-A76 (Raspberry Pi 5) pass only, to stay under an hour on two cores: its
# [kernels] tests run every variant the CPU has, neon as well as neondot. The Cortex-A72 pass (the
# Pi 4, which must pick neon) is the longer job: GRIFFIN_QEMU_CPUS="cortex-a72=neon
# cortex-a76=neondot" scripts/test.sh, or ports/raspberry-pi/run-tests.sh alone.
# It also runs the quick suite (GRIFFIN_QEMU_SUITE=quick): the command-line tool tests, the
# allocation and resident-memory tests and the sessions-on-threads tests, which test nothing
# ISA-specific and ran natively above, stay out of the emulated run (run-tests.sh says why).
GRIFFIN_QEMU_CPUS=${GRIFFIN_QEMU_CPUS:-cortex-a76=neondot} GRIFFIN_QEMU_SUITE=${GRIFFIN_QEMU_SUITE:-quick} \
  ports/raspberry-pi/run-tests.sh

# Reliability (issue 15): every fuzz target for FUZZ_SECONDS (default 45) under ASan + UBSan
# (clang build in build-fuzz/), then the whole suite under ASan + UBSan (build-asan/) and the
# ThreadSanitizer test (build-tsan/). Each block prints its time.
cd "$root"
block_start=$SECONDS
tests/fuzz/run.sh "${FUZZ_SECONDS:-45}"
echo "test.sh: fuzzing took $((SECONDS - block_start)) s"
block_start=$SECONDS
scripts/sanitize.sh
echo "test.sh: sanitizers took $((SECONDS - block_start)) s"
