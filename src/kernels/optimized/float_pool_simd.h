// The SIMD pool row of float_row_kernels.h, generic over a vector type V (included by
// float_pool_avx512.cpp and float_pool_avx2.cpp, each with its own V; internal linkage,
// no #pragma once). Per output pixel, channels go V::kLanes at a time in a register, the
// tail with masked loads and stores. Same operations, in the same order per channel, as
// the reference: max = (max < v) ? v : max is V::max(v, max) (maxps returns its second
// operand on NaN and ties), the clamp std::min(std::max(x, lo), hi) is
// V::min(hi, V::max(lo, x)), the average is sum / float(taps).
// V provides: Reg, Mask, kLanes, mask(n), load(Mask, p), store(Mask, p, Reg), set1,
// zero, max, min, add, div.
#include <cstdint>

#include "float_row_kernels.h"

namespace lq::kernels::float_opt {
namespace {

template <typename V, bool Max>
void simd_pool_row(const PoolRow& r) {
  using Reg = typename V::Reg;
  const int64_t C = r.channels;
  const Reg lo = V::set1(r.lo), hi = V::set1(r.hi);
  const Reg init = Max ? V::set1(-3.40282347e+38f) : V::zero();
  for (int32_t ox = 0; ox < r.out_w; ++ox) {
    const int64_t ix0 = int64_t{ox} * r.stride_w - r.pad_left;
    const int64_t kx0 = ix0 < 0 ? -ix0 : 0;
    const int64_t kx1 = r.filter_w < r.in_w - ix0 ? r.filter_w : r.in_w - ix0;
    const int32_t cols = kx1 > kx0 ? static_cast<int32_t>(kx1 - kx0) : 0;
    // No taps (never with TFLite padding): the sum 0 divided by 1 is the reference's 0.
    const Reg n = V::set1(static_cast<float>(r.rows * cols > 0 ? r.rows * cols : 1));
    const float* win = r.input + (ix0 + kx0) * C;
    float* out = r.output + int64_t{ox} * C;
    for (int64_t c = 0; c < C; c += V::kLanes) {
      const auto k = V::mask(C - c);
      Reg acc = init;
      const float* row = win + c;
      for (int32_t y = 0; y < r.rows; ++y, row += r.row_stride) {
        const float* px = row;
        for (int32_t x = 0; x < cols; ++x, px += C) {
          const Reg v = V::load(k, px);
          acc = Max ? V::max(v, acc) : V::add(acc, v);
        }
      }
      if (!Max) acc = V::div(acc, n);
      V::store(k, out + c, V::min(hi, V::max(lo, acc)));
    }
  }
}

}  // namespace
}  // namespace lq::kernels::float_opt
