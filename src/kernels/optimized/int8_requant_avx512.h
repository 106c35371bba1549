#pragma once
// Single-rounding requantization of 16 int32 lanes (the contract in int8_optimized.h),
// shared by the AVX-512 int8 GEMM (int8_gemm_avx512.cpp) and the small-channel direct
// conv (int8_conv_small_avx512.cpp). Include only from files compiled for AVX-512
// F/BW/VL/DQ. Lane constants come from per-lane arrays of PackedGemm's format
// (multiplier M, total_shift s = 31 - shift).
#include <immintrin.h>

#include <cstdint>

namespace lq::kernels::int8_opt {

// Per-vector requantization constants (16 channels). The channel's offset is not here:
// the tiles start their accumulators at it (int32 adds wrap, and the final sum is exact).
struct Requant16 {
  __m512i multiplier, mult_odd, shift_even, shift_odd, round_even, round_odd;
};

inline Requant16 load_requant(const int32_t* multiplier, const int32_t* total_shift) {
  Requant16 q;
  const __m512i one = _mm512_set1_epi64(1);
  const __m512i shift = _mm512_loadu_si512(total_shift);
  q.multiplier = _mm512_loadu_si512(multiplier);
  q.mult_odd = _mm512_srli_epi64(q.multiplier, 32);
  q.shift_even = _mm512_and_si512(shift, _mm512_set1_epi64(0xFFFFFFFF));
  q.shift_odd = _mm512_srli_epi64(shift, 32);
  q.round_even = _mm512_sllv_epi64(one, _mm512_sub_epi64(q.shift_even, one));
  q.round_odd = _mm512_sllv_epi64(one, _mm512_sub_epi64(q.shift_odd, one));
  return q;
}

// (int64(acc) * M + 2^(s-1)) >> s per lane, truncated to int32, clamped, + zp_out.
inline __m128i requantize16(__m512i acc, const Requant16& q, __m512i lo, __m512i hi,
                                    __m512i zp) {
  __m512i even = _mm512_mul_epi32(acc, q.multiplier);
  __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(acc, 32), q.mult_odd);
  even = _mm512_srav_epi64(_mm512_add_epi64(even, q.round_even), q.shift_even);
  odd = _mm512_srav_epi64(_mm512_add_epi64(odd, q.round_odd), q.shift_odd);
  __m512i r = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  r = _mm512_min_epi32(_mm512_max_epi32(r, lo), hi);
  return _mm512_cvtepi32_epi8(_mm512_add_epi32(r, zp));
}

// The same when every channel has s >= 33 (PackedGemm::requant_hi). With the product
// P = H * 2^32 + L (H its high, floor part, 0 <= L < 2^32):
//   (P + 2^(s-1)) >> s = (H + 2^(s-33)) >> (s-32)
// because L < 2^32 only adds a fraction below the floor's step. |H| < 2^30, so the
// result needs no truncation.
// The output zero point rides in the rounding constant, zp * 2^(s-32) (exact: adding a
// multiple of 2^(s-32) before the shift adds that multiple after it), which pack_gemm
// allows only when |H| + 2^(s-33) + |zp| * 2^(s-32) stays inside int32 for every
// accumulator its bound permits (PackedGemm::requant_hi). The clamp is then to the
// absolute [act.min, act.max], and none is needed when that is [-128, 127]: the
// saturating narrowing (vpmovsdb) does it.
struct Requant16Hi {
  __m512i multiplier, mult_odd, shift, round;
};

inline Requant16Hi load_requant_hi(const int32_t* multiplier, const int32_t* total_shift,
                                   int32_t zp_out) {
  Requant16Hi q;
  const __m512i s = _mm512_loadu_si512(total_shift);
  q.multiplier = _mm512_loadu_si512(multiplier);
  q.mult_odd = _mm512_srli_epi64(q.multiplier, 32);
  q.shift = _mm512_sub_epi32(s, _mm512_set1_epi32(32));
  // Padding channels (s = 1) get a count past 31: 0 and an all-sign shift, never stored.
  q.round = _mm512_add_epi32(_mm512_sllv_epi32(_mm512_set1_epi32(1), _mm512_sub_epi32(s, _mm512_set1_epi32(33))),
                             _mm512_sllv_epi32(_mm512_set1_epi32(zp_out), q.shift));
  return q;
}

// Clamp: act range narrower than [-128, 127] (lo, hi: act.min, act.max); the saturating
// narrowing does [-128, 127].
template <bool Clamp>
inline __m128i requantize16_hi(__m512i acc, const Requant16Hi& q, __m512i lo, __m512i hi) {
  const __m512i even = _mm512_mul_epi32(acc, q.multiplier);
  const __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(acc, 32), q.mult_odd);
  const __m512i high = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
  __m512i r = _mm512_srav_epi32(_mm512_add_epi32(high, q.round), q.shift);
  if constexpr (Clamp) r = _mm512_min_epi32(_mm512_max_epi32(r, lo), hi);
  return _mm512_cvtsepi32_epi8(r);
}

}  // namespace lq::kernels::int8_opt
