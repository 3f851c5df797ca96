#!/usr/bin/env bash
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer (GCC), in build-asan/,
# then the ThreadSanitizer test (tests/tsan) in build-tsan/. Any sanitizer report fails the run
# (-fno-sanitize-recover=all: UBSan aborts like ASan).
# Not run under ASan (ctest labels, set where the tests are registered):
#   no-asan  griffin-alloc-tests: it replaces malloc and measures resident memory, both of which
#            ASan changes (its own allocator, shadow memory, quarantine);
#   long     the long runs (100k tokens, 1,000 snapshot cycles): minutes natively, far more
#            under ASan; they run in the normal build.
# and, by name (asan_skip below), the tests that measure resident, anonymous or locked memory
# inside griffin-tests: ASan adds shadow and allocator pages to anonymous memory and turns mlock
# into a no-op, so their numbers mean nothing there (they run in the normal build).
set -euo pipefail
# Also left out: the quantized-quality test, which scores a 15,347-token book four times (over
# 12 minutes under ASan, 22 s natively); its code paths (the same kernels and forward pass) run
# under ASan in every other whole-model test, and its numbers are checked in the normal build.
asan_skip='stay file-backed|lock_weights pins the weights|do grow anonymous memory|prefault maps every weight page|^Quantized bundled model'
cd "$(dirname "$0")/.."
asan_dir=${ASAN_BUILD_DIR:-build-asan}
tsan_dir=${TSAN_BUILD_DIR:-build-tsan}
jobs=${JOBS:-$(nproc)}
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi

# Build type "Sanitize" adds no flags of its own: -O1 with line tables (-g1) builds much faster
# than -O2 -g on a 2-core CI machine and still gives file:line in every report.
# GCC 12's -Wmaybe-uninitialized misfires on libstdc++'s <regex> once ASan instruments it
# (std::function in regex_automaton.h); every other warning stays an error.
asan_flags="-O1 -g1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -Wno-maybe-uninitialized"
cmake -S . -B "$asan_dir" -DCMAKE_BUILD_TYPE=Sanitize -DGRIFFIN_WERROR=ON -DGRIFFIN_BUILD_TESTS=ON \
  "${launcher[@]}" -DCMAKE_C_FLAGS="$asan_flags" -DCMAKE_CXX_FLAGS="$asan_flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$asan_dir" -j "$jobs"
(cd "$asan_dir" &&
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j "$jobs" -LE 'no-asan|long' -E "$asan_skip")

tsan_flags="-O1 -g1 -fsanitize=thread -fno-omit-frame-pointer -Wno-maybe-uninitialized"
cmake -S . -B "$tsan_dir" -DCMAKE_BUILD_TYPE=Sanitize -DGRIFFIN_WERROR=ON -DGRIFFIN_BUILD_TESTS=ON \
  "${launcher[@]}" -DCMAKE_C_FLAGS="$tsan_flags" \
  -DCMAKE_CXX_FLAGS="$tsan_flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" >/dev/null
cmake --build "$tsan_dir" -j "$jobs" --target griffin-tsan-tests
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(pwd)/tests/tsan/suppressions.txt" \
  "$tsan_dir/bin/griffin-tsan-tests"
