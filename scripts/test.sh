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

# The same suite cross-built for aarch64 and run under qemu-user on an emulated Cortex-A72 and
# Cortex-A76, with the kernel-dispatch assertions (ports/raspberry-pi/README.md).
cd "$root"
ports/raspberry-pi/run-tests.sh
