#!/usr/bin/env bash
# The paper's inference claims on this CPU (docs/benchmarks.md): for Griffin
# (recurrentgemma-2b), Hawk (hawk-2b) and the MQA Transformer baseline (mqa-transformer-2b),
# 2B-shaped synthetic int8 models with distinct random weights, it measures
#   - decode ms/token against position (up to 16k),
#   - session memory against position (the planned arena at that context),
#   - decode tokens/s against batch size (griffin_batch_decode),
# writing CSV and JSON to docs/benchmarks/ and PNG plots (scripts/plot_bench.py).
#
#   scripts/bench-paper.sh [--quick] [--tiny] [--build DIR] [--threads N] [--out DIR]
#                          [--positions "256 1024 ..."] [--batches "1 2 4 ..."]
#                          [--models "griffin hawk mqa"] [--append]
#
# --quick: short positions and small batches (minutes, to check the pipeline; not the claims).
# --tiny:  griffin-tiny shapes for all three (proves the script only; numbers mean nothing).
# --positions, --batches: the lists to measure instead of the defaults (256 ... 16384; 1 ... 16).
# --models: which of griffin, hawk and mqa to run (default all three, in that order).
# --append: add rows to the existing position.csv and batch.csv instead of starting them anew
#           (to measure the models in separate sittings, e.g. each to its own last position);
#           files from before batch.csv's speedup_in_turns column are refused.
# The sweep prefills each model up to the last position once: at 40-50 tokens/s (2B int8 on two
# Zen 3 cores) the three models to 16k took 44 minutes, on two Zen 1 cores about 2 hours.
# Model files go to /dev/shm when it has room, else to the build directory, and are removed at
# the end. The machine should be otherwise idle: wall-clock numbers are only as good as that.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build"
out="$root/docs/benchmarks"
threads=0
quick=0
tiny=0
append=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --tiny) tiny=1 ;;
    --build) build="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --out) out="$2"; shift ;;
    --positions) read -r -a custom_positions <<<"$2"; shift ;;
    --batches) read -r -a custom_batches <<<"$2"; shift ;;
    --models) read -r -a chosen_models <<<"$2"; shift ;;
    --append) append=1 ;;
    -h|--help) sed -n 2,24p "$0"; exit 0 ;;
    *) echo "bench-paper: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
convert="$build/bin/griffin-convert"
bench="$build/bin/griffin-bench"
for tool in "$convert" "$bench"; do
  [[ -x "$tool" ]] || { echo "bench-paper: $tool missing: build first (scripts/build.sh)" >&2; exit 1; }
done

if [[ $quick -eq 1 ]]; then
  positions=(64 256 1024)
  batches=(1 2 4)
  decode_tokens=8
else
  positions=(256 1024 2048 4096 8192 16384)
  batches=(1 2 4 8 16)
  decode_tokens=32
fi
if [[ -n "${custom_positions+x}" ]]; then positions=("${custom_positions[@]}"); fi
if [[ -n "${custom_batches+x}" ]]; then batches=("${custom_batches[@]}"); fi
models=("griffin:recurrentgemma-2b:1" "hawk:hawk-2b:2" "mqa:mqa-transformer-2b:3")
if [[ $tiny -eq 1 ]]; then
  models=("griffin:griffin-tiny:1" "hawk:griffin-tiny:2" "mqa:griffin-tiny:3")
fi
if [[ -n "${chosen_models+x}" ]]; then
  selected=()
  for name in "${chosen_models[@]}"; do
    found=""
    for entry in "${models[@]}"; do [[ ${entry%%:*} == "$name" ]] && found=$entry; done
    [[ -n $found ]] || { echo "bench-paper: unknown model $name (griffin, hawk, mqa)" >&2; exit 2; }
    selected+=("$found")
  done
  models=("${selected[@]}")
fi

# Where the model files go: /dev/shm when it has room for the three (about 2.8 GB each).
need_kb=$((3 * 3000000))
scratch="$build/bench-paper-models"
if [[ -d /dev/shm ]] && (( $(df -Pk /dev/shm | awk 'NR==2 {print $4}') > need_kb )); then
  scratch="/dev/shm/griffin-bench-paper-$$"
fi
mkdir -p "$scratch" "$out"
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM  # run the EXIT trap (remove the model files) when interrupted too

position_csv="$out/position.csv"
batch_csv="$out/batch.csv"
position_header="model,preset,position,decode_ms_per_token,decode_ms_p50,session_bytes,threads,relative_to_first"
# speedup_vs_single: against the single session's decode earlier in the same process;
# speedup_in_turns: against a lone session decoding one token after each batch step
# (lone_tokens_per_s), which a drifting machine speed does not move.
batch_header="model,preset,batch,decode_tokens_per_s,ms_per_step,speedup_vs_single,lone_tokens_per_s,speedup_in_turns"
if [[ $append -eq 0 || ! -f $position_csv || ! -f $batch_csv ]]; then
  echo "$position_header" >"$position_csv"
  echo "$batch_header" >"$batch_csv"
elif [[ $(head -n 1 "$position_csv") != "$position_header" || $(head -n 1 "$batch_csv") != "$batch_header" ]]; then
  echo "bench-paper: --append: $out/position.csv or batch.csv has other columns (an older version of this script); start them anew without --append" >&2
  exit 2
fi
json_field() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

for entry in "${models[@]}"; do
  IFS=: read -r name preset seed <<<"$entry"
  file="$scratch/$name.griffin"
  echo "bench-paper: $name ($preset, int8, seed $seed) -> $file"
  "$convert" synthetic --preset "$preset" --dtype int8 --seed "$seed" -o "$file" -q
  # One session per model walks through every position (griffin-bench --positions): prefill
  # up to the next position, time the decode steps there, go on. The 16k sweep prefills 16k
  # tokens once; griffin-bench prints its progress on stderr. A fork made at the first position
  # decodes in turns with the session at every position: relative_to_first is the ratio of the
  # two, which a drifting machine speed does not move.
  position_list=$(IFS=,; echo "${positions[*]}")
  result="$("$bench" -m "$file" --threads "$threads" --prefault --prompt-tokens 64 \
    --decode-tokens "$decode_tokens" --positions "$position_list" --json)"
  echo "$result" >"$out/position-$name.json"
  /usr/bin/python3 -c '
import json, sys
run = json.load(sys.stdin)
keys = ("position", "decode_ms_per_token", "decode_ms_p50", "planned_session_bytes")
for point in run["positions"]:
    row = sys.argv[1:3] + [str(point[key]) for key in keys] + [str(run["threads"]),
                                                                str(point["relative_to_first"])]
    print(",".join(row))
' "$name" "$preset" <<<"$result" >>"$position_csv"
  tail -n "${#positions[@]}" "$position_csv" | sed 's/^/  /'
  for batch in "${batches[@]}"; do
    result="$("$bench" -m "$file" --threads "$threads" --prefault --prompt-tokens 64 \
      --decode-tokens "$decode_tokens" --batch "$batch" --json)"
    echo "$result" >"$out/batch-$name-$batch.json"
    rate=$(json_field batch_decode_tokens_per_s <<<"$result")
    step=$(json_field batch_ms_per_step <<<"$result")
    speedup=$(json_field batch_speedup <<<"$result")
    lone=$(json_field batch_lone_tokens_per_s <<<"$result")
    in_turns=$(json_field batch_interleaved_speedup <<<"$result")
    echo "$name,$preset,$batch,$rate,$step,$speedup,$lone,$in_turns" >>"$batch_csv"
    echo "  batch $batch: $rate tokens/s"
  done
  rm -f "$file"
done

# The machine and the run, next to the tables.
/usr/bin/python3 "$root/scripts/machine_info.py" "$out/machine.json" "quick=$quick" "tiny=$tiny" \
  "threads=$threads" "positions=${positions[*]}" "batches=${batches[*]}" \
  "decode_tokens=$decode_tokens"
/usr/bin/python3 "$root/scripts/plot_bench.py" "$out"
echo "bench-paper: tables and plots in $out"
