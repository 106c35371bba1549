#!/usr/bin/env bash
# The main job (README): installs dependencies, builds litequant, trains the seed CNN on
# Fashion-MNIST (or reuses out/cnn.lqm), fine-tunes it quantization-aware (seed 001's
# recipe, 8-bit and 4-bit weights) and trains a QAT model from scratch (each reused when
# present), then converts the float model five ways (float32, float16, dynamic range, int8
# with float fallback, int8 only with uint8 I/O) and the QAT models to int8, runs every file
# on the 10k test images and prints the comparison table (also out/cnn_comparison.json and
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
finetune=(--data fashion-mnist --epochs 1 --samples 1000 --batch-size 500 --validation-split 0.1 --verbose 2)
[ -f out/cnn_qat.lqm ] || "$lq" qat out/cnn.lqm "${finetune[@]}" --out out/cnn_qat.lqm
[ -f out/cnn_qat_w4.lqm ] || "$lq" qat out/cnn.lqm "${finetune[@]}" --weight-bits 4 --out out/cnn_qat_w4.lqm
if [ ! -f out/cnn_qat_scratch.lqm ]; then
  "$lq" train --qat --data fashion-mnist --model cnn --epochs 5 --batch-size 32 --learning-rate 1e-3 \
    --seed 1 --verbose 2 --out out/cnn_qat_scratch.lqm
fi
echo
"$lq" compare out/cnn.lqm --data fashion-mnist --representative 100 --out-dir out \
  --qat "QAT fine-tune -> int8=out/cnn_qat.lqm" \
  --qat "QAT 4-bit weights -> int8=out/cnn_qat_w4.lqm" \
  --qat "QAT from scratch -> int8=out/cnn_qat_scratch.lqm"
