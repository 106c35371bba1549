// AVX2 row kernel of the optimized int8 DEPTHWISE_CONV_2D (int8_depthwise.h): tiles of
// 4 output pixels x 8 channels; per tap, vpmaddwd of x (sign-extended to int32) with w's
// 16 low bits gives x * w exactly; double-rounding requantization vectorized exactly.
// Compiled with -mavx2 -mfma; only reached after int8_path_available(kAvx2).
#include "int8_depthwise.h"

#if defined(__AVX2__)
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#define LQ_UNROLL _Pragma("GCC unroll 16")

namespace lq::kernels::int8_opt {
namespace {

struct Requant8 {
  __m256i offset, multiplier, mult_odd, left, right, mask, half_mask;
};

inline __m256i load8(const int32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

inline Requant8 load_requant(const PackedDepthwise& d, int64_t c0) {
  Requant8 q;
  q.offset = load8(d.offset.data() + c0);
  q.multiplier = load8(d.multiplier.data() + c0);
  q.mult_odd = _mm256_srli_epi64(q.multiplier, 32);
  q.left = load8(d.left.data() + c0);
  q.right = load8(d.right.data() + c0);
  q.mask = load8(d.mask.data() + c0);
  q.half_mask = _mm256_srli_epi32(q.mask, 1);
  return q;
}

inline void requantize8(__m256i acc, const Requant8& q, __m256i lo, __m256i hi, __m256i zp,
                        int8_t* dst, int64_t count) {
  // saturate_int32(acc << left)
  __m256i s = _mm256_sllv_epi32(acc, q.left);
  const __m256i same = _mm256_cmpeq_epi32(_mm256_srav_epi32(s, q.left), acc);
  const __m256i saturated = _mm256_xor_si256(_mm256_set1_epi32(0x7FFFFFFF), _mm256_srai_epi32(acc, 31));
  s = _mm256_blendv_epi8(saturated, s, same);
  // (int64(s) * M + 2^30) >> 31, low 32 bits of each lane.
  const __m256i nudge = _mm256_set1_epi64x(int64_t{1} << 30);
  __m256i even = _mm256_add_epi64(_mm256_mul_epi32(s, q.multiplier), nudge);
  __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(s, 32), q.mult_odd), nudge);
  even = _mm256_srli_epi64(even, 31);
  odd = _mm256_slli_epi64(odd, 1);
  const __m256i h = _mm256_blend_epi32(even, odd, 0xAA);
  // Rounding divide by 2^right.
  const __m256i remainder = _mm256_and_si256(h, q.mask);
  const __m256i threshold = _mm256_add_epi32(q.half_mask, _mm256_srli_epi32(h, 31));
  const __m256i up = _mm256_cmpgt_epi32(remainder, threshold);  // -1 where rounding up
  __m256i r = _mm256_sub_epi32(_mm256_srav_epi32(h, q.right), up);
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

inline __m256i load_x(const int8_t* p) {
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}

template <int R>
inline void tile(const PackedDepthwise& d, const DepthwiseRow& row, int64_t ox, int64_t c0,
                 const Requant8& q, int64_t count, __m256i lo, __m256i hi, __m256i zp) {
  const int64_t cp = d.cp;
  const int64_t pixel_step = row.stride_w * cp, tap_step = row.dilation_w * cp;
  __m256i acc[R];
  LQ_UNROLL for (int r = 0; r < R; ++r) acc[r] = q.offset;
  const int32_t* w = d.w.data() + c0;
  for (int64_t ky = 0; ky < row.filter_h; ++ky) {
    const int8_t* src = row.image + (row.y0 + ky * row.dilation_h) * row.row_stride + ox * pixel_step + c0;
    for (int64_t kx = 0; kx < row.filter_w; ++kx, src += tap_step, w += cp) {
      const __m256i wv = load8(w);
      LQ_UNROLL for (int r = 0; r < R; ++r)
        acc[r] = _mm256_add_epi32(acc[r], _mm256_madd_epi16(load_x(src + r * pixel_step), wv));
    }
  }
  const int64_t n = d.channels;
  LQ_UNROLL for (int r = 0; r < R; ++r) requantize8(acc[r], q, lo, hi, zp, row.out + (ox + r) * n + c0, count);
}

}  // namespace

bool depthwise_avx2_compiled() { return true; }

void depthwise_row_avx2(const PackedDepthwise& d, const DepthwiseRow& row) {
  const __m256i lo = _mm256_set1_epi32(d.out_lo), hi = _mm256_set1_epi32(d.out_hi);
  const __m256i zp = _mm256_set1_epi32(d.zp_out);
  constexpr int kR = 4;
  for (int64_t c0 = 0; c0 < d.channels; c0 += 8) {
    const int64_t count = std::min<int64_t>(8, d.channels - c0);
    const Requant8 q = load_requant(d, c0);
    int64_t ox = 0;
    for (; ox + kR <= row.out_w; ox += kR) tile<kR>(d, row, ox, c0, q, count, lo, hi, zp);
    for (; ox < row.out_w; ++ox) tile<1>(d, row, ox, c0, q, count, lo, hi, zp);
  }
}

}  // namespace lq::kernels::int8_opt

#else

namespace lq::kernels::int8_opt {
bool depthwise_avx2_compiled() { return false; }
void depthwise_row_avx2(const PackedDepthwise&, const DepthwiseRow&) {}
}  // namespace lq::kernels::int8_opt

#endif
