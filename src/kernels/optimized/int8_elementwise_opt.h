#pragma once
// Internals of the optimized int8 ADD / MUL (int8_elementwise_opt.cpp and
// int8_elementwise_opt_avx512.cpp).
#include "litequant/kernels/int8_optimized_ops.h"

namespace lq::kernels::elementwise_opt {

bool avx512_compiled();
void add_avx512(const AddInt8Params& p, const BroadcastRows& rows, const int8_t* a, const int8_t* b, int8_t* out);
void mul_avx512(const MulInt8Params& p, const BroadcastRows& rows, const int8_t* a, const int8_t* b, int8_t* out);

}  // namespace lq::kernels::elementwise_opt
