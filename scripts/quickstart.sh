#!/usr/bin/env bash
# The README's first command: install dependencies, build, and generate text with the bundled
# model, a 5.8M-parameter Griffin trained on the King James Bible
# (examples/models/kjv-griffin/MODEL_CARD.md). Extra arguments go to griffin-generate, e.g.
#   scripts/quickstart.sh -p "And it came to pass" -n 80 --temp 0.8 --seed 7
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
scripts/build.sh
model=examples/models/kjv-griffin/kjv-griffin.griffin
if [[ $# -eq 0 ]]; then
  # griffin-generate prints only what the model adds: show the prompt first.
  printf 'In the beginning'
  set -- -p "In the beginning" --temp 0 --repeat-penalty 1.3 -n 48
fi
build/bin/griffin-generate -m "$model" "$@"
