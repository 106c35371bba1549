// AVX-512 int8 ADD / MUL, equal or broadcast shapes (int8_optimized_ops.h): 16 elements
// per step in int32 lanes, the reference's double-rounding steps vectorized exactly.
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

// 16 int8 elements of an operand as int32 lanes: contiguous (Step 1) or one element
// repeated (Step 0).
template <int Step>
inline __m512i load16(const int8_t* p, int64_t i, __mmask16 k) {
  if constexpr (Step == 1) return _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(k, p + i));
  else return _mm512_set1_epi32(p[0]);
}

// Calls row(a, b, out, n) for every row of `rows` (output order = the reference's).
template <typename Row>
void for_each_row(const BroadcastRows& r, const int8_t* a, const int8_t* b, int8_t* out, Row&& row) {
  for (int64_t d0 = 0; d0 < r.outer[0]; ++d0)
    for (int64_t d1 = 0; d1 < r.outer[1]; ++d1)
      for (int64_t d2 = 0; d2 < r.outer[2]; ++d2)
        for (int64_t d3 = 0; d3 < r.outer[3]; ++d3) {
          const int64_t i1 = d0 * r.stride1[0] + d1 * r.stride1[1] + d2 * r.stride1[2] + d3 * r.stride1[3];
          const int64_t i2 = d0 * r.stride2[0] + d1 * r.stride2[1] + d2 * r.stride2[2] + d3 * r.stride2[3];
          row(a + i1, b + i2, out, r.row);
          out += r.row;
        }
}

// Runs Kernel::row<Step1, Step2> over every row.
template <typename Kernel>
void run_rows(const Kernel& kernel, const BroadcastRows& r, const int8_t* a, const int8_t* b, int8_t* out) {
  auto go = [&](auto row) { for_each_row(r, a, b, out, row); };
  if (r.step1 && r.step2) go([&](const int8_t* x, const int8_t* y, int8_t* o, int64_t n) { kernel.template row<1, 1>(x, y, o, n); });
  else if (r.step1) go([&](const int8_t* x, const int8_t* y, int8_t* o, int64_t n) { kernel.template row<1, 0>(x, y, o, n); });
  else if (r.step2) go([&](const int8_t* x, const int8_t* y, int8_t* o, int64_t n) { kernel.template row<0, 1>(x, y, o, n); });
  else go([&](const int8_t* x, const int8_t* y, int8_t* o, int64_t n) { kernel.template row<0, 0>(x, y, o, n); });
}

struct AddKernel {
  Mbqm m1, m2, mo;
  __m512i off1, off2, zp, lo, hi;
  unsigned shift;
  explicit AddKernel(const AddInt8Params& p)
      : m1(p.input1_multiplier), m2(p.input2_multiplier), mo(p.output_multiplier),
        off1(_mm512_set1_epi32(p.input1_offset)), off2(_mm512_set1_epi32(p.input2_offset)),
        zp(_mm512_set1_epi32(p.output_offset)), lo(_mm512_set1_epi32(p.activation.min)),
        hi(_mm512_set1_epi32(p.activation.max)), shift(static_cast<unsigned>(p.left_shift)) {}
  template <int S1, int S2>
  void row(const int8_t* a, const int8_t* b, int8_t* out, int64_t n) const {
    for (int64_t i = 0; i < n; i += 16) {
      const __mmask16 k = tail_mask(n - i);
      const __m512i s1 = m1.apply(_mm512_slli_epi32(_mm512_add_epi32(load16<S1>(a, i, k), off1), shift));
      const __m512i s2 = m2.apply(_mm512_slli_epi32(_mm512_add_epi32(load16<S2>(b, i, k), off2), shift));
      __m512i v = _mm512_add_epi32(mo.apply(_mm512_add_epi32(s1, s2)), zp);
      v = _mm512_min_epi32(_mm512_max_epi32(v, lo), hi);
      _mm512_mask_cvtepi32_storeu_epi8(out + i, k, v);
    }
  }
};

struct MulKernel {
  Mbqm mo;
  __m128i left;
  __m512i off1, off2, zp, lo, hi;
  explicit MulKernel(const MulInt8Params& p)
      : mo(p.output_multiplier),
        left(_mm_cvtsi32_si128(p.output_multiplier.shift > 0 ? p.output_multiplier.shift : 0)),
        off1(_mm512_set1_epi32(p.input1_offset)), off2(_mm512_set1_epi32(p.input2_offset)),
        zp(_mm512_set1_epi32(p.output_offset)),
        // clamp to int8 then to the activation range = clamp to their intersection
        lo(_mm512_set1_epi32(p.activation.min > -128 ? p.activation.min : -128)),
        hi(_mm512_set1_epi32(p.activation.max < 127 ? p.activation.max : 127)) {}
  template <int S1, int S2>
  void row(const int8_t* a, const int8_t* b, int8_t* out, int64_t n) const {
    for (int64_t i = 0; i < n; i += 16) {
      const __mmask16 k = tail_mask(n - i);
      const __m512i x1 = _mm512_add_epi32(load16<S1>(a, i, k), off1);
      const __m512i x2 = _mm512_add_epi32(load16<S2>(b, i, k), off2);
      const __m512i prod = _mm512_sll_epi32(_mm512_mullo_epi32(x1, x2), left);
      __m512i v = _mm512_add_epi32(mo.apply(prod), zp);
      v = _mm512_min_epi32(_mm512_max_epi32(v, lo), hi);
      _mm512_mask_cvtepi32_storeu_epi8(out + i, k, v);
    }
  }
};

}  // namespace

bool avx512_compiled() { return true; }

void add_avx512(const AddInt8Params& p, const BroadcastRows& rows, const int8_t* a, const int8_t* b, int8_t* out) {
  run_rows(AddKernel(p), rows, a, b, out);
}

void mul_avx512(const MulInt8Params& p, const BroadcastRows& rows, const int8_t* a, const int8_t* b, int8_t* out) {
  run_rows(MulKernel(p), rows, a, b, out);
}

}  // namespace lq::kernels::elementwise_opt

#else

namespace lq::kernels::elementwise_opt {
bool avx512_compiled() { return false; }
void add_avx512(const AddInt8Params&, const BroadcastRows&, const int8_t*, const int8_t*, int8_t*) {}
void mul_avx512(const MulInt8Params&, const BroadcastRows&, const int8_t*, const int8_t*, int8_t*) {}
}  // namespace lq::kernels::elementwise_opt

#endif
