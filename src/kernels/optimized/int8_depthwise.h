#pragma once
// Internals of the optimized int8 DEPTHWISE_CONV_2D (int8_depthwise.cpp and the per-ISA
// files int8_depthwise_avx2.cpp / int8_depthwise_avx512.cpp).
//
// One image lives in a scratch buffer as int8 with its padding border and its channels
// EXPANDED to the output channels: pixel (y, x) holds xe[oc] = x[oc / M] for oc < out_c
// and 0 for oc in [out_c, cp), cp = out_c rounded up to 16; the border holds zp_in.
// Then every output channel is an independent dot product over the taps,
//   acc[oc] = offset[oc] + sum_taps w[tap, oc] * xe[pixel + tap, oc],
//   offset[oc] = bias[oc] - zp_in * sum_taps w[tap, oc],
// which equals the reference's sum w * (x - zp_in) + bias (border taps: zp_in - zp_in = 0).
// prepare checks |offset| + 128 * sum |w| <= INT32_MAX per channel, so every partial sum
// (and the reference's int64 accumulator) stays inside int32.
//
// Requantization is the reference's DOUBLE rounding, vectorized as
//   s   = saturate_int32(acc << left)                    left  = max(shift, 0)
//   h   = (int64(s) * M + 2^30) >> 31   (low 32 bits)    = SaturatingRoundingDoublingHighMul
//   r   = (h >> right) + ((h & mask) > (mask >> 1) + (h < 0))   right = max(-shift, 0),
//                                                        mask = 2^right - 1 (RoundingDivideByPOT)
//   out = clamp(r, act.min - zp_out, act.max - zp_out) + zp_out
// (the high-mul's nudge, 2^30 or 1 - 2^30 with a truncating division, is the same as
// adding 2^30 and flooring; M >= 0 so INT32_MIN * INT32_MIN never occurs).
#include <cstdint>
#include <vector>

#include "litequant/kernels/int8_optimized.h"

namespace lq::kernels::int8_opt {

struct PackedDepthwise {
  Int8Path path = Int8Path::kPortable;
  int32_t channels = 0;  // out_c
  int32_t cp = 0;        // out_c rounded up to 16
  int32_t taps = 0;      // KH * KW
  // [tap][cp]. SIMD paths: the weight's 16 low bits, high half 0 (so vpmaddwd /
  // vpdpwssd of a sign-extended int32 x gives x * w); portable: the weight.
  std::vector<int32_t> w;
  // Per channel, [cp] (zeros / ones in the padding channels).
  std::vector<int32_t> offset, multiplier, left, right, mask;
  int32_t out_lo = -128, out_hi = 127, zp_out = 0;
};

// One output row of one image.
struct DepthwiseRow {
  const int8_t* image;  // padded expanded image, pixel (0, 0)
  int64_t row_stride;   // padded_w * cp
  int64_t y0;           // padded row of the window's top tap: oy * stride_h
  int32_t out_w, stride_w, filter_h, filter_w, dilation_h, dilation_w;
  int8_t* out;  // output row, out_w * out_c
};

bool depthwise_avx512_compiled();
void depthwise_row_avx512(const PackedDepthwise& d, const DepthwiseRow& row);
bool depthwise_avx2_compiled();
void depthwise_row_avx2(const PackedDepthwise& d, const DepthwiseRow& row);

}  // namespace lq::kernels::int8_opt
