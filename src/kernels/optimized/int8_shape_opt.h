#pragma once
// Internals of the optimized int8 MEAN (int8_shape_opt.cpp, int8_shape_opt_avx512.cpp).
#include <cstdint>

namespace lq::kernels::shape_opt {

bool avx512_compiled();
// sums[c] = sum over r < reduce of x[r * inner + c], for c < inner (inner >= 16).
void channel_sums_avx512(const int8_t* x, int64_t reduce, int64_t inner, int32_t* sums);

}  // namespace lq::kernels::shape_opt
