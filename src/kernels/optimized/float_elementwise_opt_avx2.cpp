// AVX2 + FMA table of the float row kernels: the plain loops of float_row_kernels_impl.h
// compiled with -mavx2 -mfma (cmake/Flags.cmake), and the intrinsics pool rows of
// float_pool_avx2.cpp.
#include "float_row_kernels.h"

#if defined(__AVX2__) && defined(__FMA__)
#include "float_row_kernels_impl.h"

namespace lq::kernels::float_opt {
namespace {
constexpr RowKernels kAvx2Kernels = [] {
  RowKernels t = kLoopKernels;
  t.max_pool_row = max_pool_row_avx2;
  t.average_pool_row = average_pool_row_avx2;
  return t;
}();
}  // namespace

const RowKernels* row_kernels_avx2() { return &kAvx2Kernels; }
}  // namespace lq::kernels::float_opt

#else

namespace lq::kernels::float_opt {
const RowKernels* row_kernels_avx2() { return nullptr; }
}  // namespace lq::kernels::float_opt

#endif
