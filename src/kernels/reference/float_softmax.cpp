// SOFTMAX over the last axis (TFLite reference/softmax.h, float path).
#include <cmath>

#include "checks.h"

namespace lq::kernels {

SoftmaxParams prepare_softmax(const Dims& input, float beta) {
  const std::string op = "SOFTMAX";
  if (input.empty()) detail::fail(op, "input must have at least 1 dimension");
  if (!std::isfinite(beta)) detail::fail(op, "beta must be finite, got " + std::to_string(beta));
  const int64_t size = flat_size(input, op + " input");
  SoftmaxParams p;
  p.depth = input.back();
  p.outer = p.depth > 0 ? size / p.depth : 0;
  p.beta = beta;
  p.output_dims = input;
  return p;
}

void eval_softmax(const SoftmaxParams& p, const float* input, float* output) {
  const int64_t depth = p.depth;
  for (int64_t r = 0; r < p.outer; ++r) {
    const float* in = input + r * depth;
    float* out = output + r * depth;
    float max = std::numeric_limits<float>::lowest();
    for (int64_t c = 0; c < depth; ++c) max = std::max(max, in[c]);
    float sum = 0.0f;
    for (int64_t c = 0; c < depth; ++c) {
      const float e = std::exp((in[c] - max) * p.beta);
      out[c] = e;
      sum += e;
    }
    for (int64_t c = 0; c < depth; ++c) out[c] = out[c] / sum;
  }
}

}  // namespace lq::kernels
