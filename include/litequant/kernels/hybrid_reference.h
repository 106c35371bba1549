#pragma once
// Dynamic-range ("hybrid") reference kernels: float32 input and output, int8 symmetric
// constant weights (zero point 0), optional float32 bias. FULLY_CONNECTED, CONV_2D and
// DEPTHWISE_CONV_2D as TFLite 2.12's builtin kernels run them: the float input is
// quantized to int8 on the fly (per batch), the products are accumulated in int32 and
// rescaled in float. prepare_* validates and resolves every choice once and throws
// lq::Error("<OP>: ..."); eval_* does no checks and allocates nothing: the quantized
// input lives in a HybridScratch made once (make_hybrid_scratch) and passed in.
//
// ======================= NUMERIC CONTRACTS (read before optimizing) ===================
// Pinned against the real runtime (/work/shared/oracle, builtin kernels):
// tests/runtime/hybrid_oracle_test.cpp, every output within 1e-5 relative; in scratch
// checks every output was bit-identical with the formulas below.
// All float math is float32, one rounding per operation, in the order written, no FMA.
// round() is std::round (half away from zero).
//
// * INPUT QUANTIZATION, per batch row b (FC: one row of I values; CONV/DEPTHWISE: the
//   whole H*W*C image of batch b):
//   SYMMETRIC (tensor_utils::SymmetricQuantizeFloats):
//     range = max(|min x|, |max x|);  range == 0: q = 0, s_b = 1;
//     s_b = range / 127;  inv = 127 / range;  q = clamp(round(x * inv), -127, 127); zp_b = 0
//   ASYMMETRIC (tensor_utils::AsymmetricQuantizeFloats):
//     rmin = min(0, min x), rmax = max(0, max x) as DOUBLES; rmin == rmax: q = 0, s_b = 0,
//     zp_b = 0; else in double: scale = (rmax - rmin) / 255;
//     zp from min = -128 - rmin / scale, zp from max = 127 - rmax / scale; error_min =
//     128 + |rmin / scale|, error_max = 127 + |rmax / scale|; zp_d = the one with the
//     smaller error (max on ties); zp_b = zp_d < -128 ? -128 : zp_d > 127 ? 127 :
//     int(round(zp_d));  s_b = float(scale);  inv = float(1.0 / double(s_b));
//     q = clamp(round(float(zp_b) + x * inv), -128, 127)
//   ((rmax - rmin) in double matters: a float subtraction is 1 ulp off now and then.)
// * FULLY_CONNECTED (EvalHybridDense + portable MatrixBatchVectorMultiplyAccumulate):
//     symmetric input unless asymmetric_quantize_inputs; per-tensor weights:
//       S_b = s_b * s_w;  dot = sum_i w[o,i] * q[b,i]  (int32)
//       asymmetric: dot = int32(float(dot) - float(rowsum_o) * float(zp_b)),
//                   rowsum_o = sum_i w[o,i]
//       out = bias[o] + float(dot) * S_b                 (0 + ... without bias)
//     per-channel weights (only accepted with op version >= 12, see below):
//       the same with S_{b,o} = s_b * s_w[o].
//     activation: NONE none, RELU max(0, x), RELU6 max(0, min(x, 6)), RELU_N1_TO_1
//     max(-1, min(x, 1)); TANH and others rejected.
// * CONV_2D, per-tensor weights (one scale): SYMMETRIC input; acc = sum over in-image
//   taps of w * q (padding contributes 0); out = clamp(float(acc) * (s_b * s_w) + bias).
// * CONV_2D, per-channel weights (several scales that are NOT all equal): ASYMMETRIC input;
//   acc = sum over in-image taps of w * (q - zp_b)   (int32; == TFLite's im2col padded
//   with zp_b minus row sums);  out = clamp(float(acc) * (s_w[o] * s_b) + bias[o]).
// * DEPTHWISE_CONV_2D (per-channel only: one scale per output channel, as TFLite
//   requires): ASYMMETRIC input; acc as CONV_2D per-channel (channel c = oc / M);
//     out = clamp((float(acc) * s_b) * s_w[oc] + bias[oc])   <- different product order
// * clamp (convolutions): min(max(x, act.min), act.max) with the float ranges of
//   common.h (NONE: [lowest, max]).
// * int32 accumulation as TFLite; prepare refuses more than 65536 products per output
//   (FC input depth, KH*KW*C, KH*KW), which could overflow it.
//
// WHAT THE RUNTIME ACCEPTS (TFLite ~2.12, measured): FULLY_CONNECTED versions 1-9 (hybrid
// 3, asymmetric inputs 9; NOT 12), CONV_2D 1-6 (hybrid 2, per-channel 5), DEPTHWISE_CONV_2D
// 1-6 (hybrid 4 or 6). Its hybrid kernels read only the per-tensor scale for FC and for
// CONV_2D's per-tensor path, and a tensor with several scales has per-tensor scale 0, so:
//   - per-channel FULLY_CONNECTED weights (versions <= 9): the runtime outputs the BIAS
//     ONLY. prepare rejects them unless the op version is >= 12 (newer TFLite's
//     per-channel hybrid FC, computed as above; the oracle cannot load version 12).
//   - CONV_2D weights with several scales that are all EQUAL: the runtime takes its
//     per-tensor path with scale 0 and outputs the BIAS ONLY. prepare rejects them
//     (write one scale instead).
//   - DEPTHWISE_CONV_2D with one scale for several channels: the runtime rejects the
//     model in Prepare ("scale->size != filter->dims[quantized_dimension]"); so does
//     prepare.
//   - CONV_2D without a bias: the runtime rejects every CONV_2D without one ("has_bias
//     was not true"); the interpreter refuses a hybrid one (the kernel itself would run
//     it). DEPTHWISE_CONV_2D and FULLY_CONNECTED run without a bias (0 added).
// =======================================================================================
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "litequant/kernels/common.h"
#include "litequant/kernels/float_reference.h"

namespace lq::kernels {

// The quantized input of one eval: made once (prepare time), reused by every eval.
struct HybridScratch {
  std::vector<int8_t> quantized;    // the whole input, quantized per batch row
  std::vector<float> scale;         // s_b per batch row
  std::vector<int32_t> zero_point;  // zp_b per batch row (0 when symmetric)
};
HybridScratch make_hybrid_scratch(int64_t rows, int64_t row_size);

// Scale and zero point of an asymmetric input row with range [rmin, rmax] (both include
// 0): the ASYMMETRIC formulas above; rmin == rmax gives scale 0, zero point 0.
void asymmetric_input_params(double rmin, double rmax, float* scale, int32_t* zero_point);
// One row of n values (contract above). scale/zero_point receive s_b and zp_b.
void symmetric_quantize_floats(const float* values, int64_t n, int8_t* quantized, float* scale);
void asymmetric_quantize_floats(const float* values, int64_t n, int8_t* quantized, float* scale,
                                int32_t* zero_point);

// ---- FULLY_CONNECTED --------------------------------------------------------------------
struct FullyConnectedHybridOptions {
  Activation activation = Activation::kNone;
  bool keep_num_dims = false;
  bool asymmetric_quantize_inputs = false;
  int32_t version = 3;  // the op version: per-channel weights need >= 12
};
struct FullyConnectedHybridParams {
  int64_t batch = 0;
  int32_t input_depth = 0, output_depth = 0;
  bool has_bias = false;
  bool asymmetric = false;
  std::vector<float> weight_scales;  // 1 (per-tensor) or O (per-channel)
  Activation activation = Activation::kNone;
  Dims output_dims;
};

// weights [O, I]; shapes as prepare_fully_connected; weight_scales 1 or O entries, each
// finite and > 0.
FullyConnectedHybridParams prepare_fully_connected_hybrid(const Dims& input, const Dims& weights,
                                                          const std::optional<Dims>& bias,
                                                          std::span<const float> weight_scales,
                                                          const FullyConnectedHybridOptions& options);
// scratch from make_hybrid_scratch(params.batch, params.input_depth).
void eval_fully_connected_hybrid(const FullyConnectedHybridParams& params, const float* input,
                                 const int8_t* weights, const float* bias, float* output,
                                 HybridScratch& scratch);

// ---- CONV_2D ----------------------------------------------------------------------------
struct Conv2DHybridParams : Conv2DParams {
  bool per_channel = false;          // asymmetric input, one scale per output channel
  std::vector<float> weight_scales;  // 1, or O (per_channel)
};
// filter [O, KH, KW, C]; weight_scales 1 or O entries (O entries all equal: rejected).
Conv2DHybridParams prepare_conv2d_hybrid(const Dims& input, const Dims& filter,
                                         const std::optional<Dims>& bias,
                                         std::span<const float> weight_scales,
                                         const Conv2DOptions& options);
// scratch from make_hybrid_scratch(params.batch, H * W * C).
void eval_conv2d_hybrid(const Conv2DHybridParams& params, const float* input,
                        const int8_t* filter, const float* bias, float* output,
                        HybridScratch& scratch);

// ---- DEPTHWISE_CONV_2D ------------------------------------------------------------------
struct DepthwiseConv2DHybridParams : DepthwiseConv2DParams {
  std::vector<float> weight_scales;  // C*M
};
// filter [1, KH, KW, C*M]; weight_scales exactly C*M entries.
DepthwiseConv2DHybridParams prepare_depthwise_conv2d_hybrid(
    const Dims& input, const Dims& filter, const std::optional<Dims>& bias,
    std::span<const float> weight_scales, const DepthwiseConv2DOptions& options);
// scratch from make_hybrid_scratch(params.batch, H * W * C).
void eval_depthwise_conv2d_hybrid(const DepthwiseConv2DHybridParams& params, const float* input,
                                  const int8_t* filter, const float* bias, float* output,
                                  HybridScratch& scratch);

}  // namespace lq::kernels
