// Fixed-point helpers: hand-computed tables and randomized checks against long double.
#include "litequant/kernels/quantization.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "test_util.h"

namespace lq::kernels {
namespace {

using test::expect_error;

constexpr int32_t k2p30 = 1 << 30;
constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();

void expect_qm(double m, int32_t multiplier, int shift) {
  const QuantizedMultiplier q = quantize_multiplier(m);
  EXPECT_EQ(q.multiplier, multiplier) << "m = " << m;
  EXPECT_EQ(q.shift, shift) << "m = " << m;
}

TEST(Quantization, QuantizeMultiplierTable) {
  expect_qm(0.0, 0, 0);
  expect_qm(0.5, k2p30, 0);
  expect_qm(1.0, k2p30, 1);
  expect_qm(0.75, 1610612736, 0);
  expect_qm(0.25, k2p30, -1);
  expect_qm(3.0, 1610612736, 2);
  expect_qm(0.5 + std::ldexp(1.0, -32), k2p30 + 1, 0);    // q*2^31 = 2^30 + 0.5: tie, up
  expect_qm(0.5 + std::ldexp(1.0, -33), k2p30, 0);        // 2^30 + 0.25: down
  expect_qm(0.5 - std::ldexp(1.0, -34), k2p30, 0);        // rounds to 2^31: halved, shift+1
  expect_qm(std::ldexp(1.0, -32), k2p30, -31);            // smallest kept shift
  expect_qm(std::ldexp(1.0, -33), 0, 0);                  // shift -32 < -31: zero
  expect_qm(std::ldexp(1.0, -40), 0, 0);
  expect_qm(std::ldexp(1.0, 29), k2p30, 30);              // largest unsaturated
  expect_qm(std::ldexp(1.0, 30), kMax, 30);               // shift 31 saturates
  expect_qm(std::ldexp(1.0, 40), kMax, 30);
  expect_error([] { quantize_multiplier(-1.0); }, "quantize_multiplier");
  expect_error([] { quantize_multiplier(std::nan("")); }, "finite");
  expect_error([] { quantize_multiplier(INFINITY); }, "finite");
}

TEST(Quantization, SingleRoundingTable) {
  // M = 2^30, shift 0: real multiplier 0.5; ties go toward +infinity.
  const int32_t acc[] = {0, 1, -1, 3, -3, 5, -5, 4, -4, 7};
  const int32_t want[] = {0, 1, 0, 2, -1, 3, -2, 2, -2, 4};
  for (size_t i = 0; i < std::size(acc); ++i)
    EXPECT_EQ(multiply_by_quantized_multiplier_single_rounding(acc[i], k2p30, 0), want[i])
        << acc[i];
  // 0.25 (shift -1): 6 -> 1.5 -> 2, -6 -> -1.5 -> -1, -7 -> -1.75 -> -2.
  EXPECT_EQ(multiply_by_quantized_multiplier_single_rounding(6, k2p30, -1), 2);
  EXPECT_EQ(multiply_by_quantized_multiplier_single_rounding(-6, k2p30, -1), -1);
  EXPECT_EQ(multiply_by_quantized_multiplier_single_rounding(-7, k2p30, -1), -2);
  // 2 (shift 2) and 0.75 * 2^3 = 6 (shift 3).
  EXPECT_EQ(multiply_by_quantized_multiplier_single_rounding(5, k2p30, 2), 10);
  EXPECT_EQ(multiply_by_quantized_multiplier_single_rounding(-5, 1610612736, 3), -30);
  // Extremes: 0.5 * INT32_MIN, tiny multiplier.
  EXPECT_EQ(multiply_by_quantized_multiplier_single_rounding(kMin, k2p30, 0), -k2p30);
  EXPECT_EQ(multiply_by_quantized_multiplier_single_rounding(kMax, k2p30, -31), 0);  // 0.25+
  EXPECT_EQ(multiply_by_quantized_multiplier_single_rounding(kMin, k2p30, -31), 0);  // -0.5
}

TEST(Quantization, DoubleRoundingTable) {
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, kMin), kMax);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, kMax), -2147483647);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(3, k2p30), 2);    // 1.5 -> 2
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-3, k2p30), -1);  // -1.5 -> -1
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-1, k2p30), 0);   // -0.5 -> 0
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMax, kMax), 2147483646);
  EXPECT_EQ(rounding_divide_by_pot(3, 1), 2);    // 1.5 -> 2
  EXPECT_EQ(rounding_divide_by_pot(-3, 1), -2);  // -1.5 -> -2 (away from zero)
  EXPECT_EQ(rounding_divide_by_pot(-5, 2), -1);  // -1.25
  EXPECT_EQ(rounding_divide_by_pot(-6, 2), -2);  // -1.5
  EXPECT_EQ(rounding_divide_by_pot(kMin, 31), -1);
  EXPECT_EQ(rounding_divide_by_pot(kMax, 31), 1);
  EXPECT_EQ(rounding_divide_by_pot(7, 0), 7);
  // 0.25: -6 -> SRDHM -3 -> RDBP(-3, 1) = -2, where single rounding gives -1.
  EXPECT_EQ(multiply_by_quantized_multiplier_double_rounding(-6, k2p30, -1), -2);
  EXPECT_EQ(multiply_by_quantized_multiplier_double_rounding(6, k2p30, -1), 2);
  // Double rounding: 0.5 * 0.5 of 5 = 1.25 -> SRDHM(5) = 3 (2.5 up) -> RDBP(3, 1) = 2.
  EXPECT_EQ(multiply_by_quantized_multiplier_double_rounding(5, k2p30, -1), 2);
  EXPECT_EQ(multiply_by_quantized_multiplier_single_rounding(5, k2p30, -1), 1);
  EXPECT_EQ(multiply_by_quantized_multiplier_double_rounding(5, k2p30, 2), 10);
  // The left shift saturates instead of overflowing int32.
  EXPECT_EQ(multiply_by_quantized_multiplier_double_rounding(kMax, k2p30, 2), k2p30);
}

// floor(v + 1/2) of v = acc * M / 2^(31 - shift), exact in long double (64-bit mantissa).
long double round_half_up(long double v) { return std::floor(v + 0.5L); }

TEST(Quantization, SingleRoundingMatchesLongDouble) {
  static_assert(std::numeric_limits<long double>::digits >= 64);
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int32_t> any(kMin, kMax);
  std::uniform_int_distribution<int32_t> mult(k2p30, kMax);
  std::uniform_int_distribution<int> neg_shift(-31, 0);
  for (int i = 0; i < 200000; ++i) {
    const int32_t acc = any(rng), m = mult(rng);
    const int shift = neg_shift(rng);
    const long double v =
        std::ldexp(static_cast<long double>(acc) * static_cast<long double>(m), shift - 31);
    ASSERT_EQ(multiply_by_quantized_multiplier_single_rounding(acc, m, shift),
              static_cast<int32_t>(round_half_up(v)))
        << acc << " " << m << " " << shift;
  }
  // Positive shifts with accumulators small enough that the result fits int32.
  std::uniform_int_distribution<int> pos_shift(1, 30);
  for (int i = 0; i < 100000; ++i) {
    const int shift = pos_shift(rng);
    const int32_t bound = (int32_t{1} << (30 - shift)) - 1;
    const int32_t acc = std::uniform_int_distribution<int32_t>(-bound, bound)(rng);
    const int32_t m = mult(rng);
    const long double v =
        std::ldexp(static_cast<long double>(acc) * static_cast<long double>(m), shift - 31);
    ASSERT_EQ(multiply_by_quantized_multiplier_single_rounding(acc, m, shift),
              static_cast<int32_t>(round_half_up(v)))
        << acc << " " << m << " " << shift;
  }
}

TEST(Quantization, DoubleRoundingMatchesLongDouble) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int32_t> any(kMin, kMax);
  std::uniform_int_distribution<int32_t> mult(k2p30, kMax);
  std::uniform_int_distribution<int> neg_shift(-31, 0);
  for (int i = 0; i < 200000; ++i) {
    const int32_t acc = any(rng), m = mult(rng);
    const int shift = neg_shift(rng);
    // SRDHM: ties toward +infinity; RDBP: ties away from zero.
    const long double high =
        round_half_up(std::ldexp(static_cast<long double>(acc) * m, -31));
    const long double scaled = std::ldexp(high, shift);
    const long double want = scaled < 0 ? -std::floor(-scaled + 0.5L) : std::floor(scaled + 0.5L);
    const int32_t got = multiply_by_quantized_multiplier_double_rounding(acc, m, shift);
    ASSERT_EQ(got, static_cast<int32_t>(want)) << acc << " " << m << " " << shift;
    ASSERT_LE(std::abs(int64_t{got} -
                       multiply_by_quantized_multiplier_single_rounding(acc, m, shift)),
              1);
  }
}

TEST(Quantization, ActivationRangeTable) {
  auto range = [](Activation a, float scale, int32_t zp) {
    const QuantizedActivationRange r = quantized_activation_range_int8(a, scale, zp, "OP");
    return std::pair{r.min, r.max};
  };
  using P = std::pair<int32_t, int32_t>;
  EXPECT_EQ(range(Activation::kNone, 0.5f, -10), (P{-128, 127}));
  EXPECT_EQ(range(Activation::kRelu, 0.5f, -10), (P{-10, 127}));
  EXPECT_EQ(range(Activation::kRelu6, 0.5f, -10), (P{-10, 2}));
  EXPECT_EQ(range(Activation::kReluN1To1, 0.5f, -10), (P{-12, -8}));
  // Ties round away from zero: 6/4 = 1.5 -> 2, -1/2 -> -1, 1/2 -> 1.
  EXPECT_EQ(range(Activation::kRelu6, 4.0f, 0), (P{0, 2}));
  EXPECT_EQ(range(Activation::kReluN1To1, 2.0f, 5), (P{4, 6}));
  // Clamped to int8.
  EXPECT_EQ(range(Activation::kRelu6, 0.01f, 100), (P{100, 127}));
  EXPECT_EQ(range(Activation::kRelu, 1.0f, -128), (P{-128, 127}));
  EXPECT_EQ(range(Activation::kReluN1To1, 1e-30f, 0), (P{-128, 127}));
  expect_error([&] { range(Activation::kTanh, 1.0f, 0); }, "OP: fused activation TANH");
  expect_error([&] { range(Activation::kNone, 0.0f, 0); }, "scale");
  expect_error([&] { range(Activation::kNone, -1.0f, 0); }, "scale");
  expect_error([&] { range(Activation::kNone, NAN, 0); }, "scale");
  expect_error([&] { range(Activation::kNone, 1.0f, 128); }, "zero point");
}

}  // namespace
}  // namespace lq::kernels
