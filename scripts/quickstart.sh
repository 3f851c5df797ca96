#!/usr/bin/env bash
# The README's first command: install dependencies, build, and run the main job on the
# bundled default model.
#
# Until the project's trained model is bundled (issue 5), the default is the small Griffin
# checkpoint in tests/data/fixtures/griffin (random weights, Hugging Face layout): it is
# converted to a .griffin file and described.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
scripts/build.sh
mkdir -p build/models
model=build/models/griffin-fixture.griffin
build/bin/griffin-convert tests/data/fixtures/griffin -o "$model"
build/bin/griffin-convert inspect "$model"
echo
echo "quickstart: converted tests/data/fixtures/griffin to $model"
