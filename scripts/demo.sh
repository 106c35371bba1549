#!/usr/bin/env bash
# The main job (README): installs dependencies, builds litequant, trains the seed CNN on
# Fashion-MNIST (or reuses out/cnn.lqm), converts it to TensorFlow Lite, shows the file
# and compares the .tflite accuracy with the trained model's on the 10k test images.
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
"$lq" convert out/cnn.lqm --out out/cnn.tflite
"$lq" inspect out/cnn.tflite
echo
echo "Accuracy on the Fashion-MNIST test set:"
"$lq" evaluate out/cnn.lqm --data fashion-mnist
"$lq" evaluate out/cnn.tflite --data fashion-mnist
