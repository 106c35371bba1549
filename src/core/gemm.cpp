// sgemm driver: argument checks, ISA dispatch, thread split, cache blocking, packing,
// plus the portable kernels and the reference implementation. See gemm_internal.h.
#include "litequant/core/gemm.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/gemm_internal.h"
#include "litequant/core/cpu.h"
#include "litequant/core/error.h"

#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

namespace lq {
namespace gemm_internal {
namespace {

// ---- Portable kernels: 6 x 8 tiles on GCC/Clang 4-float vectors (SSE2 on x86-64). ----
struct V4 {
  typedef float Reg __attribute__((vector_size(16)));
  using Mask = int;
  static constexpr int kLanes = 4;
  static constexpr bool kCheapMask = false;
  static Reg zero() { return Reg{0.0f, 0.0f, 0.0f, 0.0f}; }
  static Reg set1(float x) { return Reg{x, x, x, x}; }
  static Reg bcast(const float* p) { return set1(*p); }
  static Reg load(const float* p) {
    Reg r;
    std::memcpy(&r, p, sizeof(r));
    return r;
  }
  static Reg load(const float* p, Mask n) {
    Reg r = zero();
    for (int i = 0; i < n; ++i) r[i] = p[i];
    return r;
  }
  static void store(float* p, Reg x) { std::memcpy(p, &x, sizeof(x)); }
  static void store(float* p, Reg x, Mask n) {
    for (int i = 0; i < n; ++i) p[i] = x[i];
  }
  // Two roundings (no FMA in baseline x86-64); consistent within this path.
  static Reg fma(Reg a, Reg b, Reg c) { return a * b + c; }
  static Reg mul(Reg a, Reg b) { return a * b; }
  static Mask tail_mask(int n) { return n; }
};

constexpr KernelSet kPortableSet{6, 8, 32 * 6, 128 * 8, &block_kernel<V4, 6, 2>};

// ---- Problem description and helpers. ----
struct Problem {
  Trans ta, tb;
  int64_t m, n, k;
  float alpha;
  const float* a;
  int64_t lda;
  const float* b;
  int64_t ldb;
  float beta;
  float* c;
  int64_t ldc;
};

// k block `i` of `count` (the split depends on k alone: part of the numeric contract).
int64_t kc_count(int64_t k) { return (k + kKcTarget - 1) / kKcTarget; }
int64_t kc_begin(int64_t k, int64_t count, int64_t i) { return k * i / count; }

// Per-thread packing buffer, 64-byte aligned, grown on demand (never shared).
float* scratch(int slot, int64_t count) {
  thread_local std::vector<float> buffers[2];
  std::vector<float>& buf = buffers[slot];
  const size_t need = static_cast<size_t>(count) + 16;
  if (buf.size() < need) buf.resize(need);
  const uintptr_t addr = reinterpret_cast<uintptr_t>(buf.data());
  return buf.data() + ((64 - addr % 64) % 64) / sizeof(float);
}

// dst[x * ldd + r] = src[r * lds + x] for r < rows, x < cols (a transposing copy).
void transpose_copy(const float* src, int64_t lds, int64_t rows, int64_t cols, float* dst,
                    int64_t ldd) {
#if defined(__SSE2__)
  if (rows >= 4 && cols >= 4) {
    // 4 x 4 blocks; a ragged last row/column block is moved back to overlap the previous
    // one (rewriting identical values) instead of falling back to scalar code.
    for (int64_t r0 = 0; r0 < rows; r0 += 4) {
      const int64_t r = std::min(r0, rows - 4);
      const float* s = src + r * lds;
      for (int64_t x0 = 0; x0 < cols; x0 += 4) {
        const int64_t x = std::min(x0, cols - 4);
        __m128 v0 = _mm_loadu_ps(s + x), v1 = _mm_loadu_ps(s + lds + x);
        __m128 v2 = _mm_loadu_ps(s + 2 * lds + x), v3 = _mm_loadu_ps(s + 3 * lds + x);
        _MM_TRANSPOSE4_PS(v0, v1, v2, v3);
        float* d = dst + x * ldd + r;
        _mm_storeu_ps(d, v0);
        _mm_storeu_ps(d + ldd, v1);
        _mm_storeu_ps(d + 2 * ldd, v2);
        _mm_storeu_ps(d + 3 * ldd, v3);
      }
    }
    return;
  }
#endif
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t x = 0; x < cols; ++x) dst[x * ldd + r] = src[r * lds + x];
  }
}

// Splits each of `rows` source rows (stride lds) into chunks of `width` floats and
// appends chunk q of row x to panel q: dst[q * panel + x * width + j] = src[x*lds + q*width + j]
// for j < width (fewer in the last chunk of `cols`). Rows are read front to back once,
// which matters when lds is large (one TLB page per row).
void split_rows(const float* src, int64_t lds, int64_t rows, int64_t cols, int width,
                float* dst, int64_t panel) {
  for (int64_t x = 0; x < rows; ++x) {
    const float* s = src + x * lds;
    float* d = dst + x * width;
    for (int64_t q0 = 0; q0 < cols; q0 += width, d += panel) {
      const int64_t w = std::min<int64_t>(width, cols - q0);
      for (int64_t j = 0; j < w; ++j) d[j] = s[q0 + j];
    }
  }
}

// Packs op(A)[i0 : i0+mb, p0 : p0+kc] into row tiles of mr: tile t holds
// A(t*mr + r, p) at out[t*mr*kc + p*mr + r].
void pack_a(const Problem& pr, int64_t i0, int64_t mb, int64_t p0, int64_t kc, int mr,
            float* out) {
  if (pr.ta == Trans::kYes) {
    split_rows(pr.a + p0 * pr.lda + i0, pr.lda, kc, mb, mr, out, mr * kc);
    return;
  }
  for (int64_t t0 = 0; t0 < mb; t0 += mr) {
    const int64_t rows = std::min<int64_t>(mr, mb - t0);
    transpose_copy(pr.a + (i0 + t0) * pr.lda + p0, pr.lda, rows, kc, out + (t0 / mr) * mr * kc,
                   mr);
  }
}

// Packs op(B)[p0 : p0+kc, j0 : j0+nb] into column panels of nr: panel q holds
// B(p, q*nr + j) at out[q*nr*kc + p*nr + j].
void pack_b(const Problem& pr, int64_t p0, int64_t kc, int64_t j0, int64_t nb, int nr,
            float* out) {
  if (pr.tb == Trans::kNo) {
    split_rows(pr.b + p0 * pr.ldb + j0, pr.ldb, kc, nb, nr, out, nr * kc);
    return;
  }
  for (int64_t q0 = 0; q0 < nb; q0 += nr) {
    const int64_t cols = std::min<int64_t>(nr, nb - q0);
    transpose_copy(pr.b + (j0 + q0) * pr.ldb + p0, pr.ldb, cols, kc, out + (q0 / nr) * nr * kc,
                   nr);
  }
}

// Computes C[m0:m1, n0:n1] completely (all k blocks) on the calling thread.
void run_range(const KernelSet& ks, const Problem& pr, int64_t m0, int64_t m1, int64_t n0,
               int64_t n1) {
  const int64_t ms = m1 - m0;
  const int64_t ns = n1 - n0;
  const int64_t kblocks = kc_count(pr.k);
  const int64_t kc_max = (pr.k + kblocks - 1) / kblocks;
  // Read A in place when at most two column panels reuse each A element (packing would
  // cost about as much as it saves).
  const bool direct_a = ns <= 2 * ks.nr;
  // Read B in place when it is not transposed and either few rows reuse it or the whole
  // k x n slab is small enough to stay cached.
  const bool direct_b = pr.tb == Trans::kNo && (ms <= 64 || pr.k * ns <= 16384);
  const int64_t mc = std::min(ms, ks.mc);
  const int64_t nc = std::min(ns, ks.nc);
  float* a_buf = direct_a ? nullptr : scratch(0, ((mc + ks.mr - 1) / ks.mr) * ks.mr * kc_max);
  float* b_buf = direct_b ? nullptr : scratch(1, ((nc + ks.nr - 1) / ks.nr) * ks.nr * kc_max);

  Block blk;
  blk.ldc = pr.ldc;
  blk.alpha = pr.alpha;
  blk.beta = pr.beta;
  for (int64_t jc = n0; jc < n1; jc += nc) {
    const int64_t nb = std::min(nc, n1 - jc);
    for (int64_t kb = 0; kb < kblocks; ++kb) {
      const int64_t p0 = kc_begin(pr.k, kblocks, kb);
      const int64_t kc = kc_begin(pr.k, kblocks, kb + 1) - p0;
      if (kb > 0) blk.mode = CMode::kAccumulate;
      else blk.mode = pr.beta == 0.0f ? CMode::kOverwrite : CMode::kScale;
      if (direct_b) {
        blk.b = pr.b + p0 * pr.ldb + jc;
        blk.b_panel = ks.nr;
        blk.b_ks = pr.ldb;
      } else {
        pack_b(pr, p0, kc, jc, nb, ks.nr, b_buf);
        blk.b = b_buf;
        blk.b_panel = ks.nr * kc;
        blk.b_ks = ks.nr;
      }
      for (int64_t ic = m0; ic < m1; ic += mc) {
        const int64_t mb = std::min(mc, m1 - ic);
        if (!direct_a) {
          pack_a(pr, ic, mb, p0, kc, ks.mr, a_buf);
          blk.a = a_buf;
          blk.a_tile = ks.mr * kc;
          blk.a_rs = 1;
          blk.a_ks = ks.mr;
          blk.a_rows = false;
        } else if (pr.ta == Trans::kNo) {
          blk.a = pr.a + ic * pr.lda + p0;
          blk.a_tile = ks.mr * pr.lda;
          blk.a_rs = pr.lda;
          blk.a_ks = 1;
          blk.a_rows = true;
        } else {
          blk.a = pr.a + p0 * pr.lda + ic;
          blk.a_tile = ks.mr;
          blk.a_rs = 1;
          blk.a_ks = pr.lda;
          blk.a_rows = false;
        }
        blk.m = mb;
        blk.n = nb;
        blk.kc = kc;
        blk.c = pr.c + ic * pr.ldc + jc;
        ks.block(blk);
      }
    }
  }
}

// C = beta * C (alpha == 0 or k == 0); beta == 0 writes zeros.
void scale_c(const Problem& pr) {
  for (int64_t i = 0; i < pr.m; ++i) {
    float* c = pr.c + i * pr.ldc;
    if (pr.beta == 0.0f) {
      std::fill(c, c + pr.n, 0.0f);
    } else {
      for (int64_t j = 0; j < pr.n; ++j) c[j] *= pr.beta;
    }
  }
}

void check_args(Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, const float* a,
                int64_t lda, const float* b, int64_t ldb, const float* c, int64_t ldc) {
  auto fail = [](const std::string& what) { throw Error("sgemm: " + what); };
  if (m < 0 || n < 0 || k < 0) fail("negative dimension");
  const int64_t a_cols = ta == Trans::kNo ? k : m;
  const int64_t b_cols = tb == Trans::kNo ? n : k;
  if (lda < std::max<int64_t>(1, a_cols)) fail("lda " + std::to_string(lda) + " too small");
  if (ldb < std::max<int64_t>(1, b_cols)) fail("ldb " + std::to_string(ldb) + " too small");
  if (ldc < std::max<int64_t>(1, n)) fail("ldc " + std::to_string(ldc) + " too small");
  if (m > 0 && n > 0 && c == nullptr) fail("null C");
  if (m > 0 && n > 0 && k > 0 && (a == nullptr || b == nullptr)) fail("null A or B");
}

const KernelSet* kernels_for(Isa isa) {
  const CpuFeatures& f = cpu_features();
  switch (isa) {
    case Isa::kAvx512: return f.avx512_core() ? avx512_kernels() : nullptr;
    case Isa::kAvx2: return f.avx2_fma() ? avx2_kernels() : nullptr;
    case Isa::kPortable: return &kPortableSet;
  }
  return nullptr;
}

// Below this many multiply-adds (~1.5 us on one Zen 4 core) a call runs on the caller
// thread only: splitting 40k-MAC products gained at most ~25% on an idle machine and
// lost several-fold when the second core was busy.
constexpr int64_t kMinParallelWork = 1 << 16;

}  // namespace

const KernelSet& portable_kernels() { return kPortableSet; }

bool isa_available(Isa isa) { return kernels_for(isa) != nullptr; }

Isa best_isa() {
  if (isa_available(Isa::kAvx512)) return Isa::kAvx512;
  if (isa_available(Isa::kAvx2)) return Isa::kAvx2;
  return Isa::kPortable;
}

void sgemm_with(Isa isa, Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k,
                float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
                float beta, float* c, int64_t ldc, ThreadPool* pool) {
  check_args(trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc);
  const KernelSet* ks = kernels_for(isa);
  if (ks == nullptr) throw Error("sgemm: requested ISA path is not available on this CPU");
  if (m == 0 || n == 0) return;
  const Problem pr{trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc};
  if (k == 0 || alpha == 0.0f) {
    scale_c(pr);
    return;
  }
  const int threads = pool != nullptr ? pool->num_threads() : 1;
  if (threads <= 1 || m * n * k < kMinParallelWork) {
    run_range(*ks, pr, 0, m, 0, n);
    return;
  }
  // Split the dimension with more micro-tiles into tile-aligned ranges of whole rows or
  // columns; every C element is then computed by exactly one thread.
  const int64_t m_units = (m + ks->mr - 1) / ks->mr;
  const int64_t n_units = (n + ks->nr - 1) / ks->nr;
  struct Ctx {
    const KernelSet* ks;
    const Problem* pr;
  } ctx{ks, &pr};
  const Ctx* cp = &ctx;
  if (m_units >= n_units) {
    pool->parallel_for(m_units, [cp](int64_t begin, int64_t end) {
      const int64_t mr = cp->ks->mr;
      run_range(*cp->ks, *cp->pr, begin * mr, std::min(end * mr, cp->pr->m), 0, cp->pr->n);
    });
  } else {
    pool->parallel_for(n_units, [cp](int64_t begin, int64_t end) {
      const int64_t nr = cp->ks->nr;
      run_range(*cp->ks, *cp->pr, 0, cp->pr->m, begin * nr, std::min(end * nr, cp->pr->n));
    });
  }
}

}  // namespace gemm_internal

void sgemm(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, float alpha,
           const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
           int64_t ldc, ThreadPool* pool) {
  gemm_internal::sgemm_with(gemm_internal::best_isa(), trans_a, trans_b, m, n, k, alpha, a,
                            lda, b, ldb, beta, c, ldc, pool);
}

void sgemm_reference(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                     const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                     float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0.0;
      for (int64_t p = 0; p < k; ++p) {
        const double x = trans_a == Trans::kNo ? a[i * lda + p] : a[p * lda + i];
        const double y = trans_b == Trans::kNo ? b[p * ldb + j] : b[j * ldb + p];
        acc += x * y;
      }
      float& out = c[i * ldc + j];
      const double old = beta == 0.0f ? 0.0 : static_cast<double>(beta) * out;
      out = static_cast<float>(static_cast<double>(alpha) * acc + old);
    }
  }
}

}  // namespace lq
