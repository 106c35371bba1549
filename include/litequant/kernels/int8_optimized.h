#pragma once
// Optimized int8 FULLY_CONNECTED, CONV_2D and DEPTHWISE_CONV_2D (issue 6, "fast kernels").
//
// prepare_*_int8_optimized() takes the params of the matching reference prepare
// (int8_reference.h) plus the CONSTANT weights and bias, packs the weights once for the
// chosen code path, folds zero point and bias into one int32 per output channel and
// sizes the scratch buffers. eval_*_int8_optimized() is integer only and allocates
// nothing (it only writes the prepared object's scratch, so one prepared object must not
// be evaluated by two calls at once; copies have their own scratch).
//
// Threads: prepare sizes scratch for `max_threads` workers; eval splits its work (batch
// rows, output rows) over `pool` into at most min(max_threads, pool threads) contiguous
// parts, and only when each part carries enough multiply-adds (small ops run on the
// caller alone); CONV_2D with at least 2 images per part hands out chunks of whole images
// instead, each worker taking the next when done (a delayed thread takes fewer). Every
// output byte is computed by one worker with exact integer math, so the output is
// byte-identical for any pool and thread count. pool null: caller only.
//
// ======================= NUMERIC CONTRACT ============================================
// * The output is BYTE-IDENTICAL with eval_fully_connected_int8 / eval_conv2d_int8 for
//   the same params, weights, bias and input, on every code path.
// * How: with x_u8 = x + 128 (what u8 x s8 dot-product instructions take),
//     sum w * (x - zp_in) + bias = sum w * x_u8 + C[o],  C[o] = bias[o] - (128 + zp_in) * sum w[o]
//   Every partial sum is exact in int32 when |bias[o]| + 255 * sum |w[o]| <= INT32_MAX for
//   every channel; then the reference's int64 accumulator never saturates either and both
//   compute the same integer. prepare checks this bound; when it fails (more than ~65k taps
//   of full-range weights) the prepared object runs the reference kernel instead
//   (uses_reference() is true), so the contract holds for every input.
// * CONV_2D taps outside the image contribute nothing, as in the reference: the padded
//   u8 image (read in place by the direct path, unrolled by im2col otherwise) holds
//   x_u8 = zp_in + 128 there, i.e. x - zp_in = 0.
// * Requantization is requantize() of int8_reference.h with SINGLE rounding, vectorized:
//   (int64(acc) * M + 2^(s-1)) >> s with s = 31 - shift (arithmetic shift), truncated to
//   int32 as the reference does, clamped to [act.min - zp_out, act.max - zp_out] and
//   offset by zp_out (the same value as clamping after adding zp_out in int64).
// =======================================================================================
#include <cstdint>
#include <memory>
#include <vector>

#include "litequant/kernels/int8_reference.h"

namespace lq {
class ThreadPool;
}

namespace lq::kernels {

// Code paths of the optimized kernels. kAuto picks the fastest available one.
//   kPortable   plain C++ (any CPU)
//   kAvx2       AVX2 (vpmaddwd on 16-bit operands)
//   kAvx512Vnni AVX-512 F/BW/VL/DQ + VNNI (vpdpbusd)
enum class Int8Path : int8_t { kAuto, kPortable, kAvx2, kAvx512Vnni };

// True if `path` was compiled in and this CPU runs it (kAuto, kPortable: always).
bool int8_path_available(Int8Path path);
// kAuto -> the fastest available path; any other value is returned unchanged.
Int8Path resolve_int8_path(Int8Path path);
// "auto", "portable", "avx2", "avx512vnni".
const char* int8_path_name(Int8Path path);

namespace int8_opt {
struct PackedGemm;       // packed weights + per-channel constants (src/kernels/optimized)
struct PackedDepthwise;  // the same for DEPTHWISE_CONV_2D
struct SmallConv;        // direct CONV_2D with fewer than 16 output channels
}

// ---- FULLY_CONNECTED ----------------------------------------------------------------
struct FullyConnectedInt8Optimized {
  FullyConnectedInt8Params params;
  Int8Path path = Int8Path::kPortable;  // resolved path
  bool uses_reference() const { return gemm == nullptr; }

  std::shared_ptr<const int8_opt::PackedGemm> gemm;  // immutable, shared by copies
  std::vector<int8_t> reference_weights;             // only when uses_reference()
  std::vector<int32_t> reference_bias;
  int64_t chunk_rows = 0;        // batch rows converted per GEMM call
  int64_t slot_bytes = 0;        // chunk_rows x K (padded), plus alignment slack
  int32_t slots = 1;             // threads that may work at once
  std::vector<uint8_t> scratch;  // slots x slot_bytes
};

// weights [O, I] and bias [O] (nullptr if none) as for eval_fully_connected_int8; both
// are copied/packed, the pointers are not kept. Throws lq::Error if `path` is not
// available.
FullyConnectedInt8Optimized prepare_fully_connected_int8_optimized(
    const FullyConnectedInt8Params& params, const int8_t* weights, const int32_t* bias,
    Int8Path path = Int8Path::kAuto, int max_threads = 1);

void eval_fully_connected_int8_optimized(FullyConnectedInt8Optimized& prepared,
                                         const int8_t* input, int8_t* output,
                                         ThreadPool* pool = nullptr);

// ---- CONV_2D ------------------------------------------------------------------------
struct Conv2DInt8Optimized {
  Conv2DInt8Params params;
  Int8Path path = Int8Path::kPortable;
  bool uses_reference() const { return gemm == nullptr; }

  std::shared_ptr<const int8_opt::PackedGemm> gemm;
  // Direct convolution (AVX-512 VNNI, dilation_w 1): the GEMM reads the padded image in
  // place, no im2col; gemm's k is then KH x (KW*C rounded up to 4).
  bool direct = false;
  // Direct with fewer than 16 output channels (and VBMI): several output pixels per
  // vector, every lane used (int8_gemm.h, SmallConv); null otherwise.
  std::shared_ptr<const int8_opt::SmallConv> small;
  std::vector<int8_t> reference_filter;
  std::vector<int32_t> reference_bias;
  int64_t chunk_rows = 0;        // output pixels per im2col + GEMM step (direct: all)
  int32_t padded_h = 0, padded_w = 0;  // one image as u8 with its padding border
  int64_t image_offset = 0;      // of the padded image from its slot's start
  int64_t slot_bytes = 0;        // chunk_rows x (KH*KW*C, padded) | padded image
                                 // (direct: the padded image only)
  int32_t slots = 1;             // threads that may work at once
  std::vector<uint8_t> scratch;  // slots x slot_bytes
};

// filter [O, KH, KW, C] and bias [O] (nullptr if none) as for eval_conv2d_int8.
Conv2DInt8Optimized prepare_conv2d_int8_optimized(const Conv2DInt8Params& params,
                                                  const int8_t* filter, const int32_t* bias,
                                                  Int8Path path = Int8Path::kAuto,
                                                  int max_threads = 1);

void eval_conv2d_int8_optimized(Conv2DInt8Optimized& prepared, const int8_t* input,
                                int8_t* output, ThreadPool* pool = nullptr);

// ---- DEPTHWISE_CONV_2D ------------------------------------------------------------------
// Same contract, except that requantization is the reference's DOUBLE rounding
// (int8_reference.h), vectorized exactly; prepare falls back to the reference kernel when
// |bias - zp_in * sum w| + 128 * sum |w| exceeds INT32_MAX for some channel.
struct DepthwiseConv2DInt8Optimized {
  DepthwiseConv2DInt8Params params;
  Int8Path path = Int8Path::kPortable;
  bool uses_reference() const { return packed == nullptr; }

  std::shared_ptr<const int8_opt::PackedDepthwise> packed;
  std::vector<int8_t> reference_filter;
  std::vector<int32_t> reference_bias;
  int32_t padded_h = 0, padded_w = 0;  // one image, channels expanded, with its border
  int64_t slot_bytes = 0;              // one padded image (64-byte multiple)
  int32_t slots = 1;                   // threads that may work at once, one image each
  std::vector<int8_t> scratch;         // slots x slot_bytes
};

// filter [1, KH, KW, C*M] and bias [C*M] (nullptr if none) as for
// eval_depthwise_conv2d_int8.
DepthwiseConv2DInt8Optimized prepare_depthwise_conv2d_int8_optimized(
    const DepthwiseConv2DInt8Params& params, const int8_t* filter, const int32_t* bias,
    Int8Path path = Int8Path::kAuto, int max_threads = 1);

void eval_depthwise_conv2d_int8_optimized(DepthwiseConv2DInt8Optimized& prepared,
                                          const int8_t* input, int8_t* output,
                                          ThreadPool* pool = nullptr);

}  // namespace lq::kernels
