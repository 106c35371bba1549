#pragma once
// Built-in models of the seeds (uncompiled, initialised with seed 0).
//   cnn (seed 001): Reshape (h, w, 1) -> Conv2D 12 3x3 relu -> MaxPooling2D 2 -> Flatten
//                   -> Dense classes (logits)
//   mlp (seed 000): Flatten -> Dense 128 relu -> Dense classes (logits)
//   convnet (issue 6's benchmark model, input 32x32x3): Conv2D 32 3x3 same relu -> Conv2D 64
//                   -> MaxPooling2D 2 -> Conv2D 64 -> Conv2D 128 -> MaxPooling2D 2 -> Flatten
//                   (8192) -> Dense classes; 48.2 M multiply-adds counting padding taps
#include <string>
#include <vector>

#include "litequant/nn/model.h"

namespace lq::zoo {

// input: (height, width) or (height, width, channels).
Model cnn(const Shape& input = {28, 28}, int64_t classes = 10);
Model mlp(const Shape& input = {28, 28}, int64_t classes = 10);
Model convnet(const Shape& input = {32, 32, 3}, int64_t classes = 10);
// "cnn", "mlp" or "convnet"; throws lq::Error listing the names otherwise.
Model by_name(const std::string& name, const Shape& input = {28, 28}, int64_t classes = 10);
std::vector<std::string> names();

}  // namespace lq::zoo
