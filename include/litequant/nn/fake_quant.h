#pragma once
// Fake quantization with TensorFlow's semantics (tf.quantization.fake_quant_with_min_max_*).
//
// ========================= NUMERIC CONTRACT ==============================================
// Grid of num_bits in [2, 8]: quant_min = narrow_range ? 1 : 0, quant_max = 2^bits - 1.
// Nudging (TF's Nudge, all in float32):
//   scale      = (max - min) / (quant_max - quant_min)
//   inv_scale  = (quant_max - quant_min) / (max - min)
//   zp_from_min = quant_min - min / scale
//   zero_point = quant_min if zp_from_min < quant_min, quant_max if > quant_max,
//                else round(zp_from_min) half away from zero
//   nudged_min = (quant_min - zero_point) * scale, nudged_max = (quant_max - zero_point) * scale
// Forward:  c = clamp(x, nudged_min, nudged_max)
//           q = floor((c - nudged_min) * inv_scale + 0.5)      (kMultiply: Args, per-channel)
//           q = floor((c - nudged_min) / scale + 0.5)          (kDivide: Vars per tensor)
//           y = (q - zero_point) * scale
//   (TF computes floor(... - quant_zero + 0.5) * scale with quant_zero =
//    floor(-nudged_min * inv_scale + 0.5); the same number, since quant_zero is an integer
//    and equals zero_point - quant_min.)
// min == max == 0: y = 0 and the input gradient passes unchanged (TF's special case).
// Gradients (straight-through estimator):
//   dx   = dy where nudged_min <= x <= nudged_max, else 0
//   dmin = sum of dy where x < nudged_min;  dmax = sum of dy where x > nudged_max
// Export: the grid is an int8 tensor with the same scale and
//   int8 zero point = zero_point - 2^(bits-1)   (bits 8, not narrow: zero_point - 128), so
//   y == (q_int8 - zp_int8) * scale for every x inside [nudged_min, nudged_max].
// =========================================================================================
#include <cstdint>
#include <string>

#include "litequant/core/thread_pool.h"

namespace lq::fq {

enum class Division : int8_t { kMultiply, kDivide };

struct Grid {
  int32_t quant_min = 0;
  int32_t quant_max = 255;
  int32_t zero_point = 0;  // in [quant_min, quant_max]
  float scale = 1.0f;
  float inv_scale = 1.0f;
  float nudged_min = 0.0f;
  float nudged_max = 0.0f;
  bool zero_range = false;  // min == max == 0
  Division division = Division::kMultiply;

  // The exported int8 zero point (contract above).
  int32_t int8_zero_point(int num_bits) const { return zero_point - (1 << (num_bits - 1)); }
};

// Throws lq::Error("<where>num_bits must be in [2, 8], got N").
void check_num_bits(int num_bits, const std::string& where);
// Throws lq::Error when min or max is not finite or min > max. min == max is allowed only
// for 0 (TF returns zeros); any other empty range is an error.
Grid nudge(float min, float max, int num_bits, bool narrow_range, Division division,
           const std::string& where = "");

float fake_quant(float x, const Grid& g);

// The array forms split large arrays over `pool` (may be null); results do not depend on
// the thread count.
// y[i] = fake_quant(x[i]); x and y may alias.
void fake_quant(const float* x, float* y, int64_t n, const Grid& g, ThreadPool* pool = nullptr);
// Per channel over the last axis: element i uses grids[i % channels].
void fake_quant_per_channel(const float* x, float* y, int64_t n, const Grid* grids, int64_t channels,
                            ThreadPool* pool = nullptr);

// dx = STE mask * dy; adds the out-of-range gradient sums to *dmin / *dmax when not null.
void fake_quant_backward(const float* x, const float* dy, float* dx, int64_t n, const Grid& g,
                         float* dmin, float* dmax, ThreadPool* pool = nullptr);
// Per channel over the last axis; dmin/dmax (may be null) hold `channels` sums each.
void fake_quant_backward_per_channel(const float* x, const float* dy, float* dx, int64_t n,
                                     const Grid* grids, int64_t channels, float* dmin, float* dmax);

// Range helpers for the quantizers (NaN-free input assumed; n >= 1 for meaningful results).
struct MinMax {
  float min = 0.0f;
  float max = 0.0f;
};
MinMax min_max(const float* x, int64_t n, ThreadPool* pool = nullptr);
// out[c] = max |x| over channel c (last axis of `channels`).
void abs_max_per_channel(const float* x, int64_t n, int64_t channels, float* out, ThreadPool* pool = nullptr);
void min_max_per_channel(const float* x, int64_t n, int64_t channels, float* lo, float* hi,
                         ThreadPool* pool = nullptr);

}  // namespace lq::fq
