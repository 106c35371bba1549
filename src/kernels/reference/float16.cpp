// IEEE binary16 <-> binary32 conversion (portable bit manipulation) and DEQUANTIZE.
#include <bit>

#include "checks.h"

namespace lq::kernels {

float half_to_float(uint16_t half) {
  const uint32_t sign = static_cast<uint32_t>(half & 0x8000u) << 16;
  const uint32_t exp = (half >> 10) & 0x1fu;
  uint32_t mant = half & 0x3ffu;
  uint32_t bits;
  if (exp == 0x1f) {  // inf / NaN: keep the payload (quiet bit 9 -> 22)
    bits = sign | 0x7f800000u | (mant << 13);
  } else if (exp != 0) {  // normal: rebias 15 -> 127
    bits = sign | ((exp + 112u) << 23) | (mant << 13);
  } else if (mant == 0) {  // +-0
    bits = sign;
  } else {  // subnormal mant * 2^-24: normalize so bit 10 is the implicit 1
    int32_t e = -14;
    while ((mant & 0x400u) == 0) {
      mant <<= 1;
      --e;
    }
    bits = sign | (static_cast<uint32_t>(e + 127) << 23) | ((mant & 0x3ffu) << 13);
  }
  return std::bit_cast<float>(bits);
}

uint16_t float_to_half(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t abs = bits & 0x7fffffffu;
  if (abs > 0x7f800000u)  // NaN: keep the top payload bits, force quiet (never inf)
    return static_cast<uint16_t>(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));
  const int32_t exp = static_cast<int32_t>(abs >> 23) - 127;
  if (exp > 15) return static_cast<uint16_t>(sign | 0x7c00u);  // too big or inf
  // Result in half units before rounding: `kept`, with `shift` dropped low bits of
  // the 24-bit significand (normal: 13; subnormal: more).
  uint32_t significand, kept, shift;
  if (exp >= -14) {
    significand = abs & 0x7fffffu;
    shift = 13;
    kept = (static_cast<uint32_t>(exp + 15) << 10) | (significand >> shift);
  } else {
    if (exp < -25) return sign;  // below half the smallest subnormal: rounds to 0
    significand = (abs & 0x7fffffu) | 0x800000u;
    shift = static_cast<uint32_t>(-exp - 1);  // 14..24
    kept = significand >> shift;
  }
  // Round to nearest, ties to even; a carry may run into the exponent (up to inf).
  const uint32_t rest = significand & ((1u << shift) - 1u);
  const uint32_t halfway = 1u << (shift - 1);
  if (rest > halfway || (rest == halfway && (kept & 1u))) ++kept;
  return static_cast<uint16_t>(sign | kept);
}

void eval_dequantize_float16(const UnaryParams& p, const uint16_t* input, float* output) {
  for (int64_t i = 0; i < p.size; ++i) output[i] = half_to_float(input[i]);
}

}  // namespace lq::kernels
