#!/usr/bin/env bash
# The main job (README): installs dependencies, builds litequant, trains the seed CNN on
# Fashion-MNIST (or reuses out/cnn.lqm), then converts it five ways (float32, float16,
# dynamic range, int8 with float fallback, int8 only with uint8 I/O), runs every file on
# the 10k test images and prints the comparison table (also out/cnn_comparison.json and
# out/cnn_comparison.png).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BUILD_DIR=build scripts/build.sh
lq=build/tools/litequant
mkdir -p out
if [ ! -f out/cnn.lqm ]; then
  "$lq" train --data fashion-mnist --model cnn --epochs 5 --batch-size 32 --learning-rate 1e-3 \
    --seed 1 --verbose 2 --out out/cnn.lqm
fi
"$lq" summary out/cnn.lqm
echo
"$lq" evaluate out/cnn.lqm --data fashion-mnist
echo
"$lq" compare out/cnn.lqm --data fashion-mnist --representative 100 --out-dir out
