// MEAN (TFLite reference/reduce.h: ReduceSumImpl then divide by the reduced count).
#include "checks.h"

namespace lq::kernels {

using detail::fail;

MeanParams prepare_mean(const Dims& input, std::span<const int32_t> axes, bool keep_dims) {
  const std::string op = "MEAN";
  MeanParams p;
  p.input_size = flat_size(input, op + " input");
  if (input.size() > kMaxIndexRank)
    fail(op, "input " + dims_string(input) + " has more than " + std::to_string(kMaxIndexRank) +
                 " dimensions");
  const int32_t rank = static_cast<int32_t>(input.size());
  std::vector<bool> reduced(input.size(), false);
  for (int32_t a : axes) {
    if (a < -rank || a >= rank)
      fail(op, "axis " + std::to_string(a) + " is out of range for input " + dims_string(input) +
                   " of rank " + std::to_string(rank));
    reduced[static_cast<size_t>(a < 0 ? a + rank : a)] = true;
  }
  Dims reduced_dims;
  for (size_t k = 0; k < input.size(); ++k) {
    if (reduced[k]) {
      reduced_dims.push_back(input[k]);
      if (keep_dims) p.output_dims.push_back(1);
    } else {
      p.output_dims.push_back(input[k]);
    }
  }
  p.reduce_count = flat_size(reduced_dims, op + " reduced dimensions");
  p.output_size = flat_size(p.output_dims, op + " output");
  p.input_dims = input;
  p.output_strides.assign(input.size(), 0);
  int64_t stride = 1;
  for (size_t k = input.size(); k-- > 0;) {
    if (reduced[k]) continue;
    p.output_strides[k] = stride;
    stride *= input[k];
  }
  return p;
}

void eval_mean(const MeanParams& p, const float* input, float* output) {
  for (int64_t o = 0; o < p.output_size; ++o) output[o] = 0.0f;
  const size_t rank = p.input_dims.size();
  // Input in row-major order; `offset` is the output element it is summed into.
  int64_t offset = 0;
  int32_t index[kMaxIndexRank] = {};
  for (int64_t i = 0; i < p.input_size; ++i) {
    output[offset] += input[i];
    for (size_t k = rank; k-- > 0;) {  // advance the odometer
      offset += p.output_strides[k];
      if (++index[k] < p.input_dims[k]) break;
      offset -= int64_t{index[k]} * p.output_strides[k];
      index[k] = 0;
    }
  }
  if (p.reduce_count == 0) return;
  const float count = static_cast<float>(p.reduce_count);
  for (int64_t o = 0; o < p.output_size; ++o) output[o] = output[o] / count;
}

}  // namespace lq::kernels
