// AVX-512 float parts of the optimized dynamic-range kernels (hybrid_rows.h): the
// portable expressions 16 lanes at a time, same operations, same order, no FMA.
// GCC contracts a * b + c into an FMA in C++ even with -std=c++20 (its ISO-mode
// -ffp-contract=off applies to C only) and this file is built with -mfma: _mm512_mul_ps
// and _mm512_add_ps are plain vector operators it may fuse (the tests saw 1-ulp
// differences). The arithmetic below therefore uses the explicit-rounding forms
// (mul/add/sub with _MM_FROUND_TO_NEAREST_INT), builtins GCC never fuses.
// std::min(a, b) == _mm512_min_ps(b, a) and std::max(a, b) == _mm512_max_ps(b, a),
// NaN and signed zeros included; std::round is trunc plus a step away from zero when
// the (exact) fraction is >= 0.5.
#include "hybrid_rows.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <algorithm>

namespace lq::kernels::hybrid_opt {
namespace {

constexpr int kNearest = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
inline __m512 mul(__m512 a, __m512 b) { return _mm512_mul_round_ps(a, b, kNearest); }
inline __m512 add(__m512 a, __m512 b) { return _mm512_add_round_ps(a, b, kNearest); }
inline __m512 sub(__m512 a, __m512 b) { return _mm512_sub_round_ps(a, b, kNearest); }

inline __mmask16 tail_mask(int64_t n) { return n >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1u); }

// std::round: half away from zero.
inline __m512 round_half_away(__m512 v) {
  const __m512 t = _mm512_roundscale_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m512 frac = _mm512_abs_ps(sub(v, t));
  const __mmask16 up = _mm512_cmp_ps_mask(frac, _mm512_set1_ps(0.5f), _CMP_GE_OQ);
  const __m512 one = _mm512_castsi512_ps(_mm512_or_si512(
      _mm512_castps_si512(_mm512_set1_ps(1.0f)),
      _mm512_and_si512(_mm512_castps_si512(v), _mm512_set1_epi32(static_cast<int>(0x80000000u)))));
  return _mm512_mask_add_ps(t, up, t, one);
}

}  // namespace

bool avx512_compiled() { return true; }

void min_max_avx512(const float* x, int64_t n, float& lo, float& hi) {
  __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_loadu_ps(x + i);
    vlo = _mm512_min_ps(v, vlo);  // std::min(lo, v)
    vhi = _mm512_max_ps(v, vhi);  // std::max(hi, v)
  }
  alignas(64) float l[16], h[16];
  _mm512_store_ps(l, vlo);
  _mm512_store_ps(h, vhi);
  for (int j = 0; j < 16; ++j) {
    lo = std::min(lo, l[j]);
    hi = std::max(hi, h[j]);
  }
  for (; i < n; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
}

void quantize_u8_avx512(const RowQuant& rq, float qmin, const float* x, int64_t n, uint8_t* dst) {
  const __m512 offset = _mm512_set1_ps(static_cast<float>(rq.zero_point));
  const __m512 inv = _mm512_set1_ps(rq.inverse);
  const __m512 lo = _mm512_set1_ps(qmin), hi = _mm512_set1_ps(127.0f);
  const __m512i bias = _mm512_set1_epi32(128);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = tail_mask(n - i);
    const __m512 v = _mm512_maskz_loadu_ps(m, x + i);
    __m512 q = round_half_away(add(offset, mul(v, inv)));
    q = _mm512_min_ps(hi, _mm512_max_ps(lo, q));  // std::min(std::max(q, lo), hi)
    const __m512i u = _mm512_add_epi32(_mm512_cvttps_epi32(q), bias);
    _mm_mask_storeu_epi8(dst + i, m, _mm512_cvtepi32_epi8(u));
  }
}

namespace {

inline void rescale_row(const Rescale& r, const int32_t* acc, int64_t n, float s_b, int32_t zp_b,
                        float* out) {
  const __m512 sb = _mm512_set1_ps(s_b), zp_f = _mm512_set1_ps(static_cast<float>(zp_b));
  const __m512i zp = _mm512_set1_epi32(zp_b);
  const __m512 lo = _mm512_set1_ps(r.act_lo), hi = _mm512_set1_ps(r.act_hi);
  for (int64_t o = 0; o < n; o += 16) {
    const __mmask16 m = tail_mask(n - o);
    __m512i a = _mm512_maskz_loadu_epi32(m, acc + o);
    const __m512 ws = _mm512_maskz_loadu_ps(m, r.weight_scale + o);
    __m512 value;
    if (r.order == Order::kFullyConnected) {
      if (r.row_sum_f) {
        const __m512 corr = mul(_mm512_maskz_loadu_ps(m, r.row_sum_f + o), zp_f);
        a = _mm512_cvttps_epi32(sub(_mm512_cvtepi32_ps(a), corr));
      }
      const __m512 product = mul(_mm512_cvtepi32_ps(a), mul(sb, ws));
      value = add(_mm512_maskz_loadu_ps(m, r.bias + o), product);
      if (!r.act_none) value = _mm512_max_ps(_mm512_min_ps(hi, value), lo);  // max(lo, min(x, hi))
    } else {
      __m512 product;
      if (r.order == Order::kConv) {
        if (r.row_sum)
          a = _mm512_sub_epi32(a, _mm512_mullo_epi32(zp, _mm512_maskz_loadu_epi32(m, r.row_sum + o)));
        product = mul(_mm512_cvtepi32_ps(a), mul(ws, sb));
      } else {
        product = mul(mul(_mm512_cvtepi32_ps(a), sb), ws);
      }
      value = r.bias ? add(product, _mm512_maskz_loadu_ps(m, r.bias + o)) : product;
      value = _mm512_min_ps(hi, _mm512_max_ps(lo, value));  // min(max(x, lo), hi)
    }
    _mm512_mask_storeu_ps(out + o, m, value);
  }
}

}  // namespace

void rescale_avx512(const Rescale& r, const int32_t* acc, int64_t rows, int64_t n, float s_b,
                    int32_t zp_b, float* out) {
  for (int64_t row = 0; row < rows; ++row, acc += n, out += n) rescale_row(r, acc, n, s_b, zp_b, out);
}

}  // namespace lq::kernels::hybrid_opt

#else

namespace lq::kernels::hybrid_opt {
bool avx512_compiled() { return false; }
void min_max_avx512(const float*, int64_t, float&, float&) {}
void quantize_u8_avx512(const RowQuant&, float, const float*, int64_t, uint8_t*) {}
void rescale_avx512(const Rescale&, const int32_t*, int64_t, int64_t, float, int32_t, float*) {}
}  // namespace lq::kernels::hybrid_opt

#endif
