// float16 <-> float32 conversion and DEQUANTIZE (float16 -> float32).
#include <bit>
#include <cmath>
#include <limits>

#include "test_util.h"

namespace lq::kernels {
namespace {

using test::output_for;

constexpr float kInf = std::numeric_limits<float>::infinity();

struct HalfCase {
  uint16_t half;
  float value;
};

// Exact values of selected half bit patterns.
constexpr HalfCase kHalfTable[] = {
    {0x0000, 0.0f},
    {0x3c00, 1.0f},
    {0xbc00, -1.0f},
    {0x3800, 0.5f},
    {0xc000, -2.0f},
    {0x4248, 3.140625f},
    {0x3555, 0.333251953125f},
    {0x2e66, 0.0999755859375f},
    {0x7bff, 65504.0f},                 // largest finite
    {0xfbff, -65504.0f},
    {0x0400, 6.103515625e-05f},         // smallest normal 2^-14
    {0x03ff, 6.097555160522461e-05f},   // largest subnormal 2^-14 - 2^-24
    {0x0001, 5.9604644775390625e-08f},  // smallest subnormal 2^-24
    {0x8001, -5.9604644775390625e-08f},
    {0x0200, 3.0517578125e-05f},        // subnormal 2^-15
    {0x7c00, kInf},
    {0xfc00, -kInf},
};

TEST(Float16, ToFloatTable) {
  for (const HalfCase& c : kHalfTable) {
    EXPECT_EQ(half_to_float(c.half), c.value) << std::hex << c.half;
    EXPECT_EQ(float_to_half(c.value), c.half) << c.value;
  }
  // Signed zero.
  EXPECT_EQ(half_to_float(0x8000), 0.0f);
  EXPECT_TRUE(std::signbit(half_to_float(0x8000)));
  EXPECT_FALSE(std::signbit(half_to_float(0x0000)));
  EXPECT_EQ(float_to_half(-0.0f), 0x8000);
  // NaNs: quiet, signalling, negative; payload kept in the top mantissa bits.
  for (uint16_t nan : {0x7e00, 0x7c01, 0xfe00, 0x7fff}) {
    const float f = half_to_float(nan);
    EXPECT_TRUE(std::isnan(f)) << std::hex << nan;
    EXPECT_EQ(std::signbit(f), (nan & 0x8000) != 0);
    EXPECT_EQ(std::bit_cast<uint32_t>(f) & 0x7fffffu, static_cast<uint32_t>(nan & 0x3ff) << 13);
  }
  const uint16_t h = float_to_half(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(h & 0x7c00, 0x7c00);
  EXPECT_NE(h & 0x3ff, 0);
  // A float NaN whose payload sits only in low bits must not become inf.
  EXPECT_NE(float_to_half(std::bit_cast<float>(0x7f800001u)) & 0x3ff, 0);
}

struct RoundCase {
  float value;
  uint16_t half;
};

// Round to nearest, ties to even.
const RoundCase kRoundTable[] = {
    {6.1e-5f, 0x03ff},                     // just below 2^-14: largest subnormal
    {0.1f, 0x2e66},
    {1.0f + 0x1p-11f, 0x3c00},             // tie between 0x3c00 and 0x3c01: even
    {1.0f + 3 * 0x1p-11f, 0x3c02},         // tie between 0x3c01 and 0x3c02: even
    {1.0f + 0x1p-11f + 0x1p-20f, 0x3c01},  // just above the tie
    {65519.0f, 0x7bff},                    // below the 65504/65536 midpoint
    {65520.0f, 0x7c00},                    // midpoint: ties to even = inf
    {1e6f, 0x7c00},
    {-1e6f, 0xfc00},
    {0x1p-25f, 0x0000},                    // half of 2^-24: tie to even = 0
    {1.5f * 0x1p-25f, 0x0001},
    {3 * 0x1p-25f, 0x0002},                // 1.5 units: tie to even = 2
    {0x1p-26f, 0x0000},
    {-1e-10f, 0x8000},
    {std::numeric_limits<float>::denorm_min(), 0x0000},
    {0x1p-14f - 0x1p-25f, 0x0400},          // rounds up across into the normals
    {2049.0f, 0x6800},                      // 2048 + 1: tie (unit 2), even = 2048
    {2051.0f, 0x6802},                      // 2050 + 1: tie, even = 2052
};

TEST(Float16, FromFloatRounding) {
  for (const RoundCase& c : kRoundTable)
    EXPECT_EQ(float_to_half(c.value), c.half) << c.value;
}

// Every half bit pattern: the value equals its definition, and converts back.
TEST(Float16, ExhaustiveRoundTrip) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const uint16_t half = static_cast<uint16_t>(h);
    const float f = half_to_float(half);
    const uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    if (exp == 0x1f) {
      EXPECT_EQ(std::isnan(f), mant != 0);
      if (mant != 0) continue;
    } else {
      const double magnitude = exp == 0 ? std::ldexp(mant, -24) : std::ldexp(1024 + mant, int(exp) - 25);
      ASSERT_EQ(static_cast<double>(f), (h & 0x8000) ? -magnitude : magnitude) << std::hex << h;
    }
    ASSERT_EQ(float_to_half(f), half) << std::hex << h;
  }
}

// Sampled floats: float_to_half picks the nearest half (ties to the even pattern).
TEST(Float16, NearestOnSampledFloats) {
  for (uint64_t bits = 0; bits < 0x7f800000u; bits += 4099) {
    const float f = std::bit_cast<float>(static_cast<uint32_t>(bits));
    const uint16_t h = float_to_half(f);
    if (f >= 65520.0f) {
      ASSERT_EQ(h, 0x7c00) << f;
      continue;
    }
    const double got = half_to_float(h);
    const double err = std::fabs(got - f);
    // Neighbours (h-1, h+1) must not be closer; equal distance only if h is even.
    for (int d : {-1, 1}) {
      if ((d < 0 && h == 0) || (d > 0 && h == 0x7bff)) continue;
      const double other = half_to_float(static_cast<uint16_t>(h + d));
      const double other_err = std::fabs(other - f);
      ASSERT_TRUE(err < other_err || (err == other_err && (h & 1) == 0))
          << f << " -> " << std::hex << h;
    }
  }
}

TEST(Float16, Dequantize) {
  const UnaryParams p = prepare_unary({2, 3}, "DEQUANTIZE");
  const std::vector<uint16_t> in = {0x3c00, 0xc000, 0x0001, 0x7bff, 0xfc00, 0x7e00};
  std::vector<float> out = output_for(p);
  eval_dequantize_float16(p, in.data(), out.data());
  test::expect_exact(out, {1.0f, -2.0f, 0x1p-24f, 65504.0f, -kInf,
                           std::numeric_limits<float>::quiet_NaN()});
}

}  // namespace
}  // namespace lq::kernels
