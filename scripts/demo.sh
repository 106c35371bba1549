#!/usr/bin/env bash
# The main job (README): installs dependencies, builds litequant, trains the seed CNN on
# Fashion-MNIST (or reuses out/cnn.lqm), and evaluates it on the 10k test images.
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
"$lq" evaluate out/cnn.lqm --data fashion-mnist
