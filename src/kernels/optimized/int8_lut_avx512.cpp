// 256-byte table lookups with AVX512_VBMI (int8_optimized_ops.h, ByteTableOptimized):
// vpermi2b picks from 128 table bytes by the low 7 index bits; two of them cover the
// table halves and bit 7 of the input selects between them.
#include "int8_lut.h"

#if defined(__AVX512F__) && defined(__AVX512BW__)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

namespace lq::kernels::lut {

namespace {
// table[x] for 64 bytes x; t = the table's four 64-byte quarters.
__attribute__((target("avx512vbmi"))) inline __m512i lookup(const __m512i t[4], __m512i x) {
  const __m512i lo = _mm512_permutex2var_epi8(t[0], x, t[1]);  // table[x & 127]
  const __m512i hi = _mm512_permutex2var_epi8(t[2], x, t[3]);  // table[128 + (x & 127)]
  return _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), lo, hi);
}
}  // namespace

bool vbmi_compiled() { return true; }

__attribute__((target("avx512vbmi"))) void apply_vbmi(const std::array<uint8_t, 256>& table, int64_t n,
                                                       const uint8_t* input, uint8_t* output) {
  const __m512i t[4] = {_mm512_loadu_si512(table.data()), _mm512_loadu_si512(table.data() + 64),
                        _mm512_loadu_si512(table.data() + 128), _mm512_loadu_si512(table.data() + 192)};
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) _mm512_storeu_si512(output + i, lookup(t, _mm512_loadu_si512(input + i)));
  if (i < n) {
    const __mmask64 k = (~uint64_t{0}) >> (64 - (n - i));
    _mm512_mask_storeu_epi8(output + i, k, lookup(t, _mm512_maskz_loadu_epi8(k, input + i)));
  }
}

}  // namespace lq::kernels::lut

#else

namespace lq::kernels::lut {
bool vbmi_compiled() { return false; }
void apply_vbmi(const std::array<uint8_t, 256>&, int64_t, const uint8_t*, uint8_t*) {}
}  // namespace lq::kernels::lut

#endif
