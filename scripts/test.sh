#!/usr/bin/env bash
# The README's second command (and CI's): install dependencies, build with warnings as
# errors, and run the whole test suite with CTest: on x86, then cross-built for aarch64 under QEMU.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/setup-deps.sh
CMAKE_ARGS="-DGRIFFIN_WERROR=ON -DGRIFFIN_BUILD_TESTS=ON ${CMAKE_ARGS:-}" scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "${JOBS:-$(nproc)}"

# The same suite cross-built for aarch64 and run under qemu-user on an emulated Cortex-A72 and
# Cortex-A76, with the kernel-dispatch assertions (ports/raspberry-pi/README.md).
cd "$root"
ports/raspberry-pi/run-tests.sh
