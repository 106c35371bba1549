#pragma once
// Shared vocabulary of litequant's TFLite kernels: tensor dimensions, TFLite's padding
// rule and fused-activation clamp ranges. Everything here is computed once per op in a
// prepare_* step; eval kernels only read the results.
//
// Enum values equal TFLite schema.fbs values (Padding, ActivationFunctionType), so an
// interpreter may static_cast the schema fields.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace lq::kernels {

// Tensor dimensions as TFLite stores them (int32, row-major, NHWC for images).
using Dims = std::vector<int32_t>;

// Element count of `dims` (1 for a scalar). Throws lq::Error("<what>: ...") on a
// negative dimension or when the count overflows int64.
int64_t flat_size(const Dims& dims, const std::string& what = "tensor");

// "[1, 28, 28, 3]".
std::string dims_string(const Dims& dims);

enum class Padding : int8_t { kSame = 0, kValid = 1 };
enum class Activation : int8_t { kNone = 0, kRelu = 1, kReluN1To1 = 2, kRelu6 = 3, kTanh = 4 };

// ---------------------------------------------------------------------------------------
// FUSED ACTIVATION CONTRACT (TFLite's CalculateActivationRange for float):
//   NONE         [lowest float, max float]   <- NOT [-inf, inf]: +-inf become +-FLT_MAX
//   RELU         [0, max float]
//   RELU_N1_TO_1 [-1, 1]
//   RELU6        [0, 6]
//   TANH         rejected by activation_range() (lq::Error)
// applied as out = std::min(std::max(x, min), max), exactly TFLite's
// ActivationFunctionWithMinMax; a NaN x stays NaN.
// ---------------------------------------------------------------------------------------
struct ActivationRange {
  float min = std::numeric_limits<float>::lowest();
  float max = std::numeric_limits<float>::max();
};

// Throws lq::Error("<op>: ...") for TANH or a value outside the enum.
ActivationRange activation_range(Activation activation, const std::string& op);

inline float clamp_activation(float x, const ActivationRange& r) {
  return std::min(std::max(x, r.min), r.max);
}

// "NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", or "<n>" for unknown values.
std::string activation_name(Activation activation);

// ---------------------------------------------------------------------------------------
// PADDING RULE (TFLite's ComputeOutSize + ComputePaddingHeightWidth), per spatial axis:
//   eff   = (filter - 1) * dilation + 1
//   SAME:  out = ceil(in / stride)
//   VALID: out = (in - eff) / stride + 1      (= ceil((in - eff + 1) / stride))
//   pad_total  = max((out - 1) * stride + eff - in, 0)
//   pad_before = pad_total / 2   (rounded down: the odd extra row/column goes AFTER)
//   pad_after  = pad_total - pad_before
// Input position of tap k for output o: o * stride - pad_before + k * dilation; taps
// outside [0, in) are skipped (conv: contribute nothing; pool: not counted).
// ---------------------------------------------------------------------------------------
struct PaddedSize {
  int32_t out = 0;
  int32_t pad_before = 0;
  int32_t pad_after = 0;
};

// Throws lq::Error("<what>: ...") when in < 1, filter < 1, stride < 1, dilation < 1, or
// VALID padding with a (dilated) filter larger than the input. `what` names the op and
// axis, e.g. "CONV_2D height".
PaddedSize compute_padded_size(Padding padding, int32_t in, int32_t filter, int32_t stride,
                               int32_t dilation, const std::string& what);

}  // namespace lq::kernels
