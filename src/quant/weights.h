#pragma once
// Weight and bias quantization (contract in include/litequant/quant/ptq.h).
#include <cstdint>
#include <vector>

namespace lq::quant::detail {

struct SymmetricWeights {
  std::vector<int8_t> values;
  std::vector<float> scales;  // 1 (per-tensor) or shape[channel_dim] entries
};

// Symmetric narrow-range int8: per slice of `channel_dim`, or per tensor when
// channel_dim < 0. `num_bits` in [2, 8] limits the grid to [-(2^(b-1) - 1), 2^(b-1) - 1].
SymmetricWeights quantize_symmetric(const std::vector<float>& w, const std::vector<int32_t>& shape, int channel_dim,
                                    int num_bits = 8);

// int32 bias: q[c] = round(b[c] / (input_scale * weight_scales[c or 0])), saturated.
std::vector<int32_t> quantize_bias(const std::vector<float>& bias, float input_scale,
                                   const std::vector<float>& weight_scales);

// Asymmetric int8 of a constant from its own min/max (asymmetric_int8 parameters).
std::vector<int8_t> quantize_asymmetric(const std::vector<float>& values, float scale, int64_t zero_point);

}  // namespace lq::quant::detail
