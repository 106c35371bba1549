#pragma once
// Optimized dynamic-range ("hybrid") FULLY_CONNECTED, CONV_2D and DEPTHWISE_CONV_2D
// (issue 6): float32 input and output, constant int8 symmetric weights.
//
// prepare_*_hybrid_optimized() takes the params of the matching reference prepare
// (hybrid_reference.h) plus the CONSTANT weights and bias: packs the weights once for the
// int8 GEMM of int8_optimized.h (u8 x s8, VNNI / AVX2 / portable; here without
// requantization, int32 out), precomputes per-channel constants and sizes all scratch.
// eval_*_hybrid_optimized() allocates nothing (it writes the prepared object's scratch:
// one object must not be evaluated by two calls at once).
//
// Threads: work (batch rows, output pixels/rows) is cut into at most
// min(max_threads, pool threads) contiguous parts, each with its own scratch slot; a
// part that needs an image quantizes all of it (the row statistics cover the whole
// image), so every output is computed by the same operations for any thread count.
//
// ======================= NUMERIC CONTRACT ============================================
// * The output is BIT-IDENTICAL with eval_*_hybrid (hybrid_reference.h) for the same
//   params, weights, bias and input, on every code path:
//   - input quantization: the same float min/max (operand order kept, so NaN and signed
//     zeros match), the same s_b / zp_b / inv computation (shared code), and
//     q = clamp(round(zp + x * inv)) with one rounding per operation (vectorized round is
//     trunc + a step away from zero when the exact fraction is >= 0.5);
//   - the int32 sums are exact (the GEMM's bound always holds: <= 65536 products, which
//     prepare_*_hybrid enforces): FULLY_CONNECTED / CONV_2D get sum w * q from the GEMM
//     (A = q + 128, offset -128 * sum w; CONV_2D pads the image with zp_b, so
//     sum w * (q - zp_b) over in-image taps = sum w * q_padded - zp_b * sum w);
//     DEPTHWISE_CONV_2D sums w * (q - zp_b) in int32 (zero border);
//   - the float rescale is the reference's expression, in its order, no FMA. NOTE: GCC
//     contracts a * b + c into an FMA in C++ even with -std=c++20 (ISO mode turns
//     contraction off for C only), so the AVX-512 code (built with -mfma) uses the
//     explicit-rounding intrinsics, which are never fused; the tests compare bits on
//     every path (the plain intrinsics gave 1-ulp differences).
// * Scratch is bounded (kMaxHybridSlotBytes per thread); beyond it, and whenever the GEMM
//   could not be packed, the prepared object runs the reference kernel (uses_reference()).
// =======================================================================================
#include <cstdint>
#include <memory>
#include <vector>

#include "litequant/kernels/hybrid_reference.h"
#include "litequant/kernels/int8_optimized.h"

namespace lq {
class ThreadPool;
}

namespace lq::kernels {

// Scratch bound per thread slot (quantized rows / padded image + im2col + int32 sums).
constexpr int64_t kMaxHybridSlotBytes = int64_t{64} << 20;

// Per-channel constants of the float rescale, padded to a multiple of 16 channels.
struct HybridChannelConstants {
  std::vector<float> weight_scale;  // per-tensor: the one scale repeated
  std::vector<float> bias;          // zeros when there is none
  std::vector<int32_t> row_sum;     // sum of each channel's weights
  std::vector<float> row_sum_f;     // float(row_sum)
};

// ---- FULLY_CONNECTED ------------------------------------------------------------------
struct FullyConnectedHybridOptimized {
  FullyConnectedHybridParams params;
  Int8Path path = Int8Path::kPortable;
  bool uses_reference() const { return gemm == nullptr; }

  std::shared_ptr<const int8_opt::PackedGemm> gemm;
  HybridChannelConstants channels;
  int64_t chunk_rows = 0;          // batch rows per GEMM call
  int64_t slot_bytes = 0;          // per slot: chunk_rows x kp u8 + chunk_rows x O int32
  int32_t slots = 1;
  std::vector<uint8_t> scratch;    // slots x slot_bytes
  std::vector<int8_t> reference_weights;  // only when uses_reference()
  std::vector<float> reference_bias;
  HybridScratch reference_scratch;
};

// weights [O, I] and bias [O] (null if none) as for eval_fully_connected_hybrid; copied
// or packed, not kept. Throws lq::Error if `path` is not available, or if the reference
// fallback's scratch would exceed 1 GB.
FullyConnectedHybridOptimized prepare_fully_connected_hybrid_optimized(
    const FullyConnectedHybridParams& params, const int8_t* weights, const float* bias,
    Int8Path path = Int8Path::kAuto, int max_threads = 1);
void eval_fully_connected_hybrid_optimized(FullyConnectedHybridOptimized& prepared,
                                           const float* input, float* output,
                                           ThreadPool* pool = nullptr);

// ---- CONV_2D --------------------------------------------------------------------------
struct Conv2DHybridOptimized {
  Conv2DHybridParams params;
  Int8Path path = Int8Path::kPortable;
  bool uses_reference() const { return gemm == nullptr; }

  std::shared_ptr<const int8_opt::PackedGemm> gemm;
  HybridChannelConstants channels;
  int64_t padded_h = 0, padded_w = 0;  // the quantized u8 image inside its border
  int64_t chunk_rows = 0;              // output pixels per im2col + GEMM step
  int64_t image_bytes = 0, cols_bytes = 0, slot_bytes = 0;
  int32_t slots = 1;
  std::vector<uint8_t> scratch;  // slots x (padded image | im2col rows | int32 sums)
  std::vector<int8_t> reference_filter;
  std::vector<float> reference_bias;
  HybridScratch reference_scratch;
};

// filter [O, KH, KW, C] and bias [O] (null if none) as for eval_conv2d_hybrid.
Conv2DHybridOptimized prepare_conv2d_hybrid_optimized(const Conv2DHybridParams& params,
                                                      const int8_t* filter, const float* bias,
                                                      Int8Path path = Int8Path::kAuto,
                                                      int max_threads = 1);
void eval_conv2d_hybrid_optimized(Conv2DHybridOptimized& prepared, const float* input,
                                  float* output, ThreadPool* pool = nullptr);

// ---- DEPTHWISE_CONV_2D ----------------------------------------------------------------
// Quantized centered input (q - zp_b) as int16, expanded to the C*M output channels,
// inside a zero border; int32 sums per output pixel, vectorized by the compiler.
struct DepthwiseConv2DHybridOptimized {
  DepthwiseConv2DHybridParams params;
  Int8Path path = Int8Path::kPortable;
  bool reference = false;
  bool uses_reference() const { return reference; }

  std::vector<int16_t> filter;  // [KH*KW][C*M] as int16
  HybridChannelConstants channels;
  int64_t padded_h = 0, padded_w = 0;
  int64_t image_elems = 0;       // padded image (C*M channels) + one input row (C)
  int32_t slots = 1;
  std::vector<int16_t> images;   // slots x image_elems
  std::vector<int32_t> sums;     // slots x out_w x C*M (one output row)
  std::vector<int8_t> reference_filter;
  std::vector<float> reference_bias;
  HybridScratch reference_scratch;
};

// filter [1, KH, KW, C*M] and bias [C*M] (null if none).
DepthwiseConv2DHybridOptimized prepare_depthwise_conv2d_hybrid_optimized(
    const DepthwiseConv2DHybridParams& params, const int8_t* filter, const float* bias,
    Int8Path path = Int8Path::kAuto, int max_threads = 1);
void eval_depthwise_conv2d_hybrid_optimized(DepthwiseConv2DHybridOptimized& prepared,
                                            const float* input, float* output,
                                            ThreadPool* pool = nullptr);

}  // namespace lq::kernels
