#pragma once
// float32 REFERENCE kernels of litequant's TFLite interpreter: plain loops that follow
// tensorflow/lite/kernels/internal/reference/*.h semantics and are the specification
// optimized kernels are tested against.
//
// Prepare/Eval split (as TFLite Micro): prepare_<op>() takes dimensions and options,
// validates them and returns a params struct (output dims, padding, clamp range, ...);
// it throws lq::Error("<OP_NAME>: <what is wrong>") on invalid input and never crashes.
// eval_<op>() only computes from a params struct made by the matching prepare: it does
// no checks, allocates nothing and keeps no state. Buffers are dense row-major; the
// caller provides `output` with flat_size(params.output_dims) elements.
// Aliasing: output may equal input for the unary ops (RELU, RELU6, LOGISTIC, TANH,
// RESHAPE) and for ADD/MUL when the aliased input has the output's shape; all other
// kernels need an output that overlaps no input.
//
// ======================= NUMERIC CONTRACTS (read before optimizing) ===================
// * Accumulation is in float32, one rounding per operation, in the order given per op;
//   products are rounded to float before they are added (no FMA contraction).
// * Fused activations clamp with clamp_activation() (see common.h): NONE clamps to
//   [lowest, max] float, so +-inf results become +-FLT_MAX in CONV_2D,
//   DEPTHWISE_CONV_2D, FULLY_CONNECTED, the pools, ADD and MUL, exactly as TFLite.
// * Padding: TFLite's rule in common.h (odd padding goes after). Out-of-image taps are
//   skipped, never read as zeros that are summed.
// * Layouts: activations NHWC; CONV_2D filter [O, H, W, I]; DEPTHWISE_CONV_2D filter
//   [1, H, W, C*M] (output channel c*M + m reads input channel c); FULLY_CONNECTED
//   weights [O, I]; biases [O].
// =======================================================================================
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "litequant/kernels/common.h"

namespace lq::kernels {

// ---- CONV_2D, DEPTHWISE_CONV_2D, MAX_POOL_2D, AVERAGE_POOL_2D ---------------------------

// An NHWC sliding window resolved by prepare. pad_top/pad_left are TFLite's
// padding.height/width; pad_bottom/pad_right are informational.
struct Window2D {
  int32_t batch = 0;
  int32_t in_h = 0, in_w = 0, in_c = 0;
  int32_t out_h = 0, out_w = 0, out_c = 0;
  int32_t filter_h = 0, filter_w = 0;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  ActivationRange activation;
  Dims output_dims;  // [batch, out_h, out_w, out_c]
};

struct Conv2DOptions {
  Padding padding = Padding::kSame;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  Activation activation = Activation::kNone;
};
struct Conv2DParams : Window2D {
  bool has_bias = false;
};

// input [N, H, W, C], filter [O, KH, KW, C], bias (optional) with O elements.
// Grouped convolution (filter I < C) is rejected.
Conv2DParams prepare_conv2d(const Dims& input, const Dims& filter,
                            const std::optional<Dims>& bias, const Conv2DOptions& options);

// CONV_2D. For each (n, oy, ox, o):
//   total = 0.f; for ky, for kx (tap in image only), for ic: total += in * w;
//   out = clamp(total + bias[o])            (bias term 0.f when absent)
// bias is read only when params.has_bias.
void eval_conv2d(const Conv2DParams& params, const float* input, const float* filter,
                 const float* bias, float* output);

struct DepthwiseConv2DOptions {
  Padding padding = Padding::kSame;
  int32_t stride_h = 1, stride_w = 1;
  // M. 0 means "derive from the filter" (TFLite's behaviour when the option is omitted).
  int32_t depth_multiplier = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  Activation activation = Activation::kNone;
};
struct DepthwiseConv2DParams : Window2D {
  int32_t depth_multiplier = 1;
  bool has_bias = false;
};

// input [N, H, W, C], filter [1, KH, KW, C*M], bias (optional) with C*M elements.
DepthwiseConv2DParams prepare_depthwise_conv2d(const Dims& input, const Dims& filter,
                                               const std::optional<Dims>& bias,
                                               const DepthwiseConv2DOptions& options);

// DEPTHWISE_CONV_2D. For each (n, oy, ox, c, m), oc = c*M + m:
//   total = 0.f; for ky, for kx (tap in image only): total += in[.., c] * w[ky, kx, oc];
//   out[.., oc] = clamp(total + bias[oc])
void eval_depthwise_conv2d(const DepthwiseConv2DParams& params, const float* input,
                           const float* filter, const float* bias, float* output);

struct Pool2DOptions {
  Padding padding = Padding::kSame;
  int32_t stride_h = 1, stride_w = 1;
  int32_t filter_h = 1, filter_w = 1;
  Activation activation = Activation::kNone;
};
using Pool2DParams = Window2D;

// input [N, H, W, C]; no dilation; op names the op in errors ("MAX_POOL_2D").
Pool2DParams prepare_pool2d(const Dims& input, const Pool2DOptions& options,
                            const std::string& op);

// MAX_POOL_2D: m = lowest float; for ky, for kx (in image): m = std::max(m, in);
// out = clamp(m). (std::max(m, NaN) keeps m, as TFLite.)
void eval_max_pool2d(const Pool2DParams& params, const float* input, float* output);

// AVERAGE_POOL_2D: total = 0.f over the in-image taps (ky then kx), count = number of
// those taps (padding is NOT counted); out = clamp(total / float(count)).
void eval_average_pool2d(const Pool2DParams& params, const float* input, float* output);

// ---- FULLY_CONNECTED ---------------------------------------------------------------------

struct FullyConnectedOptions {
  Activation activation = Activation::kNone;
  bool keep_num_dims = false;
};
struct FullyConnectedParams {
  int64_t batch = 0;         // flat_size(input) / I
  int32_t input_depth = 0;   // I
  int32_t output_depth = 0;  // O
  bool has_bias = false;
  ActivationRange activation;
  Dims output_dims;  // [batch, O], or input dims with the last replaced by O (keep_num_dims)
};

// weights [O, I]; the input is read as [batch, I] (its element count must be a multiple
// of I; with keep_num_dims its last dimension must be I); bias (optional) O elements.
FullyConnectedParams prepare_fully_connected(const Dims& input, const Dims& weights,
                                             const std::optional<Dims>& bias,
                                             const FullyConnectedOptions& options);

// For each (b, o): total = 0.f; for i: total += in[b, i] * w[o, i];
// out[b, o] = clamp(total + bias[o]).
void eval_fully_connected(const FullyConnectedParams& params, const float* input,
                          const float* weights, const float* bias, float* output);

// ---- ADD, MUL ---------------------------------------------------------------------------

// Same shapes: flat elementwise loop, any rank. Otherwise TFLite's 4-D broadcast: both
// shapes right-aligned and extended to rank 4 with leading 1s; each dimension pair must
// be equal or contain a 1 (the 1 is broadcast). Rank > 4 with broadcasting is rejected.
struct BinaryParams {
  bool broadcast = false;
  int64_t size = 0;             // output elements
  int32_t out4[4] = {};         // extended output dims (broadcast only)
  int64_t stride1[4] = {};      // input1 element strides, 0 on broadcast dims
  int64_t stride2[4] = {};
  ActivationRange activation;
  Dims output_dims;
};

BinaryParams prepare_add(const Dims& input1, const Dims& input2, Activation activation);
BinaryParams prepare_mul(const Dims& input1, const Dims& input2, Activation activation);

// out = clamp(in1 + in2) / clamp(in1 * in2), operand order as written.
void eval_add(const BinaryParams& params, const float* input1, const float* input2,
              float* output);
void eval_mul(const BinaryParams& params, const float* input1, const float* input2,
              float* output);

// ---- RELU, RELU6, LOGISTIC, TANH, DEQUANTIZE (elementwise, output dims = input dims) ---

struct UnaryParams {
  int64_t size = 0;
  Dims output_dims;
};
UnaryParams prepare_unary(const Dims& input, const std::string& op);

// RELU:  x < 0 ? 0 : x           (NaN stays NaN, +inf stays +inf)
void eval_relu(const UnaryParams& params, const float* input, float* output);
// RELU6: x > 6 ? 6 : (x < 0 ? 0 : x)
void eval_relu6(const UnaryParams& params, const float* input, float* output);
// LOGISTIC (TFLite reference): x > 16.619047164916992188f ? 1 :
//   x < -9 ? std::exp(x) : 1 / (1 + std::exp(-x))
void eval_logistic(const UnaryParams& params, const float* input, float* output);
// TANH: std::tanh(x)
void eval_tanh(const UnaryParams& params, const float* input, float* output);

// ---- SOFTMAX ----------------------------------------------------------------------------

struct SoftmaxParams {
  int64_t outer = 0;  // rows
  int32_t depth = 0;  // last dimension
  float beta = 1.0f;
  Dims output_dims;
};
// input rank >= 1; beta must be finite.
SoftmaxParams prepare_softmax(const Dims& input, float beta);

// Per row (last axis): max = lowest float, max = std::max(max, x) in order;
// e_c = std::exp((x_c - max) * beta); sum = 0.f; sum += e_c in order; out_c = e_c / sum.
void eval_softmax(const SoftmaxParams& params, const float* input, float* output);

// ---- RESHAPE, CONCATENATION, PAD, MEAN -------------------------------------------------

struct ReshapeParams {
  int64_t size = 0;
  Dims output_dims;
};
// new_shape: at most one -1 (inferred), other entries >= 0; element counts must match.
ReshapeParams prepare_reshape(const Dims& input, const Dims& new_shape);
// Copies the data (no-op when output == input).
void eval_reshape(const ReshapeParams& params, const float* input, float* output);

struct ConcatenationParams {
  int32_t axis = 0;                 // normalized, in [0, rank)
  int64_t outer = 0;                // product of dims before axis
  std::vector<int64_t> copy_sizes;  // per input: dims[axis] * product of dims after axis
  Dims output_dims;
};
// All inputs have the same rank and equal dims except along axis; axis may be negative
// (axis + rank); activation must be NONE (as TFLite).
ConcatenationParams prepare_concatenation(std::span<const Dims> inputs, int32_t axis,
                                          Activation activation);
// For each outer index, each input in order: copy its copy_sizes[i] contiguous values.
void eval_concatenation(const ConcatenationParams& params, std::span<const float* const> inputs,
                        float* output);

// PAD and MEAN walk indices of at most this many dimensions.
inline constexpr size_t kMaxIndexRank = 8;

struct PadParams {
  Dims input_dims;
  std::vector<int32_t> before, after;  // per dimension, >= 0
  std::vector<int64_t> output_strides;
  int64_t input_size = 0, output_size = 0;
  Dims output_dims;  // input + before + after
};
// paddings: int32 tensor of dims [rank, 2], row i = {before_i, after_i}, all >= 0;
// rank <= kMaxIndexRank.
PadParams prepare_pad(const Dims& input, const Dims& paddings_dims,
                      std::span<const int32_t> paddings);
// Pads with 0.0f.
void eval_pad(const PadParams& params, const float* input, float* output);

struct MeanParams {
  Dims input_dims;
  // Per input dimension: stride of its index in the output (0 for reduced dimensions).
  std::vector<int64_t> output_strides;
  int64_t input_size = 0;
  int64_t reduce_count = 0;  // elements averaged per output (product of reduced dims)
  int64_t output_size = 0;
  Dims output_dims;
};
// axes: the int32 axis tensor's values; negative axes add the rank; duplicates are
// allowed (counted once). keep_dims keeps reduced dims as 1, else they are removed.
// rank <= kMaxIndexRank.
MeanParams prepare_mean(const Dims& input, std::span<const int32_t> axes, bool keep_dims);
// Per output: sum = 0.f; sum += x for its inputs in increasing input flat-index order;
// out = sum / float(reduce_count). reduce_count == 0 (an empty reduced axis) gives 0.
void eval_mean(const MeanParams& params, const float* input, float* output);

// ---- DEQUANTIZE float16 -> float32 ------------------------------------------------------

// Exact IEEE binary16 -> binary32 (subnormals, +-0, +-inf; NaN payload kept, sign kept).
float half_to_float(uint16_t half);
// binary32 -> binary16, round to nearest, ties to even; overflow -> +-inf; NaN -> quiet
// NaN with the sign and top payload bits kept.
uint16_t float_to_half(float value);

// DEQUANTIZE with a float16 input: out[i] = half_to_float(in[i]). Portable code only.
void eval_dequantize_float16(const UnaryParams& params, const uint16_t* input, float* output);

}  // namespace lq::kernels
