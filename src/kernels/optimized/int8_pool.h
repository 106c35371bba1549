#pragma once
// Internals of the optimized int8/uint8 pools (int8_pool.cpp and the per-ISA files
// int8_pool_avx2.cpp / int8_pool_avx512.cpp). Every path walks the output pixels in
// order and vectorizes over channels; each output pixel's window is the prepared
// clipped range [ky0, ky1) x [kx0, kx1) (see int8_optimized_ops.h for the numerics).
#include "litequant/kernels/int8_optimized_ops.h"

namespace lq::kernels::pool_opt {

bool avx512_compiled();
void pool_avx512(const Pool2DInt8Optimized& p, const void* input, void* output);
bool avx2_compiled();
void pool_avx2(const Pool2DInt8Optimized& p, const void* input, void* output);

}  // namespace lq::kernels::pool_opt
