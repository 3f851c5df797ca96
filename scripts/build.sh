#!/usr/bin/env bash
# Configures and builds griffin-rt into build/ (binaries in build/bin/).
# BUILD_DIR, CMAKE_ARGS and JOBS can be overridden from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
read -r -a extra_args <<<"${CMAKE_ARGS:-}"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "${extra_args[@]}" >/dev/null
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}"
