#pragma once
// Internals of the optimized dynamic-range kernels (hybrid_optimized.h): the float parts,
// row by row, with exactly the reference's float operations (hybrid_reference.h).
// hybrid_rows.cpp holds the portable versions and the dispatch, hybrid_rows_avx512.cpp
// the AVX-512 ones (the same operations 16 lanes at a time; min/max keep the reference's
// operand order, so NaN and signed zeros come out the same).
#include <cstdint>
#include <span>
#include <string>

#include "litequant/kernels/hybrid_optimized.h"

namespace lq::kernels::hybrid_opt {

// The quantization of one batch row (reference: symmetric/asymmetric_quantize_floats).
struct RowQuant {
  float scale = 1.0f;      // s_b
  int32_t zero_point = 0;  // zp_b
  float inverse = 0.0f;    // inv
  bool all_zero = false;   // symmetric with range 0: every q is 0
};

// Running min/max as the reference: lo = min(lo, x), hi = max(hi, x) from lo0/hi0.
void min_max(bool avx512, const float* x, int64_t n, float& lo, float& hi);
// s_b, zp_b and inv of a row whose min/max (with the reference's start values) are lo/hi.
RowQuant row_quant(bool asymmetric, float lo, float hi);
// Stats of the row x[0, n) (asymmetric: the min/max include 0).
RowQuant quantize_stats(bool avx512, bool asymmetric, const float* x, int64_t n);
// dst[i] = u8(q + 128), q = clamp(round(zp + x[i] * inv), qmin, 127); qmin = -127
// (symmetric) or -128 (asymmetric); all_zero: q = 0.
void quantize_u8(bool avx512, const RowQuant& rq, bool asymmetric, const float* x, int64_t n,
                 uint8_t* dst);
// The same as int16 (q - zp_b) (depthwise).
void quantize_centered_i16(const RowQuant& rq, const float* x, int64_t n, int16_t* dst);

// The float rescale of one output row of n channels from int32 accumulators.
enum class Order : int8_t {
  kFullyConnected,  // out = act(bias + float(dot') * (s_b * ws)), dot' asymmetric-corrected
  kConv,            // out = clamp(float(acc - zp_b * row_sum) * (ws * s_b) [+ bias])
  kDepthwise,       // out = clamp((float(acc) * s_b) * ws [+ bias])
};
struct Rescale {
  Order order = Order::kConv;
  const float* weight_scale = nullptr;  // n (per-tensor: the one scale repeated)
  const float* bias = nullptr;          // n, or null (FULLY_CONNECTED: zeros, never null)
  const int32_t* row_sum = nullptr;     // kConv: sum of each channel's weights, or null
  const float* row_sum_f = nullptr;     // kFullyConnected asymmetric: float(row sum), or null
  // kFullyConnected: max(lo, min(x, hi)) unless act_none; else min(max(x, lo), hi).
  bool act_none = true;
  float act_lo = 0.0f, act_hi = 0.0f;
};
// `rows` rows of n channels (acc and out contiguous), all with the same s_b / zp_b.
void rescale(bool avx512, const Rescale& r, const int32_t* acc, int64_t rows, int64_t n, float s_b,
             int32_t zp_b, float* out);

// AVX-512 versions (hybrid_rows_avx512.cpp); avx512_compiled() tells if they exist.
bool avx512_compiled();
void min_max_avx512(const float* x, int64_t n, float& lo, float& hi);
void quantize_u8_avx512(const RowQuant& rq, float qmin, const float* x, int64_t n, uint8_t* dst);
void rescale_avx512(const Rescale& r, const int32_t* acc, int64_t rows, int64_t n, float s_b,
                    int32_t zp_b, float* out);

// Channel constants for n channels; weights [n, k] row-major for the row sums (null:
// none). scales: 1 (repeated) or n entries; bias null: zeros.
HybridChannelConstants make_channel_constants(const int8_t* weights, int64_t n, int64_t k,
                                              std::span<const float> scales, const float* bias);
// The reference kernel's scratch for a fallback; throws lq::Error("<op>: ...") above 1 GB.
HybridScratch reference_scratch(const std::string& op, int64_t rows, int64_t row_size);
// Checks that `path` runs here and returns it resolved; throws lq::Error("<op>: ...").
Int8Path resolve_path(const std::string& op, Int8Path path);

// True when the float parts of `path` run on AVX-512 (the VNNI path).
inline bool uses_avx512(Int8Path path) { return path == Int8Path::kAvx512Vnni && avx512_compiled(); }

}  // namespace lq::kernels::hybrid_opt
