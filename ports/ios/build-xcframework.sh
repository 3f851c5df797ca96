#!/usr/bin/env bash
# Builds ports/ios/CGriffin.xcframework on macOS: griffin-rt as one static library per platform
# (iOS device arm64; iOS simulator arm64 + x86_64) with its dependencies merged in, plus the C
# header and a module map, so Package.swift uses it as a binary target named CGriffin.
#
# Needs a Mac with Xcode and CMake. It cannot run on the project's Linux machines (no Xcode, no
# iOS SDK); there the package is tested against the installed Linux library instead (README.md).
#
#   GRIFFIN_IOS_DEPS=/path/to/ios-deps ports/ios/build-xcframework.sh
#
# GRIFFIN_IOS_DEPS holds one install prefix per slice, named as below (iphoneos-arm64,
# iphonesimulator-arm64, iphonesimulator-x86_64), each with include/ and lib/*.a of XNNPACK
# (and its microkernel archives), pthreadpool, cpuinfo and SentencePiece built for that slice,
# and the header-only FlatBuffers, nlohmann-json, CLI11 and FP16. flatc comes from the Mac
# (brew install flatbuffers). IOS_DEPLOYMENT_TARGET defaults to 15.0.
set -euo pipefail

if [[ $(uname -s) != Darwin ]] || ! command -v xcodebuild >/dev/null; then
  echo "build-xcframework.sh: needs macOS with Xcode (xcodebuild); this machine has neither" >&2
  exit 1
fi
deps=${GRIFFIN_IOS_DEPS:?set GRIFFIN_IOS_DEPS to the directory of per-slice dependency prefixes}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$here/build-xcframework
output=$here/CGriffin.xcframework
deployment=${IOS_DEPLOYMENT_TARGET:-15.0}
rm -rf "$work" "$output"

# Builds one slice and merges libgriffin.a with every dependency archive into one library.
build_slice() {
  local sdk=$1 arch=$2 slice=$1-$2
  local prefix=$deps/$slice
  [[ -d $prefix/lib ]] || { echo "build-xcframework.sh: missing $prefix/lib" >&2; exit 1; }
  cmake -S "$root" -B "$work/$slice" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_SYSTEM_NAME=iOS -DCMAKE_OSX_SYSROOT="$sdk" -DCMAKE_OSX_ARCHITECTURES="$arch" \
    -DCMAKE_SYSTEM_PROCESSOR="$arch" -DCMAKE_OSX_DEPLOYMENT_TARGET="$deployment" \
    -DCMAKE_FIND_ROOT_PATH="$prefix" -DCMAKE_FIND_ROOT_PATH_MODE_LIBRARY=ONLY \
    -DCMAKE_FIND_ROOT_PATH_MODE_INCLUDE=ONLY -DCMAKE_FIND_ROOT_PATH_MODE_PROGRAM=NEVER \
    -DGRIFFIN_BUILD_TESTS=OFF >/dev/null
  cmake --build "$work/$slice" --target griffin_static -j "$(sysctl -n hw.ncpu)"
  local archive
  archive=$(find "$work/$slice" -name libgriffin.a | head -1)
  libtool -static -o "$work/$slice/libgriffin-merged.a" "$archive" "$prefix"/lib/*.a
}

build_slice iphoneos arm64
build_slice iphonesimulator arm64
build_slice iphonesimulator x86_64

# The simulator slice is one universal library.
mkdir -p "$work/iphonesimulator"
lipo -create "$work/iphonesimulator-arm64/libgriffin-merged.a" \
  "$work/iphonesimulator-x86_64/libgriffin-merged.a" -output "$work/iphonesimulator/libgriffin.a"

# Headers: griffin.h and the module map that makes `import CGriffin` work in Swift.
headers=$work/include
mkdir -p "$headers"
cp "$root/runtime/include/griffin/griffin.h" "$headers/"
cat >"$headers/module.modulemap" <<'EOF'
module CGriffin {
  header "griffin.h"
  export *
}
EOF

xcodebuild -create-xcframework \
  -library "$work/iphoneos-arm64/libgriffin-merged.a" -headers "$headers" \
  -library "$work/iphonesimulator/libgriffin.a" -headers "$headers" \
  -output "$output"
echo "build-xcframework.sh: wrote $output; Package.swift now uses it as the CGriffin target"
