#!/usr/bin/env bash
# The README's second command (and CI's): install dependencies, build with warnings as
# errors, and run the whole test suite with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
CMAKE_ARGS="-DGRIFFIN_WERROR=ON -DGRIFFIN_BUILD_TESTS=ON ${CMAKE_ARGS:-}" scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "${JOBS:-$(nproc)}"
