// AVX-512 VNNI row kernel of the optimized int8 DEPTHWISE_CONV_2D (int8_depthwise.h):
// tiles of 4 output pixels x 16 channels; per tap, vpdpwssd adds x * w (x sign-extended
// to int32, w's 16 low bits) to int32 accumulators; double-rounding requantization is
// vectorized exactly. Reached only after int8_path_available(kAvx512Vnni).
#include "int8_depthwise.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
// GCC 12's AVX-512 headers build unmasked shifts from _mm512_undefined_epi32(), which
// -Wuninitialized reports once inlined (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <algorithm>

#define LQ_VNNI __attribute__((target("avx512vnni")))
#define LQ_UNROLL _Pragma("GCC unroll 16")

namespace lq::kernels::int8_opt {
namespace {

struct Requant16 {
  __m512i offset, multiplier, mult_odd, left, right, mask, half_mask;
};

LQ_VNNI inline Requant16 load_requant(const PackedDepthwise& d, int64_t c0) {
  Requant16 q;
  q.offset = _mm512_loadu_si512(d.offset.data() + c0);
  q.multiplier = _mm512_loadu_si512(d.multiplier.data() + c0);
  q.mult_odd = _mm512_srli_epi64(q.multiplier, 32);
  q.left = _mm512_loadu_si512(d.left.data() + c0);
  q.right = _mm512_loadu_si512(d.right.data() + c0);
  q.mask = _mm512_loadu_si512(d.mask.data() + c0);
  q.half_mask = _mm512_srli_epi32(q.mask, 1);
  return q;
}

// Double rounding (int8_depthwise.h), clamped to [lo, hi], + zp, narrowed to int8.
LQ_VNNI inline __m128i requantize16(__m512i acc, const Requant16& q, __m512i lo, __m512i hi,
                                    __m512i zp) {
  // saturate_int32(acc << left)
  __m512i s = _mm512_sllv_epi32(acc, q.left);
  const __mmask16 overflow = _mm512_cmpneq_epi32_mask(_mm512_srav_epi32(s, q.left), acc);
  const __mmask16 negative = _mm512_cmplt_epi32_mask(acc, _mm512_setzero_si512());
  const __m512i saturated = _mm512_mask_blend_epi32(negative, _mm512_set1_epi32(0x7FFFFFFF),
                                                    _mm512_set1_epi32(static_cast<int>(0x80000000u)));
  s = _mm512_mask_mov_epi32(s, overflow, saturated);
  // (int64(s) * M + 2^30) >> 31, low 32 bits of each lane.
  const __m512i nudge = _mm512_set1_epi64(int64_t{1} << 30);
  __m512i even = _mm512_add_epi64(_mm512_mul_epi32(s, q.multiplier), nudge);
  __m512i odd = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(s, 32), q.mult_odd), nudge);
  even = _mm512_srli_epi64(even, 31);
  odd = _mm512_slli_epi64(odd, 1);
  __m512i h = _mm512_mask_blend_epi32(0xAAAA, even, odd);
  // Rounding divide by 2^right.
  const __m512i remainder = _mm512_and_si512(h, q.mask);
  const __m512i threshold = _mm512_add_epi32(q.half_mask, _mm512_srli_epi32(h, 31));
  const __mmask16 up = _mm512_cmpgt_epi32_mask(remainder, threshold);
  __m512i r = _mm512_srav_epi32(h, q.right);
  r = _mm512_mask_add_epi32(r, up, r, _mm512_set1_epi32(1));
  r = _mm512_min_epi32(_mm512_max_epi32(r, lo), hi);
  return _mm512_cvtepi32_epi8(_mm512_add_epi32(r, zp));
}

inline __m512i load_x(const int8_t* p) {
  return _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// R output pixels starting at ox, channels [c0, c0 + 16).
template <int R>
LQ_VNNI inline void tile(const PackedDepthwise& d, const DepthwiseRow& row, int64_t ox, int64_t c0,
                         const Requant16& q, __mmask16 store_mask, __m512i lo, __m512i hi, __m512i zp) {
  const int64_t cp = d.cp;
  const int64_t pixel_step = row.stride_w * cp, tap_step = row.dilation_w * cp;
  __m512i acc[R];
  LQ_UNROLL for (int r = 0; r < R; ++r) acc[r] = q.offset;
  const int32_t* w = d.w.data() + c0;
  for (int64_t ky = 0; ky < row.filter_h; ++ky) {
    const int8_t* src = row.image + (row.y0 + ky * row.dilation_h) * row.row_stride + ox * pixel_step + c0;
    for (int64_t kx = 0; kx < row.filter_w; ++kx, src += tap_step, w += cp) {
      const __m512i wv = _mm512_loadu_si512(w);
      LQ_UNROLL for (int r = 0; r < R; ++r) acc[r] = _mm512_dpwssd_epi32(acc[r], load_x(src + r * pixel_step), wv);
    }
  }
  const int64_t n = d.channels;
  LQ_UNROLL for (int r = 0; r < R; ++r)
    _mm_mask_storeu_epi8(row.out + (ox + r) * n + c0, store_mask, requantize16(acc[r], q, lo, hi, zp));
}

}  // namespace

bool depthwise_avx512_compiled() { return true; }

LQ_VNNI void depthwise_row_avx512(const PackedDepthwise& d, const DepthwiseRow& row) {
  const __m512i lo = _mm512_set1_epi32(d.out_lo), hi = _mm512_set1_epi32(d.out_hi);
  const __m512i zp = _mm512_set1_epi32(d.zp_out);
  constexpr int kR = 4;
  for (int64_t c0 = 0; c0 < d.channels; c0 += 16) {
    const int64_t rem = d.channels - c0;
    const __mmask16 store_mask = rem >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << rem) - 1u);
    const Requant16 q = load_requant(d, c0);
    int64_t ox = 0;
    for (; ox + kR <= row.out_w; ox += kR) tile<kR>(d, row, ox, c0, q, store_mask, lo, hi, zp);
    for (; ox < row.out_w; ++ox) tile<1>(d, row, ox, c0, q, store_mask, lo, hi, zp);
  }
}

}  // namespace lq::kernels::int8_opt

#else

namespace lq::kernels::int8_opt {
bool depthwise_avx512_compiled() { return false; }
void depthwise_row_avx512(const PackedDepthwise&, const DepthwiseRow&) {}
}  // namespace lq::kernels::int8_opt

#endif
