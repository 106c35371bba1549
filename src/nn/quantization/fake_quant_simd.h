#pragma once
// AVX-512 forms of the per-tensor fake-quant loops (fake_quant_avx512.cpp), called after a
// runtime CPU check. Same IEEE operations in the same order as the portable loops, so
// results are identical (NaN inputs aside).
#include <cstdint>

namespace lq::fq::detail {

// y = (trunc(((clamp(x, lo, hi) - lo) [* or /] factor) + 0.5) - off) * scale
void fake_quant_avx512(const float* x, float* y, int64_t n, float lo, float hi, float factor, bool divide, float off,
                       float scale);
// dx = lo <= x <= hi ? dy : 0
void ste_mask_avx512(const float* x, const float* dy, float* dx, int64_t n, float lo, float hi);
// min and max of x[0..n), n >= 1.
void min_max_avx512(const float* x, int64_t n, float* min, float* max);

}  // namespace lq::fq::detail
