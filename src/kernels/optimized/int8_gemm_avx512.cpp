// AVX-512 VNNI int8 GEMM with fused single-rounding requantization (int8_gemm.h).
// Micro-tiles of R rows x NV vectors of 16 channels; vpdpbusd multiplies 4 u8 of A
// (broadcast) with 4 s8 weights per channel and adds to int32 accumulators. The file is
// compiled with -mavx512f/bw/vl/dq; the VNNI functions carry a target attribute and are
// only reached after int8_path_available(kAvx512Vnni).
#include "int8_gemm.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
// GCC 12's AVX-512 headers build unmasked shifts from _mm512_undefined_epi32(), which
// -Wuninitialized reports once inlined (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#define LQ_VNNI __attribute__((target("avx512vnni")))
#define LQ_UNROLL _Pragma("GCC unroll 16")

namespace lq::kernels::int8_opt {
namespace {

// Per-vector requantization constants (16 channels).
struct Requant16 {
  __m512i offset, multiplier, mult_odd, shift_even, shift_odd, round_even, round_odd;
};

LQ_VNNI inline Requant16 load_requant(const PackedGemm& g, int64_t ch) {
  Requant16 q;
  const __m512i one = _mm512_set1_epi64(1);
  const __m512i shift = _mm512_loadu_si512(g.total_shift.data() + ch);
  q.offset = _mm512_loadu_si512(g.offset.data() + ch);
  q.multiplier = _mm512_loadu_si512(g.multiplier.data() + ch);
  q.mult_odd = _mm512_srli_epi64(q.multiplier, 32);
  q.shift_even = _mm512_and_si512(shift, _mm512_set1_epi64(0xFFFFFFFF));
  q.shift_odd = _mm512_srli_epi64(shift, 32);
  q.round_even = _mm512_sllv_epi64(one, _mm512_sub_epi64(q.shift_even, one));
  q.round_odd = _mm512_sllv_epi64(one, _mm512_sub_epi64(q.shift_odd, one));
  return q;
}

// (int64(acc) * M + 2^(s-1)) >> s per lane, truncated to int32, clamped, + zp_out.
LQ_VNNI inline __m128i requantize16(__m512i acc, const Requant16& q, __m512i lo, __m512i hi,
                                    __m512i zp) {
  acc = _mm512_add_epi32(acc, q.offset);
  __m512i even = _mm512_mul_epi32(acc, q.multiplier);
  __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(acc, 32), q.mult_odd);
  even = _mm512_srav_epi64(_mm512_add_epi64(even, q.round_even), q.shift_even);
  odd = _mm512_srav_epi64(_mm512_add_epi64(odd, q.round_odd), q.shift_odd);
  __m512i r = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  r = _mm512_min_epi32(_mm512_max_epi32(r, lo), hi);
  return _mm512_cvtepi32_epi8(_mm512_add_epi32(r, zp));
}

struct TileArgs {
  const PackedGemm* g;
  const uint8_t* a;
  int64_t lda;
  const int8_t* w;  // panel start
  int64_t ch0;      // first channel of the panel
  int8_t* c;
  int64_t ldc;
};

template <int R, int NV>
LQ_VNNI void tile(const TileArgs& t) {
  const int64_t groups = t.g->kp / 4;
  __m512i acc[R][NV];
  LQ_UNROLL for (int r = 0; r < R; ++r) {
    LQ_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_si512();
  }
  const int8_t* w = t.w;
  const uint8_t* a = t.a;
  for (int64_t q = 0; q < groups; ++q) {
    __m512i wv[NV];
    LQ_UNROLL for (int v = 0; v < NV; ++v) wv[v] = _mm512_loadu_si512(w + v * 64);
    LQ_UNROLL for (int r = 0; r < R; ++r) {
      int32_t x;
      std::memcpy(&x, a + r * t.lda, sizeof(x));
      const __m512i xb = _mm512_set1_epi32(x);
      LQ_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], xb, wv[v]);
    }
    w += NV * 64;
    a += 4;
  }
  const PackedGemm& g = *t.g;
  const __m512i lo = _mm512_set1_epi32(g.out_lo), hi = _mm512_set1_epi32(g.out_hi);
  const __m512i zp = _mm512_set1_epi32(g.zp_out);
  LQ_UNROLL for (int v = 0; v < NV; ++v) {
    const int64_t ch = t.ch0 + v * 16;
    const int64_t rem = g.n - ch;
    const __mmask16 mask = rem >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << rem) - 1u);
    const Requant16 q = load_requant(g, ch);
    LQ_UNROLL for (int r = 0; r < R; ++r) {
      _mm_mask_storeu_epi8(t.c + r * t.ldc + ch, mask, requantize16(acc[r][v], q, lo, hi, zp));
    }
  }
}

// `rows` < R rows: the instantiation for exactly that many.
template <int R, int NV>
LQ_VNNI void tile_rows(int64_t rows, const TileArgs& t) {
  if constexpr (R > 1) {
    if (rows < R) return tile_rows<R - 1, NV>(rows, t);
  }
  tile<R, NV>(t);
}

template <int NV, int R>
LQ_VNNI void panel(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows,
                   const int8_t* w, int64_t ch0, int8_t* c, int64_t ldc) {
  TileArgs t{&g, a, lda, w, ch0, c, ldc};
  int64_t r = 0;
  for (; r + R <= rows; r += R) {
    t.a = a + r * lda;
    t.c = c + r * ldc;
    tile<R, NV>(t);
  }
  if (r < rows) {
    t.a = a + r * lda;
    t.c = c + r * ldc;
    tile_rows<R - 1, NV>(rows - r, t);
  }
}

}  // namespace

bool avx512_vnni_compiled() { return true; }

LQ_VNNI void gemm_avx512_vnni(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows,
                              int8_t* c, int64_t ldc) {
  const int64_t nvec = (g.n + 15) / 16;
  for (int64_t p0 = 0; p0 < nvec; p0 += 4) {
    const int8_t* w = g.w8.data() + p0 * 16 * g.kp;
    const int64_t ch0 = p0 * 16;
    switch (std::min<int64_t>(4, nvec - p0)) {
      case 4: panel<4, 6>(g, a, lda, rows, w, ch0, c, ldc); break;
      case 3: panel<3, 8>(g, a, lda, rows, w, ch0, c, ldc); break;
      case 2: panel<2, 8>(g, a, lda, rows, w, ch0, c, ldc); break;
      default: panel<1, 8>(g, a, lda, rows, w, ch0, c, ldc); break;
    }
  }
}

}  // namespace lq::kernels::int8_opt

#else

namespace lq::kernels::int8_opt {
bool avx512_vnni_compiled() { return false; }
void gemm_avx512_vnni(const PackedGemm&, const uint8_t*, int64_t, int64_t, int8_t*, int64_t) {}
}  // namespace lq::kernels::int8_opt

#endif
