#pragma once
// Single-precision GEMM, row-major:  C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C
// op(X) = X or X^T. lda/ldb/ldc are row strides in elements of the matrices as stored.
// beta == 0 means C is write-only (its old contents, even NaN, are ignored).
//
// Numeric contract: float32 FMA accumulation; the order of the k-sum for one C element
// is fixed by (m, n, k) alone, so results are bit-identical for any thread count.
// Work is split across `pool` (may be null = caller thread only). Dispatches at run time
// to AVX-512, AVX2+FMA or portable code; the three may differ in the last bits.
//
// Details: per k block of <= 384 (blocks cut from k alone), each C element gets a float
// chain acc = acc + a_ip * b_pj over p in increasing order, folded in as
// C = alpha * acc + beta * C for the first block (alpha * acc when beta == 0) and
// C = alpha * acc + C after that; all fused multiply-adds on the FMA paths.
// alpha == 0 or k == 0: A and B are not read, C = beta * C. Elements of C outside the
// m x n window (row padding up to ldc) are never touched. Errors: negative sizes, a
// leading dimension smaller than its row length, or null pointers for a non-empty
// product throw lq::Error. Safe to call concurrently from several threads; packing uses
// per-thread scratch buffers (a few MB at most per thread, kept for reuse).
#include <cstdint>

#include "litequant/core/thread_pool.h"

namespace lq {

enum class Trans { kNo, kYes };

void sgemm(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, float alpha,
           const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
           int64_t ldc, ThreadPool* pool);

// Plain triple loop with double accumulation: the reference the fast paths are tested
// against.
void sgemm_reference(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                     const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                     float* c, int64_t ldc);

}  // namespace lq
