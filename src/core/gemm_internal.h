#pragma once
// Internals of lq::sgemm, shared by gemm.cpp (driver, packing, portable kernels) and the
// per-ISA kernel files gemm_avx2.cpp / gemm_avx512.cpp.
//
// Structure (Goto/BLIS): the driver splits C over threads into disjoint row or column
// ranges, then per range loops  column block (nc) -> k block (kc) -> row block (mc),
// packing op(B) / op(A) into contiguous panels when that pays off, and hands each
// (mc x nc x kc) block to the ISA's block kernel, which walks micro-tiles of mr x nr.
//
// Numerics: every C element is computed the same way by every kernel variant (full,
// edge, packed or direct operands): per k block, acc = 0; acc = fma(a_ip, b_pj, acc) for
// p in order; then C is combined as in CMode. The k blocks come from k alone (kc_blocks),
// so the result does not depend on tiling, thread count or packing decisions.
//
// Link-time safety: the templates below are only instantiated with vector-trait types
// defined in an anonymous namespace of each kernel file, so every instantiation has
// internal linkage and code built for one ISA can never be merged into another. For the
// same reason this header must not define non-template inline functions.
#include <cstdint>

#include "litequant/core/gemm.h"

namespace lq::gemm_internal {

enum class Isa { kPortable, kAvx2, kAvx512 };

// True if `isa` was compiled in and the CPU supports it (kPortable: always).
bool isa_available(Isa isa);
// The fastest available path; what sgemm uses.
Isa best_isa();
// sgemm on a forced code path (tests and benchmarks). Throws lq::Error if unavailable.
void sgemm_with(Isa isa, Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k,
                float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
                float beta, float* c, int64_t ldc, ThreadPool* pool);

// Target k block. The k range is cut into ceil(k / kKcTarget) near-equal blocks.
constexpr int64_t kKcTarget = 384;

// How a kernel folds its k-block sum `acc` into C.
enum class CMode {
  kOverwrite,   // c = alpha * acc            (first k block, beta == 0: C is not read)
  kScale,       // c = fma(alpha, acc, beta * c)   (first k block, beta != 0)
  kAccumulate,  // c = fma(alpha, acc, c)           (later k blocks)
};

// One cache block for a block kernel: C[m x n] <- A[m x kc] * B[kc x n] as per `mode`.
// A is read in row tiles of mr, B in column panels of nr:
//   A(i, p) = a[(i / mr) * a_tile + (i % mr) * a_rs + p * a_ks]
//   B(p, j) = b[(j / nr) * b_panel + (j % nr) + p * b_ks]
// `a_rows` selects the access pattern the kernel is compiled for: false means a_rs == 1
// (packed panels, or a transposed A read in place); true means a_ks == 1 (A read in
// place row by row).
struct Block {
  int64_t m = 0, n = 0, kc = 0;
  const float* a = nullptr;
  int64_t a_tile = 0, a_rs = 0, a_ks = 0;
  bool a_rows = false;
  const float* b = nullptr;
  int64_t b_panel = 0, b_ks = 0;
  float* c = nullptr;
  int64_t ldc = 0;
  float alpha = 1.0f, beta = 0.0f;
  CMode mode = CMode::kOverwrite;
};

// A code path: micro-tile shape, cache blocking and its block kernel.
struct KernelSet {
  int mr, nr;      // micro-tile rows / columns
  int64_t mc, nc;  // row / column cache blocks (multiples of mr / nr)
  void (*block)(const Block&);
};

// nullptr if the path was not compiled in (non-x86 builds).
const KernelSet* avx512_kernels();
const KernelSet* avx2_kernels();
const KernelSet& portable_kernels();

// ---------------------------------------------------------------------------------------
// Generic kernels. V is a vector-trait type providing:
//   Reg, Mask, kLanes, kCheapMask (masked loads/stores as fast as plain ones),
//   zero(), set1(x), bcast(const float*), load(p), load(p, Mask), store(p, r),
//   store(p, r, Mask), fma(a, b, c) = a*b+c (fused where the ISA has FMA), mul(a, b),
//   tail_mask(n) for the first n lanes (1 <= n <= kLanes).

#define LQ_GEMM_UNROLL _Pragma("GCC unroll 32")

// One micro-tile call: rows x cols of C, cols covering NV vectors, the last one `tail`
// lanes wide.
struct Tile {
  int64_t kc;
  const float* a;
  int64_t a_rs, a_ks;
  const float* b;
  int64_t b_ks;
  float* c;
  int64_t ldc;
  int tail;
  float alpha, beta;
  CMode mode;
};

// Folds the accumulators into C as per mode M (only the last vector is masked if kEdge).
template <class V, int R, int NV, bool kEdge, CMode M>
void fold_tile(typename V::Reg (&acc)[R][NV], float* c, int64_t ldc, float alpha, float beta,
               typename V::Mask mask) {
  using Reg = typename V::Reg;
  constexpr int L = V::kLanes;
  const Reg va = V::set1(alpha);
  const Reg vb = V::set1(beta);
  LQ_GEMM_UNROLL for (int r = 0; r < R; ++r) {
    LQ_GEMM_UNROLL for (int v = 0; v < NV; ++v) {
      const bool part = kEdge && v == NV - 1;
      float* cp = c + r * ldc + v * L;
      Reg x;
      if constexpr (M == CMode::kOverwrite) {
        x = V::mul(acc[r][v], va);
      } else {
        Reg old = part ? V::load(cp, mask) : V::load(cp);
        if constexpr (M == CMode::kScale) old = V::mul(old, vb);
        x = V::fma(acc[r][v], va, old);
      }
      if (part) V::store(cp, x, mask);
      else V::store(cp, x);
    }
  }
}

// R x (NV vectors) micro-kernel. kRowsA: A(i, p) = a[i * a_rs + p], else a[i + p * a_ks].
// kEdge: the last vector is masked to `tail` lanes.
template <class V, int R, int NV, bool kRowsA, bool kEdge>
void micro_tile(const Tile& t) {
  using Reg = typename V::Reg;
  constexpr int L = V::kLanes;
  const int64_t kc = t.kc;
  const int64_t a_rs = kRowsA ? t.a_rs : 1;
  const int64_t a_step = kRowsA ? 1 : t.a_ks;
  const int64_t b_ks = t.b_ks;
  const auto mask = V::tail_mask(kEdge ? t.tail : L);
  const float* a = t.a;
  const float* b = t.b;
  Reg acc[R][NV];
  LQ_GEMM_UNROLL for (int r = 0; r < R; ++r) {
    LQ_GEMM_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = V::zero();
  }
  for (int64_t p = 0; p < kc; ++p) {
    if constexpr (kRowsA) {
      // In-place rows of A stream from memory: prefetch one row's next line per k step.
      const int64_t row = p & 15;
      if (row < R) __builtin_prefetch(a + row * a_rs + 64);
    }
    Reg bv[NV];
    LQ_GEMM_UNROLL for (int v = 0; v < NV; ++v) {
      bv[v] = (kEdge && v == NV - 1) ? V::load(b + v * L, mask) : V::load(b + v * L);
    }
    LQ_GEMM_UNROLL for (int r = 0; r < R; ++r) {
      const Reg ar = V::bcast(a + r * a_rs);
      LQ_GEMM_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = V::fma(ar, bv[v], acc[r][v]);
    }
    a += a_step;
    b += b_ks;
  }
  switch (t.mode) {
    case CMode::kOverwrite:
      fold_tile<V, R, NV, kEdge, CMode::kOverwrite>(acc, t.c, t.ldc, t.alpha, t.beta, mask);
      break;
    case CMode::kScale:
      fold_tile<V, R, NV, kEdge, CMode::kScale>(acc, t.c, t.ldc, t.alpha, t.beta, mask);
      break;
    case CMode::kAccumulate:
      fold_tile<V, R, NV, kEdge, CMode::kAccumulate>(acc, t.c, t.ldc, t.alpha, t.beta, mask);
      break;
  }
}

using TileFn = void (*)(const Tile&);

template <class V, int R, int NV>
TileFn tile_fn(bool rows_a, bool edge) {
  if constexpr (V::kCheapMask) {
    return rows_a ? &micro_tile<V, R, NV, true, true> : &micro_tile<V, R, NV, false, true>;
  } else {
    if (rows_a) return edge ? &micro_tile<V, R, NV, true, true> : &micro_tile<V, R, NV, true, false>;
    return edge ? &micro_tile<V, R, NV, false, true> : &micro_tile<V, R, NV, false, false>;
  }
}

// The instantiation for `rows` <= R rows and `nv` <= NV vectors.
template <class V, int R, int NV>
TileFn pick_tile(int rows, int nv, bool rows_a, bool edge) {
  if constexpr (R > 1) {
    if (rows < R) return pick_tile<V, R - 1, NV>(rows, nv, rows_a, edge);
  }
  if constexpr (NV > 1) {
    if (nv < NV) return pick_tile<V, R, NV - 1>(rows, nv, rows_a, edge);
  }
  return tile_fn<V, R, NV>(rows_a, edge);
}

// Block kernel: row tiles outer (the A tile stays in L1), column panels inner (B streams
// from L2/L3).
template <class V, int MR, int NV>
void block_kernel(const Block& blk) {
  constexpr int L = V::kLanes;
  constexpr int NR = NV * L;
  const int64_t full_panels = blk.n / NR;
  const int rem = static_cast<int>(blk.n - full_panels * NR);
  const int rem_nv = (rem + L - 1) / L;
  const int rem_tail = rem - (rem_nv - 1) * L;
  Tile t{blk.kc, nullptr, blk.a_rs, blk.a_ks, nullptr, blk.b_ks, nullptr, blk.ldc,
         L,      blk.alpha, blk.beta, blk.mode};
  for (int64_t i0 = 0; i0 < blk.m; i0 += MR) {
    const int rows = blk.m - i0 < MR ? static_cast<int>(blk.m - i0) : MR;
    t.a = blk.a + (i0 / MR) * blk.a_tile;
    float* c_row = blk.c + i0 * blk.ldc;
    if (full_panels > 0) {
      const TileFn full = pick_tile<V, MR, NV>(rows, NV, blk.a_rows, false);
      t.tail = L;
      for (int64_t q = 0; q < full_panels; ++q) {
        t.b = blk.b + q * blk.b_panel;
        t.c = c_row + q * NR;
        full(t);
      }
    }
    if (rem > 0) {
      t.tail = rem_tail;
      t.b = blk.b + full_panels * blk.b_panel;
      t.c = c_row + full_panels * NR;
      pick_tile<V, MR, NV>(rows, rem_nv, blk.a_rows, rem_tail < L)(t);
    }
  }
}

#undef LQ_GEMM_UNROLL

}  // namespace lq::gemm_internal
