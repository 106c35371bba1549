// AVX-512 int8 ADD / MUL of equal shapes (int8_optimized_ops.h): 16 elements per step
// in int32 lanes, the reference's double-rounding steps vectorized exactly.
#include "int8_elementwise_opt.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
// GCC 12's AVX-512 headers build some intrinsics from _mm512_undefined_*(), which
// -Wuninitialized reports once inlined (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstdint>

namespace lq::kernels::elementwise_opt {
namespace {

// Double-rounding multiplier with right shift e in [0, 31] (no left shift).
struct Mbqm {
  __m512i m, mask, half;
  __m128i e;
  explicit Mbqm(const QuantizedMultiplier& q) {
    const int right = -q.shift > 0 ? -q.shift : 0;
    m = _mm512_set1_epi64(q.multiplier);
    mask = _mm512_set1_epi32(static_cast<int32_t>((int64_t{1} << right) - 1));
    half = _mm512_srli_epi32(mask, 1);
    e = _mm_cvtsi32_si128(right);
  }
  // rounding_divide_by_pot(saturating_rounding_doubling_high_mul(a, M), e)
  __m512i apply(__m512i a) const {
    const __m512i nudge = _mm512_set1_epi64(int64_t{1} << 30);
    const __m512i even = _mm512_srai_epi64(_mm512_add_epi64(_mm512_mul_epi32(a, m), nudge), 31);
    const __m512i odd = _mm512_srai_epi64(_mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(a, 32), m), nudge), 31);
    const __m512i x = _mm512_mask_blend_epi32(static_cast<__mmask16>(0xAAAA), even, _mm512_slli_epi64(odd, 32));
    const __m512i one = _mm512_set1_epi32(1);
    const __m512i rem = _mm512_and_si512(x, mask);
    const __m512i thr = _mm512_mask_add_epi32(half, _mm512_cmplt_epi32_mask(x, _mm512_setzero_si512()), half, one);
    const __m512i sh = _mm512_sra_epi32(x, e);
    return _mm512_mask_add_epi32(sh, _mm512_cmpgt_epi32_mask(rem, thr), sh, one);
  }
};

inline __mmask16 tail_mask(int64_t left) {
  return left >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << left) - 1);
}

}  // namespace

bool avx512_compiled() { return true; }

void add_avx512(const AddInt8Params& p, const int8_t* a, const int8_t* b, int8_t* out) {
  const Mbqm m1(p.input1_multiplier), m2(p.input2_multiplier), mo(p.output_multiplier);
  const __m512i off1 = _mm512_set1_epi32(p.input1_offset), off2 = _mm512_set1_epi32(p.input2_offset);
  const __m512i zp = _mm512_set1_epi32(p.output_offset);
  const __m512i lo = _mm512_set1_epi32(p.activation.min), hi = _mm512_set1_epi32(p.activation.max);
  const int shift = p.left_shift;
  const int64_t n = p.shape.size;
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail_mask(n - i);
    const __m512i x1 = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(k, a + i));
    const __m512i x2 = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(k, b + i));
    const __m512i s1 = m1.apply(_mm512_slli_epi32(_mm512_add_epi32(x1, off1), static_cast<unsigned>(shift)));
    const __m512i s2 = m2.apply(_mm512_slli_epi32(_mm512_add_epi32(x2, off2), static_cast<unsigned>(shift)));
    __m512i v = _mm512_add_epi32(mo.apply(_mm512_add_epi32(s1, s2)), zp);
    v = _mm512_min_epi32(_mm512_max_epi32(v, lo), hi);
    _mm512_mask_cvtepi32_storeu_epi8(out + i, k, v);
  }
}

void mul_avx512(const MulInt8Params& p, const int8_t* a, const int8_t* b, int8_t* out) {
  const Mbqm mo(p.output_multiplier);
  const unsigned left = p.output_multiplier.shift > 0 ? static_cast<unsigned>(p.output_multiplier.shift) : 0u;
  const __m512i off1 = _mm512_set1_epi32(p.input1_offset), off2 = _mm512_set1_epi32(p.input2_offset);
  const __m512i zp = _mm512_set1_epi32(p.output_offset);
  const __m512i lo8 = _mm512_set1_epi32(-128), hi8 = _mm512_set1_epi32(127);
  const __m512i lo = _mm512_set1_epi32(p.activation.min), hi = _mm512_set1_epi32(p.activation.max);
  const int64_t n = p.shape.size;
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail_mask(n - i);
    const __m512i x1 = _mm512_add_epi32(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(k, a + i)), off1);
    const __m512i x2 = _mm512_add_epi32(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(k, b + i)), off2);
    const __m512i prod = _mm512_sll_epi32(_mm512_mullo_epi32(x1, x2), _mm_cvtsi32_si128(static_cast<int>(left)));
    __m512i v = _mm512_add_epi32(mo.apply(prod), zp);
    v = _mm512_min_epi32(_mm512_max_epi32(v, lo8), hi8);
    v = _mm512_min_epi32(_mm512_max_epi32(v, lo), hi);
    _mm512_mask_cvtepi32_storeu_epi8(out + i, k, v);
  }
}

}  // namespace lq::kernels::elementwise_opt

#else

namespace lq::kernels::elementwise_opt {
bool avx512_compiled() { return false; }
void add_avx512(const AddInt8Params&, const int8_t*, const int8_t*, int8_t*) {}
void mul_avx512(const MulInt8Params&, const int8_t*, const int8_t*, int8_t*) {}
}  // namespace lq::kernels::elementwise_opt

#endif
