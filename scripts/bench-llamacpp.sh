#!/usr/bin/env bash
# griffin-rt against llama.cpp on this machine (issue 14: "ahead of llama.cpp ... on the same
# machine"). llama.cpp has no RecurrentGemma architecture, so it runs a Gemma-2B-shaped file
# (scripts/make-gemma-gguf.py: random f16 weights, then llama-quantize to Q8_0 and Q4_0) while
# griffin-rt runs RecurrentGemma-2B-shaped synthetic files. The two models differ in size, so the
# comparison is per weight byte and per multiply-add: decode's weight GB/s and its share of the
# read bandwidth (griffin-bench --roofline, measured in the run next to it), prefill's GMAC/s.
# Pairs are interleaved run by run so the VM's drift hits both.
#
#   scripts/bench-llamacpp.sh --llama DIR [--gguf-py DIR] [--build DIR] [--out DIR]
#                             [--threads N] [--runs R] [--prompt-tokens P] [--decode-tokens D]
#                             [--pairs "q8_0:int8 q4_0:int4 f16:bf16"]
#
# A pair's griffin-rt side is a weight dtype (int8, int4, bf16), or a config named as
# scripts/bench.sh names them: int8-activations (int8 weights run with --int8-activations, the
# integer path llama.cpp's Q8_0 takes too), int8-activations-per-token,
# int8-activations-power-of-two, int4-per-token, int4-power-of-two (the activation-scale options
# of docs/quantization.md).
# --llama: a directory holding llama.cpp's llama-bench and llama-quantize (a build's bin/;
#          docs/benchmarks.md says how it was built here).
# --gguf-py: llama.cpp's gguf-py directory, if `import gguf` does not work as it is.
# Writes llamacpp.csv and every run's JSON to --out (default docs/benchmarks/). Files go to
# /dev/shm when it has room (about 11 GB at the peak), else to the build directory, and are
# removed at the end. The machine should be otherwise idle.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build"
out="$root/docs/benchmarks"
llama=""
gguf_py=""
threads=2
runs=3
prompt_tokens=256
decode_tokens=64
pairs="q8_0:int8 q4_0:int4 f16:bf16"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --llama) llama="$2"; shift ;;
    --gguf-py) gguf_py="$2"; shift ;;
    --build) build="$2"; shift ;;
    --out) out="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --prompt-tokens) prompt_tokens="$2"; shift ;;
    --decode-tokens) decode_tokens="$2"; shift ;;
    --pairs) pairs="$2"; shift ;;
    -h|--help) sed -n 2,24p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-llamacpp: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -n "$llama" ]] || { echo "bench-llamacpp: --llama DIR is required (llama.cpp's bin/)" >&2; exit 2; }
convert="$build/bin/griffin-convert"
bench="$build/bin/griffin-bench"
for tool in "$convert" "$bench" "$llama/llama-bench" "$llama/llama-quantize"; do
  [[ -x "$tool" ]] || { echo "bench-llamacpp: $tool missing" >&2; exit 1; }
done
[[ -n "$gguf_py" ]] && export PYTHONPATH="$gguf_py${PYTHONPATH:+:$PYTHONPATH}"
/usr/bin/python3 -c "import gguf" 2>/dev/null ||
  { echo "bench-llamacpp: python cannot import gguf: pass --gguf-py DIR (llama.cpp's gguf-py)" >&2; exit 1; }

# Sets dtype and griffin_flags for a pair's griffin-rt side; exits 2 on a name it does not know.
griffin_config() {
  case "$1" in
    int8 | int4 | bf16) dtype=$1; griffin_flags=() ;;
    int8-activations) dtype=int8; griffin_flags=(--int8-activations) ;;
    int8-activations-per-token)
      dtype=int8; griffin_flags=(--int8-activations --per-token-activation-scales) ;;
    int8-activations-power-of-two)
      dtype=int8; griffin_flags=(--int8-activations --power-of-two-activation-scales) ;;
    int4-per-token) dtype=int4; griffin_flags=(--per-token-activation-scales) ;;
    int4-power-of-two) dtype=int4; griffin_flags=(--power-of-two-activation-scales) ;;
    *) echo "bench-llamacpp: unknown griffin-rt config '$1' in pair '$2'" >&2; exit 2 ;;
  esac
}
for pair in $pairs; do
  [[ $pair == *:* ]] || { echo "bench-llamacpp: a pair is QTYPE:CONFIG, got '$pair'" >&2; exit 2; }
  griffin_config "${pair#*:}" "$pair"
done

scratch="$build/bench-models"
if [[ -d /dev/shm ]] && (( $(df -Pk /dev/shm | awk 'NR==2 {print $4}') > 14000000 )); then
  scratch="/dev/shm/griffin-llamacpp-$$"
fi
mkdir -p "$scratch" "$out"
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM

echo "bench-llamacpp: writing the Gemma-2B-shaped f16 GGUF (about 2 minutes)"
/usr/bin/python3 "$root/scripts/make-gemma-gguf.py" "$scratch/gemma-2b-f16.gguf" --seed 21 2>/dev/null

# Bytes of weights a decoded token reads (every tensor once; the tied embedding is the output
# matrix) and multiply-adds a prefilled token does (every matrix but the embedding).
gguf_sizes() {
  /usr/bin/python3 -c '
import sys, gguf
r = gguf.GGUFReader(sys.argv[1])
weight_bytes = sum(int(t.n_bytes) for t in r.tensors)
macs = sum(int(t.n_elements) for t in r.tensors
           if len(t.shape) == 2 and t.name != "token_embd.weight")
print(weight_bytes, macs)
' "$1"
}

csv="$out/llamacpp.csv"
echo "runtime,config,run,weight_bytes_per_token,prefill_macs_per_token,prefill_tokens_per_s,decode_tokens_per_s,decode_weight_gb_per_s,read_bandwidth_gb_per_s,decode_bandwidth_fraction,prefill_gmacs_per_s" >"$csv"

seed=31
for pair in $pairs; do
  qtype=${pair%%:*}
  config=${pair#*:}
  griffin_config "$config" "$pair"
  gguf_file="$scratch/gemma-2b-f16.gguf"
  if [[ $qtype != f16 ]]; then
    gguf_file="$scratch/gemma-2b-$qtype.gguf"
    echo "bench-llamacpp: llama-quantize to $qtype"
    "$llama/llama-quantize" "$scratch/gemma-2b-f16.gguf" "$gguf_file" "${qtype^^}" "$threads" >/dev/null 2>&1
  fi
  read -r llama_bytes llama_macs < <(gguf_sizes "$gguf_file")
  griffin_file="$scratch/rg2b-$dtype.griffin"
  echo "bench-llamacpp: converting a synthetic recurrentgemma-2b, $dtype, seed $seed"
  "$convert" synthetic --preset recurrentgemma-2b --dtype "$dtype" --seed "$seed" -o "$griffin_file" -q
  seed=$((seed + 1))
  for run in $(seq 1 "$runs"); do
    llama_json="$out/llamacpp-$qtype-$run.json"
    griffin_json="$out/llamacpp-griffin-$config-$run.json"
    "$llama/llama-bench" -m "$gguf_file" -t "$threads" -p "$prompt_tokens" -n "$decode_tokens" \
      -r 1 -o json >"$llama_json" 2>/dev/null
    "$bench" -m "$griffin_file" --threads "$threads" --prefault --roofline --json "${griffin_flags[@]}" \
      --prompt-tokens "$prompt_tokens" --decode-tokens "$decode_tokens" >"$griffin_json"
    /usr/bin/python3 - "$llama_json" "$griffin_json" "$qtype" "$config" "$run" \
      "$llama_bytes" "$llama_macs" >>"$csv" <<'EOF'
import json, sys
llama_path, griffin_path, qtype, dtype, run, llama_bytes, llama_macs = sys.argv[1:]
llama = json.load(open(llama_path))
g = json.load(open(griffin_path))
bandwidth = g["read_bandwidth_gb_per_s"]
prefill = next(t["avg_ts"] for t in llama if t["n_prompt"] > 0 and t["n_gen"] == 0)
decode = next(t["avg_ts"] for t in llama if t["n_gen"] > 0 and t["n_prompt"] == 0)
rows = [("llama.cpp", qtype, int(llama_bytes), int(llama_macs), prefill, decode),
        ("griffin-rt", dtype, g["weights_streamed_bytes"], g["prefill_macs_per_token"],
         g["prefill_tokens_per_s"], g["decode_tokens_per_s"])]
for runtime, config, weight_bytes, macs, prefill_ts, decode_ts in rows:
    weight_gbps = weight_bytes * decode_ts / 1e9
    print(",".join(str(v) for v in (
        runtime, config, run, weight_bytes, int(macs), round(prefill_ts, 3), round(decode_ts, 3),
        round(weight_gbps, 3), round(bandwidth, 3), round(weight_gbps / bandwidth, 3),
        round(prefill_ts * macs / 1e9, 3))))
EOF
    tail -n 2 "$csv"
  done
  [[ $qtype != f16 ]] && rm -f "$gguf_file"
  rm -f "$griffin_file"
done
echo "bench-llamacpp: wrote $csv"
