#!/usr/bin/env bash
# Builds and runs tests/install/consumer against an installed griffin-rt, as an app outside the
# tree would: with CMake (find_package(griffin CONFIG), shared and GRIFFIN_STATIC=ON) and with
# pkg-config (shared and --static). Each build must load the library it asked for, and each
# run must print what the in-tree griffin-generate prints for the same greedy continuation.
#
#   cmake --install build --prefix build/install-prefix
#   tests/install/run.sh build/install-prefix
#
# Environment: GRIFFIN_GENERATE (default build/bin/griffin-generate) gives the expected text;
# CC (default cc) compiles the pkg-config builds. scripts/test.sh (CI) runs this. Exits
# non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [[ $# -ne 1 ]]; then
  echo "usage: $0 PREFIX   (a prefix made by 'cmake --install BUILD_DIR --prefix PREFIX')" >&2
  exit 2
fi
if [[ ! -f "$1/include/griffin/griffin.h" ]]; then
  echo "run: $1 holds no include/griffin/griffin.h: install first" >&2
  exit 1
fi
prefix=$(cd "$1" && pwd)
generate=${GRIFFIN_GENERATE:-$root/build/bin/griffin-generate}
cc=${CC:-cc}
model=$root/examples/models/kjv-griffin/kjv-griffin.griffin
prompt="In the beginning"
n_tokens=8

# The CMake package and griffin.pc sit under lib/ or lib64/ or lib/<multiarch>/ (GNUInstallDirs).
pc_file=$(find "$prefix" -path '*/pkgconfig/griffin.pc' | head -1)
if [[ -z "$pc_file" ]]; then
  echo "run: no pkgconfig/griffin.pc under $prefix" >&2
  exit 1
fi
export PKG_CONFIG_PATH=$(dirname "$pc_file")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}

if [[ ! -x "$generate" ]]; then
  echo "run: $generate not found: build griffin-generate or set GRIFFIN_GENERATE" >&2
  exit 1
fi
expected=$("$generate" -m "$model" -p "$prompt" -n "$n_tokens" --temp 0 2>/dev/null)
if [[ -z "$expected" ]]; then
  echo "run: $generate printed nothing" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/griffin-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0

# Runs one consumer binary; `linkage` is shared or static, checked against its NEEDED entries.
check() {
  local name=$1 linkage=$2 binary=$3
  local needs_shared=0
  if readelf -d "$binary" | grep -q 'NEEDED.*\[libgriffin\.so\.'; then needs_shared=1; fi
  if [[ $linkage == shared && $needs_shared == 0 ]]; then
    echo "FAIL $name: the binary does not load libgriffin.so" >&2
    failures=$((failures + 1))
    return
  fi
  if [[ $linkage == static && $needs_shared == 1 ]]; then
    echo "FAIL $name: the binary loads libgriffin.so, but asked for libgriffin.a" >&2
    failures=$((failures + 1))
    return
  fi
  if "$binary" "$model" "$prompt" "$n_tokens" "$expected"; then
    echo "ok   $name"
  else
    echo "FAIL $name" >&2
    failures=$((failures + 1))
  fi
}

# CMake, find_package(griffin CONFIG): libgriffin.so by default, libgriffin.a with GRIFFIN_STATIC.
for linkage in shared static; do
  static=OFF
  [[ $linkage == static ]] && static=ON
  build=$work/cmake-$linkage
  if cmake -S "$root/tests/install/consumer" -B "$build" -DCMAKE_PREFIX_PATH="$prefix" \
       -DGRIFFIN_STATIC=$static -DCMAKE_BUILD_TYPE=Release >"$work/cmake-$linkage.log" 2>&1 &&
     cmake --build "$build" >>"$work/cmake-$linkage.log" 2>&1; then
    check "cmake, $linkage" $linkage "$build/griffin-consumer"
  else
    cat "$work/cmake-$linkage.log" >&2
    echo "FAIL cmake, $linkage: the consumer did not build" >&2
    failures=$((failures + 1))
  fi
done

# pkg-config: `--cflags --libs` links libgriffin.so (rpath: the prefix is not on the loader's
# path); for libgriffin.a, --static adds Libs.private and -Bstatic picks the archive.
cflags=$(pkg-config --cflags griffin)
libdir=$(pkg-config --variable=libdir griffin)
read -r -a cflags_array <<<"$cflags"
read -r -a shared_libs <<<"$(pkg-config --libs griffin)"
static_libs_text=$(pkg-config --static --libs griffin)
read -r -a static_libs <<<"${static_libs_text/-lgriffin /-Wl,-Bstatic -lgriffin -Wl,-Bdynamic }"
compile_flags=(-std=c99 -Wall -Wextra -pedantic -Werror -O2)
source=$root/tests/install/consumer/consumer.c
if "$cc" "${compile_flags[@]}" "${cflags_array[@]}" "$source" -o "$work/pc-shared" \
     "${shared_libs[@]}" -Wl,-rpath,"$libdir"; then
  check "pkg-config, shared" shared "$work/pc-shared"
else
  echo "FAIL pkg-config, shared: the consumer did not build" >&2
  failures=$((failures + 1))
fi
if "$cc" "${compile_flags[@]}" "${cflags_array[@]}" "$source" -o "$work/pc-static" \
     "${static_libs[@]}"; then
  check "pkg-config, static" static "$work/pc-static"
else
  echo "FAIL pkg-config, static: the consumer did not build (libs: ${static_libs[*]})" >&2
  failures=$((failures + 1))
fi

if [[ $failures != 0 ]]; then
  echo "install consumer: $failures of 4 builds FAILED (prefix $prefix)" >&2
  exit 1
fi
echo "install consumer: 4 of 4 builds (CMake and pkg-config, shared and static) print \"$expected\""
