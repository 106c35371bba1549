#pragma once
// write_model() without validate(): serialises whatever the Model holds, indices and
// options out of range included. Tests use it to build hostile files; everything else
// calls write_model().
#include <cstdint>
#include <vector>

#include "litequant/tflite/model.h"

namespace lq::tflite::detail {

std::vector<uint8_t> write_model_unchecked(const Model& model);

}  // namespace lq::tflite::detail
