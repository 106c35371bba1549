#pragma once
// The window walk shared by the convolution reference kernels (float and int8).
#include <cstdint>

#include "litequant/kernels/float_reference.h"

namespace lq::kernels::detail {

// Calls fn(b, oy, ox, out_pixel) for every output pixel, row-major.
template <typename Fn>
inline void for_each_output_pixel(const Window2D& p, Fn&& fn) {
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t oy = 0; oy < p.out_h; ++oy)
      for (int64_t ox = 0; ox < p.out_w; ++ox) fn(b, oy, ox, (b * p.out_h + oy) * p.out_w + ox);
}

// Calls fn(in_pixel, tap) for every filter tap of output pixel (b, oy, ox) that lands
// inside the image, ky outer and kx inner (the accumulation order of TFLite's reference
// kernels); taps outside are skipped. in_pixel = (b*in_h + iy)*in_w + ix,
// tap = ky*filter_w + kx.
template <typename Fn>
inline void for_each_tap(const Window2D& p, int64_t b, int64_t oy, int64_t ox, Fn&& fn) {
  const int64_t iy0 = oy * p.stride_h - p.pad_top;
  const int64_t ix0 = ox * p.stride_w - p.pad_left;
  for (int64_t ky = 0; ky < p.filter_h; ++ky) {
    const int64_t iy = iy0 + ky * p.dilation_h;
    if (iy < 0 || iy >= p.in_h) continue;
    for (int64_t kx = 0; kx < p.filter_w; ++kx) {
      const int64_t ix = ix0 + kx * p.dilation_w;
      if (ix < 0 || ix >= p.in_w) continue;
      fn((b * p.in_h + iy) * p.in_w + ix, ky * p.filter_w + kx);
    }
  }
}

}  // namespace lq::kernels::detail
