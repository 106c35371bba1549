#pragma once
// Internals of the optimized int8/uint8 pools (int8_pool.cpp and the per-ISA files
// int8_pool_avx2.cpp / int8_pool_avx512.cpp). Every path walks the output pixels in
// order and vectorizes over channels; each output pixel's window is the prepared
// clipped range [ky0, ky1) x [kx0, kx1) (see int8_optimized_ops.h for the numerics).
#include <algorithm>
#include <cstdint>

#include "litequant/kernels/int8_optimized_ops.h"

namespace lq::kernels::pool_opt {

// MAX with few channels on the AVX-512 path with VBMI: output pixels per byte permute
// (max_rows in int8_pool_avx512.cpp), or 0 when that path does not apply. m pixels of
// C <= 32 bytes fit one 64-byte vector and their windows' columns 128 bytes.
inline int64_t small_max_pixels(const Pool2DInt8Params& q) {
  const int64_t C = q.in_c, kw = q.filter_w, sw = q.stride_w;
  if (C > 32 || kw * C > 128 || sw * C > 128) return 0;
  const int64_t m = std::min<int64_t>(64 / C, (128 - kw * C) / (sw * C) + 1);
  return m >= 2 ? m : 0;
}
// Bytes per output row of that path's buffer (one input row with its border, + 128
// bytes of slack); the buffer holds out_h of them. 0 above kMaxRowBuffer in all (the
// per-pixel path then).
constexpr int64_t kMaxRowBuffer = int64_t{1} << 20;
inline int64_t small_max_row_bytes(const Pool2DInt8Params& q) {
  const int64_t width = std::max<int64_t>(int64_t{q.pad_left} + q.in_w,
                                          (int64_t{q.out_w} - 1) * q.stride_w + q.filter_w);
  const double row = static_cast<double>(width) * q.in_c + 128;
  return row * q.out_h > static_cast<double>(kMaxRowBuffer) ? 0 : static_cast<int64_t>(row);
}

bool avx512_compiled();
// The per-pixel paths compute output rows [row0, row1) of all images (row = b * out_h + oy).
void pool_avx512(const Pool2DInt8Optimized& p, const void* input, void* output, int64_t row0,
                 int64_t row1);
// MAX with few channels (small_max_pixels > 0, VBMI) for images [b0, b1), with a buffer
// of small_max_row_bytes * out_h bytes whose borders hold act.min.
void max_small_avx512(const Pool2DInt8Optimized& p, const void* input, void* output, int64_t b0,
                      int64_t b1, uint8_t* buffer);
bool avx2_compiled();
void pool_avx2(const Pool2DInt8Optimized& p, const void* input, void* output, int64_t row0,
               int64_t row1);

}  // namespace lq::kernels::pool_opt
