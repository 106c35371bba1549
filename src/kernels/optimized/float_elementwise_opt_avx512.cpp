// AVX-512 table of the float row kernels: the plain loops of float_row_kernels_impl.h
// compiled with -mavx512f/vl/bw/dq, and the masked-intrinsics pool rows of
// float_pool_avx512.cpp.
#include "float_row_kernels.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
#include "float_row_kernels_impl.h"

namespace lq::kernels::float_opt {
namespace {
constexpr RowKernels kAvx512Kernels = [] {
  RowKernels t = kLoopKernels;
  t.max_pool_row = max_pool_row_avx512;
  t.average_pool_row = average_pool_row_avx512;
  return t;
}();
}  // namespace

const RowKernels* row_kernels_avx512() { return &kAvx512Kernels; }
}  // namespace lq::kernels::float_opt

#else

namespace lq::kernels::float_opt {
const RowKernels* row_kernels_avx512() { return nullptr; }
}  // namespace lq::kernels::float_opt

#endif
