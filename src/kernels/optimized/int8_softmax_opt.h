#pragma once
// Internals of the optimized int8 SOFTMAX (int8_softmax_opt.cpp, int8_softmax_opt_avx512.cpp).
#include "litequant/kernels/int8_optimized_ops.h"

namespace lq::kernels::softmax_opt {

bool avx512_compiled();
void softmax_avx512(const SoftmaxInt8Params& p, const int8_t* input, int8_t* output);

}  // namespace lq::kernels::softmax_opt
