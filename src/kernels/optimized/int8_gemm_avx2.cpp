// AVX2 int8 GEMM with fused single-rounding requantization (int8_gemm.h). No u8 x s8
// instruction of AVX2 is exact (vpmaddubsw saturates), so weights are packed as int16 and
// A bytes widened to int16 pairs: vpmaddwd adds two exact products per int32 lane.
// Micro-tiles of R rows x NV vectors of 8 channels. Compiled with -mavx2 -mfma; only
// reached after int8_path_available(kAvx2).
#include "int8_gemm.h"

#if defined(__AVX2__)
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <type_traits>

#define LQ_UNROLL _Pragma("GCC unroll 16")

namespace lq::kernels::int8_opt {
namespace {

struct Requant8 {
  __m256i offset, multiplier, mult_odd, shift_even, shift_odd, round_even, round_odd, corr_even,
      corr_odd;
};

inline Requant8 load_requant(const PackedGemm& g, int64_t ch) {
  Requant8 q;
  const __m256i one = _mm256_set1_epi64x(1), s63 = _mm256_set1_epi64x(63);
  const __m256i sign = _mm256_set1_epi64x(static_cast<long long>(0x8000000000000000ull));
  const __m256i shift =
      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g.total_shift.data() + ch));
  q.offset = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g.offset.data() + ch));
  q.multiplier = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g.multiplier.data() + ch));
  q.mult_odd = _mm256_srli_epi64(q.multiplier, 32);
  q.shift_even = _mm256_and_si256(shift, _mm256_set1_epi64x(0xFFFFFFFF));
  q.shift_odd = _mm256_srli_epi64(shift, 32);
  // Arithmetic shift from a logical one: (x + 2^63) >>> s = (x >> s) + 2^(63 - s).
  q.round_even = _mm256_add_epi64(_mm256_sllv_epi64(one, _mm256_sub_epi64(q.shift_even, one)), sign);
  q.round_odd = _mm256_add_epi64(_mm256_sllv_epi64(one, _mm256_sub_epi64(q.shift_odd, one)), sign);
  q.corr_even = _mm256_sllv_epi64(one, _mm256_sub_epi64(s63, q.shift_even));
  q.corr_odd = _mm256_sllv_epi64(one, _mm256_sub_epi64(s63, q.shift_odd));
  return q;
}

inline void requantize8(__m256i acc, const Requant8& q, __m256i lo, __m256i hi, __m256i zp,
                        int8_t* dst, int64_t count) {
  acc = _mm256_add_epi32(acc, q.offset);
  __m256i even = _mm256_mul_epi32(acc, q.multiplier);
  __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(acc, 32), q.mult_odd);
  even = _mm256_sub_epi64(_mm256_srlv_epi64(_mm256_add_epi64(even, q.round_even), q.shift_even),
                          q.corr_even);
  odd = _mm256_sub_epi64(_mm256_srlv_epi64(_mm256_add_epi64(odd, q.round_odd), q.shift_odd),
                         q.corr_odd);
  __m256i r = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  r = _mm256_add_epi32(_mm256_min_epi32(_mm256_max_epi32(r, lo), hi), zp);
  const __m128i p16 = _mm_packs_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
  const __m128i p8 = _mm_packs_epi16(p16, p16);
  if (count >= 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), p8);
  } else {
    int8_t buf[16];
    _mm_storeu_si128(reinterpret_cast<__m128i*>(buf), p8);
    std::memcpy(dst, buf, static_cast<size_t>(count));
  }
}

// acc + offset as int32 (gemm_int32), `count` lanes.
inline void store_raw8(__m256i acc, const PackedGemm& g, int64_t ch, int32_t* dst, int64_t count) {
  acc = _mm256_add_epi32(acc, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g.offset.data() + ch)));
  if (count >= 8) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), acc);
  } else {
    int32_t buf[8];
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(buf), acc);
    std::memcpy(dst, buf, static_cast<size_t>(count) * sizeof(int32_t));
  }
}

// Out: int8_t (requantized) or int32_t (raw).
template <typename Out>
struct TileArgs {
  const PackedGemm* g;
  const uint8_t* a;
  int64_t lda;
  const int16_t* w;  // panel start
  int64_t ch0;
  Out* c;
  int64_t ldc;
};

template <int R, int NV, typename Out>
void tile(const TileArgs<Out>& t) {
  const int64_t groups = t.g->kp / 4;
  __m256i acc[R][NV];
  LQ_UNROLL for (int r = 0; r < R; ++r) {
    LQ_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = _mm256_setzero_si256();
  }
  const int16_t* w = t.w;
  const uint8_t* a = t.a;
  for (int64_t q = 0; q < groups; ++q) {
    __m256i w0[NV], w1[NV];
    LQ_UNROLL for (int v = 0; v < NV; ++v) {
      w0[v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + v * 16));
      w1[v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + (NV + v) * 16));
    }
    LQ_UNROLL for (int r = 0; r < R; ++r) {
      uint32_t x;
      std::memcpy(&x, a + r * t.lda, sizeof(x));
      // Bytes b0..b3 -> int16 pairs (b0, b1) and (b2, b3).
      const __m256i x0 = _mm256_set1_epi32(static_cast<int>((x & 0xFFu) | ((x << 8) & 0xFF0000u)));
      const __m256i x1 =
          _mm256_set1_epi32(static_cast<int>(((x >> 16) & 0xFFu) | ((x >> 8) & 0xFF0000u)));
      LQ_UNROLL for (int v = 0; v < NV; ++v) {
        acc[r][v] = _mm256_add_epi32(acc[r][v], _mm256_madd_epi16(x0, w0[v]));
        acc[r][v] = _mm256_add_epi32(acc[r][v], _mm256_madd_epi16(x1, w1[v]));
      }
    }
    w += 2 * NV * 16;
    a += 4;
  }
  const PackedGemm& g = *t.g;
  if constexpr (std::is_same_v<Out, int32_t>) {
    LQ_UNROLL for (int v = 0; v < NV; ++v) {
      const int64_t ch = t.ch0 + v * 8;
      const int64_t count = std::min<int64_t>(8, g.n - ch);
      LQ_UNROLL for (int r = 0; r < R; ++r) store_raw8(acc[r][v], g, ch, t.c + r * t.ldc + ch, count);
    }
  } else {
    const __m256i lo = _mm256_set1_epi32(g.out_lo), hi = _mm256_set1_epi32(g.out_hi);
    const __m256i zp = _mm256_set1_epi32(g.zp_out);
    LQ_UNROLL for (int v = 0; v < NV; ++v) {
      const int64_t ch = t.ch0 + v * 8;
      const int64_t count = std::min<int64_t>(8, g.n - ch);
      const Requant8 q = load_requant(g, ch);
      LQ_UNROLL for (int r = 0; r < R; ++r) requantize8(acc[r][v], q, lo, hi, zp, t.c + r * t.ldc + ch, count);
    }
  }
}

template <int R, int NV, typename Out>
void tile_rows(int64_t rows, const TileArgs<Out>& t) {
  if constexpr (R > 1) {
    if (rows < R) return tile_rows<R - 1, NV>(rows, t);
  }
  tile<R, NV>(t);
}

template <int NV, int R, typename Out>
void panel(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows, const int16_t* w,
           int64_t ch0, Out* c, int64_t ldc) {
  TileArgs<Out> t{&g, a, lda, w, ch0, c, ldc};
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

template <typename Out>
void gemm_panels(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows, Out* c,
                 int64_t ldc) {
  const int64_t nvec = (g.n + 7) / 8;
  for (int64_t p0 = 0; p0 < nvec; p0 += 2) {
    const int16_t* w = g.w16.data() + p0 * 8 * g.kp;
    if (nvec - p0 >= 2) panel<2, 4>(g, a, lda, rows, w, p0 * 8, c, ldc);
    else panel<1, 6>(g, a, lda, rows, w, p0 * 8, c, ldc);
  }
}

}  // namespace

bool avx2_compiled() { return true; }

void gemm_avx2(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows, int8_t* c,
               int64_t ldc) {
  gemm_panels(g, a, lda, rows, c, ldc);
}

void gemm_avx2_int32(const PackedGemm& g, const uint8_t* a, int64_t lda, int64_t rows, int32_t* c,
                     int64_t ldc) {
  gemm_panels(g, a, lda, rows, c, ldc);
}

}  // namespace lq::kernels::int8_opt

#else

namespace lq::kernels::int8_opt {
bool avx2_compiled() { return false; }
void gemm_avx2(const PackedGemm&, const uint8_t*, int64_t, int64_t, int8_t*, int64_t) {}
void gemm_avx2_int32(const PackedGemm&, const uint8_t*, int64_t, int64_t, int32_t*, int64_t) {}
}  // namespace lq::kernels::int8_opt

#endif
