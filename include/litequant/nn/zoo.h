#pragma once
// Built-in models of the seeds (uncompiled, initialised with seed 0).
//   cnn (seed 001): Reshape (h, w, 1) -> Conv2D 12 3x3 relu -> MaxPooling2D 2 -> Flatten
//                   -> Dense classes (logits)
//   mlp (seed 000): Flatten -> Dense 128 relu -> Dense classes (logits)
#include <string>
#include <vector>

#include "litequant/nn/model.h"

namespace lq::zoo {

// input: (height, width) or (height, width, channels).
Model cnn(const Shape& input = {28, 28}, int64_t classes = 10);
Model mlp(const Shape& input = {28, 28}, int64_t classes = 10);
// "cnn" or "mlp"; throws lq::Error listing the names otherwise.
Model by_name(const std::string& name, const Shape& input = {28, 28}, int64_t classes = 10);
std::vector<std::string> names();

}  // namespace lq::zoo
