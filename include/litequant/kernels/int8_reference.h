#pragma once
// Reference int8 kernels (TFLite's int8 quantization spec): FULLY_CONNECTED, CONV_2D,
// DEPTHWISE_CONV_2D. Same split as float_reference.h: prepare_* validates shapes and
// quantization parameters, does ALL float math (multipliers, shifts, clamp ranges) once
// and throws lq::Error("<OP_NAME>: ...") on bad input; eval_* is integer only, does no
// checks, allocates nothing. Layouts as the float kernels (NHWC, OHWI, [O, I]).
//
// ======================= NUMERIC CONTRACTS (read before optimizing) ===================
// * Weights int8 symmetric (zero point 0), per-tensor (1 scale) or per-channel (one scale
//   per output channel: dim 0 for FC/CONV_2D, dim 3 for DEPTHWISE_CONV_2D). Bias int32
//   with scale s_in * s_w[c] (not checked), optional. Activations int8 with scale and
//   zero point in [-128, 127].
// * Accumulation:  acc = sum w * (x - zp_in) + bias, exact in int64, then saturated to
//   int32 before requantizing (TFLite accumulates in int32; they differ only past ~65k
//   taps). Taps outside the image are skipped: NOT summed as (0 - zp_in) terms.
// * Requantization rounding is PER OP, pinned against the real runtime (builtin kernels,
//   /work/shared/oracle, random:N inputs: 900 per-tensor + 180 per-channel FC, 6000
//   per-channel CONV_2D, 7200 per-channel DEPTHWISE outputs, all byte-identical; checked
//   with a scratch program, not yet by a committed test):
//     FULLY_CONNECTED, CONV_2D:  SINGLE rounding (quantization.h)
//     DEPTHWISE_CONV_2D:         DOUBLE rounding (gemmlowp; TFLite's optimized depthwise
//                                path; single rounding differs in ~0.1% of outputs)
//     out = clamp(multiply_by_quantized_multiplier_<rounding>(acc, M[c], shift[c])
//                 + zp_out, act.min, act.max)
//   with (M[c], shift[c]) = quantize_multiplier(m[c]) and, like TFLite,
//     FULLY_CONNECTED per-tensor: m = double(float(s_in * s_w)) / double(s_out)
//                                 (float product first: GetQuantizedConvolutionMultipler)
//     otherwise:                  m[c] = double(s_in) * double(s_w[c]) / double(s_out)
// * Activation clamp: quantized_activation_range_int8 (quantization.h).
// =======================================================================================
#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "litequant/kernels/common.h"
#include "litequant/kernels/float_reference.h"
#include "litequant/kernels/quantization.h"

namespace lq::kernels {

// Quantization of one activation tensor.
struct QuantParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// Requantization resolved by prepare: one entry per output channel (per-tensor weights
// are expanded to every channel).
enum class Rounding : int8_t { kSingle, kDouble };

struct Requantization {
  Rounding rounding = Rounding::kSingle;
  int32_t input_offset = 0;   // -zp_in
  int32_t output_offset = 0;  // zp_out
  std::vector<int32_t> multiplier;
  std::vector<int> shift;
  QuantizedActivationRange activation;
};

// Builds the Requantization of an op with `channels` output channels. Throws
// lq::Error("<op>: ...") when a scale is not finite and > 0, a zero point is outside
// [-128, 127], weight_scales has neither 1 nor `channels` entries, or the activation is
// not supported. float_product selects FULLY_CONNECTED's per-tensor multiplier formula.
Requantization make_requantization(const std::string& op, QuantParams input_q,
                                   std::span<const float> weight_scales, QuantParams output_q,
                                   int32_t channels, Activation activation, bool float_product,
                                   Rounding rounding);

// requantize(acc) for channel c (contract above); acc is saturated to int32 first.
inline int8_t requantize(const Requantization& r, int64_t acc, int64_t c) {
  const int64_t lo = std::numeric_limits<int32_t>::min();
  const int64_t hi = std::numeric_limits<int32_t>::max();
  const int32_t acc32 = static_cast<int32_t>(std::min(std::max(acc, lo), hi));
  const int32_t m = r.multiplier[static_cast<size_t>(c)];
  const int shift = r.shift[static_cast<size_t>(c)];
  const int32_t scaled = r.rounding == Rounding::kSingle
                             ? multiply_by_quantized_multiplier_single_rounding(acc32, m, shift)
                             : multiply_by_quantized_multiplier_double_rounding(acc32, m, shift);
  const int64_t out = int64_t{scaled} + r.output_offset;
  return static_cast<int8_t>(std::min<int64_t>(std::max<int64_t>(out, r.activation.min),
                                               r.activation.max));
}

// ---- FULLY_CONNECTED ----------------------------------------------------------------
struct FullyConnectedInt8Params {
  int64_t batch = 0;
  int32_t input_depth = 0;
  int32_t output_depth = 0;
  bool has_bias = false;
  Requantization requant;
  Dims output_dims;
};

// weights [O, I]; weight_scales has 1 (per-tensor) or O (per-channel) entries, all finite
// and > 0; bias optional with O elements; shapes as prepare_fully_connected.
FullyConnectedInt8Params prepare_fully_connected_int8(
    const Dims& input, const Dims& weights, const std::optional<Dims>& bias, QuantParams input_q,
    std::span<const float> weight_scales, QuantParams output_q,
    const FullyConnectedOptions& options);

// For each (b, o): acc = bias[o] (0 if none); for i: acc += w[o, i] * (x[b, i] - zp_in);
// out = requantize(acc) (contract above).
void eval_fully_connected_int8(const FullyConnectedInt8Params& params, const int8_t* input,
                               const int8_t* weights, const int32_t* bias, int8_t* output);

// ---- FULLY_CONNECTED, uint8 (TF1-style asymmetric weights) ---------------------------
// acc = bias[o] + sum (w[o, i] - zp_w) * (x[b, i] - zp_in), saturated to int32;
// out = clamp(multiply_by_quantized_multiplier_DOUBLE_rounding(acc, M, shift) + zp_out,
//             act.min, act.max) with m = double(float(s_in * s_w)) / double(s_out) and the
// activation range over [0, 255]. Pinned: the runtime's uint8 FC is double rounding
// (oracle self-test, testgen fc_uint8).
struct FullyConnectedUint8Params {
  int64_t batch = 0;
  int32_t input_depth = 0;
  int32_t output_depth = 0;
  bool has_bias = false;
  int32_t input_offset = 0;    // -zp_in
  int32_t weights_offset = 0;  // -zp_w
  int32_t output_offset = 0;   // zp_out
  QuantizedMultiplier multiplier;
  QuantizedActivationRange activation;
  Dims output_dims;
};

// All zero points in [0, 255]; one weight scale and zero point.
FullyConnectedUint8Params prepare_fully_connected_uint8(
    const Dims& input, const Dims& weights, const std::optional<Dims>& bias, QuantParams input_q,
    QuantParams weights_q, QuantParams output_q, const FullyConnectedOptions& options);

void eval_fully_connected_uint8(const FullyConnectedUint8Params& params, const uint8_t* input,
                                const uint8_t* weights, const int32_t* bias, uint8_t* output);

// ---- CONV_2D ------------------------------------------------------------------------
struct Conv2DInt8Params : Conv2DParams {
  Requantization requant;
};

// filter [O, KH, KW, C]; weight_scales 1 or O entries.
Conv2DInt8Params prepare_conv2d_int8(const Dims& input, const Dims& filter,
                                     const std::optional<Dims>& bias, QuantParams input_q,
                                     std::span<const float> weight_scales, QuantParams output_q,
                                     const Conv2DOptions& options);

// For each (n, oy, ox, o): acc = 0; for ky, kx (tap in image only), ic:
// acc += w * (x - zp_in); acc += bias[o]; out = requantize(acc).
void eval_conv2d_int8(const Conv2DInt8Params& params, const int8_t* input, const int8_t* filter,
                      const int32_t* bias, int8_t* output);

// ---- DEPTHWISE_CONV_2D ----------------------------------------------------------------
struct DepthwiseConv2DInt8Params : DepthwiseConv2DParams {
  Requantization requant;
};

// filter [1, KH, KW, C*M]; weight_scales 1 or C*M entries (per-channel on dim 3).
DepthwiseConv2DInt8Params prepare_depthwise_conv2d_int8(
    const Dims& input, const Dims& filter, const std::optional<Dims>& bias, QuantParams input_q,
    std::span<const float> weight_scales, QuantParams output_q,
    const DepthwiseConv2DOptions& options);

// For each (n, oy, ox, c, m), oc = c*M + m: acc = 0; for ky, kx (in image):
// acc += w[ky, kx, oc] * (x[.., c] - zp_in); acc += bias[oc]; out = requantize(acc)
// with DOUBLE rounding.
void eval_depthwise_conv2d_int8(const DepthwiseConv2DInt8Params& params, const int8_t* input,
                                const int8_t* filter, const int32_t* bias, int8_t* output);

}  // namespace lq::kernels
