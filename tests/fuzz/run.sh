#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in their own build directory and runs
# each for a bounded time, from the seed corpus in tests/fuzz/corpus/<target>/ plus fresh seeds
# made by the current build. Fails on any crash, leak, sanitizer report or timeout; the crashing
# input is left in the work directory (printed) to become a regression test.
#   tests/fuzz/run.sh [SECONDS]     SECONDS per target (default 45)
#   FUZZ_BUILD_DIR (default build-fuzz), FUZZ_TARGETS="fuzz_text fuzz_hf_config" to run some.
# Run longer locally with e.g. `tests/fuzz/run.sh 3600`; libFuzzer's final stats (executions,
# cov:, exec/s) are printed for each target.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
seconds=${1:-45}
build_dir=${FUZZ_BUILD_DIR:-build-fuzz}

sanitizers="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DGRIFFIN_BUILD_TESTS=OFF -DGRIFFIN_BUILD_FUZZERS=ON "${launcher[@]}" \
  -DCMAKE_C_FLAGS="$sanitizers" -DCMAKE_CXX_FLAGS="$sanitizers" >/dev/null
cmake --build "$build_dir" --target griffin-fuzzers griffin-convert -j "${JOBS:-$(nproc)}"

work=$(mktemp -d "${TMPDIR:-/tmp}/griffin-fuzz.XXXXXX")
echo "fuzz: work directory $work"
targets=${FUZZ_TARGETS:-$(cd "$build_dir/bin" && ls fuzz_* | sort)}
failed=()
for target in $targets; do
  corpus=$work/$target
  mkdir -p "$corpus"
  cp "$root/tests/fuzz/corpus/${target#fuzz_}/"* "$corpus/" 2>/dev/null || true
  # Fresh seeds from this build, so they follow the current file and snapshot formats.
  case $target in
    fuzz_model_buffer)
      "$build_dir/bin/griffin-convert" -q "$root/tests/data/fixtures/hawk" -o "$corpus/hawk-int8.griffin" \
        --dtype int8 >/dev/null
      "$build_dir/bin/griffin-convert" -q "$root/tests/data/fixtures/griffin" \
        -o "$corpus/griffin-int4.griffin" --dtype int4 >/dev/null ;;
    fuzz_session_load) export GRIFFIN_FUZZ_WRITE_SEEDS=$corpus ;;
  esac
  echo "=== $target: ${seconds}s, $(ls "$corpus" | wc -l) seeds"
  log=$work/$target.log
  # -rss_limit_mb: ASan's shadow plus a model; -timeout: a single input running 10 s is a bug.
  if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$build_dir/bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$work/$target-" "$corpus" >"$log" 2>&1; then
    # The last status line (#N DONE cov: ... exec/s ...) and libFuzzer's final stats.
    grep -E '^#[0-9]+[[:space:]]+DONE|^stat::' "$log" || tail -5 "$log"
  else
    tail -60 "$log"
    echo "fuzz: $target FAILED; crashing input: $(ls "$work/$target-"* 2>/dev/null | head -1)" >&2
    failed+=("$target")
  fi
  unset GRIFFIN_FUZZ_WRITE_SEEDS
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: failures in ${failed[*]} (logs in $work)" >&2
  exit 1
fi
rm -rf "$work"
echo "fuzz: all targets ran ${seconds}s without a crash"
