#!/usr/bin/env bash
# The speed table of docs/benchmarks.md and docs/quantization.md: RecurrentGemma-2B-shaped
# synthetic files (distinct random weights per file) in each weight dtype, each measured
# `--runs` times with `griffin-bench --roofline --json`, plus two sessions on two threads against
# one (the model shared, each session's matrices on one thread).
#
#   scripts/bench.sh [--build DIR] [--out DIR] [--threads N] [--runs R]
#                    [--prompt-tokens P] [--decode-tokens D] [--dtypes "int8 int4 bf16"]
#                    [--huge-pages]
#
# Writes to --out (default docs/benchmarks/) speed.csv, sessions.csv, versus.csv (int4 against
# int8 decode, the two models taking turns token by token), batches of 8 int8 sessions
# (batch8-*.json), every run's JSON, machine-speed.json, and targets.md: each of issue 14's
# targets checked against every run (scripts/bench_targets.py). Files go to /dev/shm when it has
# room (a tmpfs file is mapped like a cached file, and some hosts evict ordinary page cache within
# seconds), else to the build directory, and are removed at the end. Every run uses --prefault.
# int8 is also measured with --int8-activations, with and without --per-token-activation-scales
# and --power-of-two-activation-scales, and int4 with each (docs/quantization.md "Activation
# scales"), and the per-token one with the matrices repacked at open (--repack-weights: config
# "int8-activations-per-token-repacked"; int4 "int4-repacked" and "int4-power-of-two-repacked";
# docs/quantization.md "Repacked weights"). --huge-pages
# also measures each dtype with the weights copied into 2 MB pages (config "<dtype>-huge-pages";
# docs/memory.md "Huge pages").
# GRIFFIN_MAX_ISA=avx2 (or another ISA) in the environment caps the kernels of every run, so an
# AVX-512 machine can measure the AVX2 path too (docs/quantization.md).
# The machine should be otherwise idle.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build"
out="$root/docs/benchmarks"
threads=2
runs=3
prompt_tokens=256
decode_tokens=32
dtypes="int8 int4 bf16"
huge_pages=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build="$2"; shift ;;
    --out) out="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --prompt-tokens) prompt_tokens="$2"; shift ;;
    --decode-tokens) decode_tokens="$2"; shift ;;
    --dtypes) dtypes="$2"; shift ;;
    --huge-pages) huge_pages=1 ;;
    -h|--help) sed -n 2,23p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
convert="$build/bin/griffin-convert"
bench="$build/bin/griffin-bench"
for tool in "$convert" "$bench"; do
  [[ -x "$tool" ]] || { echo "bench: $tool missing: build first (scripts/build.sh)" >&2; exit 1; }
done

scratch="$build/bench-models"
if [[ -d /dev/shm ]] && (( $(df -Pk /dev/shm | awk 'NR==2 {print $4}') > 7000000 )); then
  scratch="/dev/shm/griffin-bench-$$"
fi
mkdir -p "$scratch" "$out"
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM

speed_csv="$out/speed.csv"
sessions_csv="$out/sessions.csv"
echo "config,run,file_bytes,prefill_tokens_per_s,decode_tokens_per_s,decode_ms_p50,read_bandwidth_gb_per_s,decode_bandwidth_fraction,prefill_gmacs_per_s,prefill_roof,prefill_roof_fraction,prefill_int8_roof_fraction,peak_f32_fma_gmacs_per_s,peak_int8_dot_gmacs_per_s,peak_int16_dot_gmacs_per_s,read_bandwidth_source,read_bandwidth_after_run_gb_per_s,decode_bandwidth_fraction_after_run,peak_int4_dot_gmacs_per_s" >"$speed_csv"
echo "config,sessions,threads_per_session,one_session_tokens_per_s,together_tokens_per_s,speedup,one_session_in_turns_tokens_per_s,together_in_turns_tokens_per_s,speedup_in_turns" >"$sessions_csv"
versus_csv="$out/versus.csv"
echo "config,against,run,against_tokens_per_s,config_tokens_per_s,speedup_in_turns" >"$versus_csv"
# The int8 file waits for int4's, which then decodes in turns with it (griffin-bench --versus).
keep_int8=0
written=()  # this run's JSON results, for targets.md
[[ " $dtypes " == *" int4 "* ]] && keep_int8=1

row() {  # config run json -> one speed.csv line
  /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
keys = ("model_file_bytes", "prefill_tokens_per_s", "decode_tokens_per_s", "decode_ms_p50",
        "read_bandwidth_gb_per_s", "decode_bandwidth_fraction", "prefill_gmacs_per_s",
        "prefill_roof", "prefill_roof_fraction", "prefill_int8_roof_fraction",
        "peak_f32_fma_gmacs_per_s", "peak_int8_dot_gmacs_per_s", "peak_int16_dot_gmacs_per_s",
        "read_bandwidth_source", "read_bandwidth_after_run_gb_per_s",
        "decode_bandwidth_fraction_after_run", "peak_int4_dot_gmacs_per_s")
print(",".join(sys.argv[1:3] + [str(r.get(k, "")) for k in keys]))
' "$1" "$2"
}

seed=11
for dtype in $dtypes; do
  file="$scratch/rg2b-$dtype.griffin"
  echo "bench: converting a synthetic recurrentgemma-2b, $dtype, seed $seed"
  "$convert" synthetic --preset recurrentgemma-2b --dtype "$dtype" --seed "$seed" -o "$file" -q
  seed=$((seed + 1))
  configs=("$dtype:")
  [[ $dtype == int8 ]] && configs+=("int8-activations:--int8-activations"
    "int8-activations-per-token:--int8-activations --per-token-activation-scales"
    "int8-activations-power-of-two:--int8-activations --power-of-two-activation-scales"
    "int8-activations-per-token-repacked:--int8-activations --per-token-activation-scales --repack-weights")
  [[ $dtype == int4 ]] && configs+=("int4-per-token:--per-token-activation-scales"
    "int4-power-of-two:--power-of-two-activation-scales" "int4-repacked:--repack-weights"
    "int4-power-of-two-repacked:--power-of-two-activation-scales --repack-weights")
  ((huge_pages)) && configs+=("$dtype-huge-pages:--huge-pages")
  for entry in "${configs[@]}"; do
    config=${entry%%:*}
    flags=${entry#*:}
    for run in $(seq 1 "$runs"); do
      # shellcheck disable=SC2086  # $flags is empty or flags without spaces in them
      result="$("$bench" -m "$file" --threads "$threads" --prefault --roofline --json $flags \
        --prompt-tokens "$prompt_tokens" --decode-tokens "$decode_tokens")"
      echo "$result" >"$out/speed-$config-$run.json"
      written+=("$out/speed-$config-$run.json")
      row "$config" "$run" <<<"$result" | tee -a "$speed_csv"
    done
  done
  if [[ $dtype == int8 ]]; then
    # Two sessions on two threads (one matrix thread each) against one session on one thread.
    result="$("$bench" -m "$file" --threads 1 --prefault --sessions 2 --json \
      --prompt-tokens 64 --decode-tokens "$decode_tokens")"
    echo "$result" >"$out/sessions-int8.json"
    written+=("$out/sessions-int8.json")
    /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
keys = ("decode_tokens_per_s", "sessions_decode_tokens_per_s", "sessions_speedup",
        "sessions_lone_tokens_per_s", "sessions_in_turns_tokens_per_s",
        "sessions_interleaved_speedup")
print(",".join(["int8", "2", "1"] + [str(r[k]) for k in keys]))
' <<<"$result" | tee -a "$sessions_csv"
    # Batches of 8 (griffin_batch_decode) against a lone session decoding in turns with them,
    # with the default int16 activations and with per-token int8 activations.
    for entry in "int8:" "int8-activations-per-token:--int8-activations --per-token-activation-scales"; do
      config=${entry%%:*}
      flags=${entry#*:}
      for run in $(seq 1 "$runs"); do
        # shellcheck disable=SC2086  # $flags is empty or flags without spaces in them
        "$bench" -m "$file" --threads "$threads" --prefault --batch 8 --json $flags \
          --prompt-tokens 16 --decode-tokens "$decode_tokens" >"$out/batch8-$config-$run.json"
        written+=("$out/batch8-$config-$run.json")
      done
    done
  fi
  int8_file="$scratch/rg2b-int8.griffin"
  if [[ $dtype == int4 && -f $int8_file ]]; then
    # int4 against int8 decode, the two models taking turns token by token: issue 14's int4
    # ratio from the same minutes of a drifting machine.
    for run in $(seq 1 "$runs"); do
      result="$("$bench" -m "$int8_file" --versus "$file" --threads "$threads" --prefault --json \
        --prompt-tokens 16 --decode-tokens "$decode_tokens")"
      echo "$result" >"$out/versus-int4-int8-$run.json"
      written+=("$out/versus-int4-int8-$run.json")
      /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
keys = ("versus_main_tokens_per_s", "versus_tokens_per_s", "versus_speedup")
print(",".join(["int4", "int8", sys.argv[1]] + [str(r[k]) for k in keys]))
' "$run" <<<"$result" | tee -a "$versus_csv"
    done
    rm -f "$int8_file"
  fi
  [[ $dtype == int8 && $keep_int8 -eq 1 ]] || rm -f "$file"
done

/usr/bin/python3 "$root/scripts/machine_info.py" "$out/machine-speed.json" "threads=$threads"
# Each of issue 14's targets against every run of this invocation (not older files in --out;
# docs/benchmarks.md "Where things stand").
/usr/bin/python3 "$root/scripts/bench_targets.py" "${written[@]}" | tee "$out/targets.md"
echo "bench: $speed_csv, $sessions_csv, $versus_csv, $out/targets.md"
