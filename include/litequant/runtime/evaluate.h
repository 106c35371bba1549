#pragma once
// Accuracy of a classifier .tflite model on a labelled image set, as the seed's
// evaluate_model() helper does: inputs are quantized with the input tensor's scale and
// zero point when the model takes int8/uint8 (q = round(x / scale) + zero_point,
// clamped), outputs dequantized when it returns int8/uint8; the class is the argmax.
#include <cstdint>
#include <vector>

#include "litequant/runtime/interpreter.h"

namespace lq::runtime {

struct ClassifierResult {
  int64_t samples = 0;
  int64_t correct = 0;
  double accuracy = 0;
  // Mean sparse categorical crossentropy of the (dequantized) outputs, read as
  // probabilities when the model ends in SOFTMAX, else as logits.
  double loss = 0;
  std::vector<int32_t> predictions;
};

// The bytes of `count` float values in the type of input `in`: float32 as is, int8/uint8
// quantized as above. Throws lq::Error for other types or per-channel inputs.
std::vector<uint8_t> encode_input(const TensorDetails& in, const float* x, int64_t count);

// images: n samples of `sample_size` floats each (pixels in [0, 1]); labels: n class ids.
// The first input's batch dimension is resized to `batch` (the last batch may be smaller).
ClassifierResult evaluate_classifier(Interpreter& interpreter, const float* images, int64_t n,
                                     int64_t sample_size, const float* labels, int64_t batch = 256);

}  // namespace lq::runtime
