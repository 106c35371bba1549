// int8 SOFTMAX: TFLite's builtin kernel (optimized_ops::Softmax over the float exp table
// of PopulateSoftmaxLookupTable). Contract in int8_elementwise.h.
#include <algorithm>
#include <cmath>
#include <string>

#include "checks.h"
#include "litequant/kernels/int8_elementwise.h"

namespace lq::kernels {

using detail::fail;

SoftmaxInt8Params prepare_softmax_int8(const Dims& input, QuantParams input_q, QuantParams output_q,
                                       float beta) {
  const std::string op = "SOFTMAX";
  if (input.empty()) fail(op, "input must have at least 1 dimension");
  detail::check_quantization(op, "input", input_q.scale, input_q.zero_point);
  if (!std::isfinite(beta)) fail(op, "beta must be finite");
  // TFLite: zero point == -128 and TF_LITE_ENSURE_NEAR(scale, 1.f / 256, 0.001f * 1.f / 256),
  // in float.
  if (output_q.zero_point != -128)
    fail(op, "int8 output zero point must be -128, got " + std::to_string(output_q.zero_point));
  const float want = 1.0f / 256.0f;
  const float delta = output_q.scale > want ? output_q.scale - want : want - output_q.scale;
  if (!(delta <= 0.001f * 1.0f / 256.0f))
    fail(op, "int8 output scale must be 1/256 (0.00390625, within 0.1%), got " + std::to_string(output_q.scale));
  SoftmaxInt8Params p;
  const int64_t size = flat_size(input, op + " input");
  p.depth = input.back();
  p.outer = p.depth == 0 ? 0 : size / p.depth;
  p.output_scale = output_q.scale;
  p.output_zero_point = output_q.zero_point;
  p.output_dims = input;
  const float scale = -input_q.scale * beta;
  for (int32_t d = 0; d <= 255; ++d) p.table[static_cast<size_t>(255 - d)] = std::exp(scale * static_cast<float>(d));
  return p;
}

void eval_softmax_int8(const SoftmaxInt8Params& p, const int8_t* input, int8_t* output) {
  for (int64_t row = 0; row < p.outer; ++row) {
    const int8_t* x = input + row * p.depth;
    int8_t* y = output + row * p.depth;
    int32_t max = -128;
    for (int32_t j = 0; j < p.depth; ++j) max = std::max(max, static_cast<int32_t>(x[j]));
    // table[255 - max + x] = exp(-s_in * beta * (max - x)); the index is in [0, 255].
    const float* e = p.table.data() + (255 - max);
    float sum = 0.0f;
    for (int32_t j = 0; j < p.depth; ++j) sum += e[x[j]];
    const float inverse = 1.0f / (sum * p.output_scale);
    for (int32_t j = 0; j < p.depth; ++j) {
      const float prob = std::round(e[x[j]] * inverse);
      // prob is in [0, 257]; a pathological beta (exp overflow) can make it NaN or inf:
      // bounded here so the conversion is always defined (NaN -> 0).
      const float bounded = std::isnan(prob) ? 0.0f : std::min(std::max(prob, -1.0e6f), 1.0e6f);
      const int32_t q = static_cast<int32_t>(bounded) + p.output_zero_point;
      y[j] = static_cast<int8_t>(std::min(std::max(q, -128), 127));
    }
  }
}

}  // namespace lq::kernels
