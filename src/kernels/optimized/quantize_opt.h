#pragma once
// Internals of the optimized QUANTIZE / DEQUANTIZE (quantize_opt.cpp and
// quantize_opt_avx512.cpp).
#include "litequant/kernels/int8_optimized_ops.h"

namespace lq::kernels::quantize_opt {

bool avx512_compiled();
void quantize_float_avx512(const QuantizeFloatOptimized& p, const float* input, void* output);

}  // namespace lq::kernels::quantize_opt
