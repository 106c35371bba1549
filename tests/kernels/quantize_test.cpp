// QUANTIZE / DEQUANTIZE reference kernels: hand-computed values (ties, saturation, the
// runtime's out-of-range behaviour), requantize rounding, per-channel layout, errors.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "litequant/kernels/quantize.h"
#include "test_util.h"

namespace lq::kernels {
namespace {

using test::expect_error;

template <typename Out>
std::vector<int> quantize(const QuantizeFloatParams& p, const std::vector<float>& x) {
  std::vector<Out> out(x.size(), 0);
  eval_quantize_float(p, x.data(), out.data());
  return {out.begin(), out.end()};
}

TEST(QuantizeFloat, RoundsHalfAwayFromZero) {
  const auto p = prepare_quantize_float({6}, {0.5f, 0}, kInt8Range);
  EXPECT_EQ(p.output_dims, (Dims{6}));
  EXPECT_EQ(quantize<int8_t>(p, {0.25f, -0.25f, 0.75f, -0.75f, 0.2499f, -0.2499f}),
            (std::vector<int>{1, -1, 2, -2, 0, 0}));
}

TEST(QuantizeFloat, DividesInDouble) {
  // 0.25f / 0.1f is 2.49999996... in double (-> 2), but the float quotient rounds to
  // exactly 2.5 (-> 3). The runtime gives 2.
  const float s = 0.1f, x = 0.25f;
  ASSERT_EQ(x / s, 2.5f);
  ASSERT_LT(static_cast<double>(x) / s, 2.5);
  const auto p = prepare_quantize_float({2}, {s, 0}, kInt8Range);
  EXPECT_EQ(quantize<int8_t>(p, {x, -x}), (std::vector<int>{2, -2}));
}

TEST(QuantizeFloat, ZeroPointAndSaturation) {
  const auto p8 = prepare_quantize_float({4}, {0.1f, -3}, kInt8Range);
  EXPECT_EQ(quantize<int8_t>(p8, {0.0f, 1.0f, 100.0f, -100.0f}), (std::vector<int>{-3, 7, 127, -128}));
  const auto pu = prepare_quantize_float({4}, {0.1f, 128}, kUInt8Range);
  EXPECT_EQ(quantize<uint8_t>(pu, {0.0f, -1.0f, 100.0f, -100.0f}), (std::vector<int>{128, 118, 255, 0}));
}

TEST(QuantizeFloat, OutOfRangeLikeTheRuntime) {
  // |x / scale| >= 2^31, inf and NaN become INT32_MIN, then + zp wraps in int32.
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> x = {inf, -inf, nan, 1e10f, -1e10f, 2147483520.0f * 0.5f};
  EXPECT_EQ(quantize<int8_t>(prepare_quantize_float({6}, {0.5f, 5}, kInt8Range), x),
            (std::vector<int>{-128, -128, -128, -128, -128, 127}));
  EXPECT_EQ(quantize<int8_t>(prepare_quantize_float({6}, {0.5f, -3}, kInt8Range), x),
            (std::vector<int>{127, 127, 127, 127, 127, 127}));
  // 2147483520 + 128 overflows int32 to INT32_MIN -> 0.
  EXPECT_EQ(quantize<uint8_t>(prepare_quantize_float({6}, {0.5f, 128}, kUInt8Range), x),
            (std::vector<int>{0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(quantize<uint8_t>(prepare_quantize_float({6}, {0.5f, 0}, kUInt8Range), x),
            (std::vector<int>{0, 0, 0, 0, 0, 255}));
}

TEST(QuantizeFloat, Errors) {
  expect_error([] { prepare_quantize_float({2}, {0.0f, 0}, kInt8Range); }, "QUANTIZE: output scale");
  expect_error([] { prepare_quantize_float({2}, {-1.0f, 0}, kInt8Range); }, "QUANTIZE: output scale");
  expect_error([] { prepare_quantize_float({2}, {NAN, 0}, kInt8Range); }, "QUANTIZE: output scale");
  expect_error([] { prepare_quantize_float({2}, {0.1f, 128}, kInt8Range); }, "zero point 128 is outside [-128, 127]");
  expect_error([] { prepare_quantize_float({2}, {0.1f, -1}, kUInt8Range); }, "zero point -1 is outside [0, 255]");
  expect_error([] { prepare_quantize_float({2, -1}, {0.1f, 0}, kInt8Range); }, "QUANTIZE");
}

template <typename In, typename Out>
std::vector<int> requantize(const RequantizeParams& p, const std::vector<int>& x) {
  std::vector<In> in(x.begin(), x.end());
  std::vector<Out> out(x.size(), 0);
  eval_requantize(p, in.data(), out.data());
  return {out.begin(), out.end()};
}

TEST(Requantize, DoubleRoundingTiesAwayFromZero) {
  // s_in / s_out = 0.25 exactly (1.2f = 4 * 0.3f): M = 2^30, shift -1. Double rounding:
  // SRDHM halves (ties up), RoundingDivideByPOT halves again (ties away from zero), so
  // -6 -> -1.5 -> -2 and -2 -> -0.5 -> -1; single rounding would give -1 and 0.
  const auto p = prepare_requantize({7}, {0.3f, 0}, kInt8Range, {1.2f, 0}, kInt8Range);
  EXPECT_EQ(p.multiplier.multiplier, 1 << 30);
  EXPECT_EQ(p.multiplier.shift, -1);
  EXPECT_EQ((requantize<int8_t, int8_t>(p, {-6, -2, 2, 6, -3, -128, 127})),
            (std::vector<int>{-2, -1, 1, 2, -1, -32, 32}));
}

TEST(Requantize, ZeroPointsTypesAndSaturation) {
  // int8 -> uint8 with the same scale and zp + 128: a pure re-typing.
  const auto retype = prepare_requantize({3}, {0.1f, -5}, kInt8Range, {0.1f, 123}, kUInt8Range);
  EXPECT_EQ((requantize<int8_t, uint8_t>(retype, {-128, -5, 127})), (std::vector<int>{0, 123, 255}));
  const auto back = prepare_requantize({3}, {0.1f, 123}, kUInt8Range, {0.1f, -5}, kInt8Range);
  EXPECT_EQ((requantize<uint8_t, int8_t>(back, {0, 123, 255})), (std::vector<int>{-128, -5, 127}));
  // Ratio 4: (x - 1) * 4 + 2 saturates.
  const auto up = prepare_requantize({4}, {0.4f, 1}, kInt8Range, {0.1f, 2}, kInt8Range);
  EXPECT_EQ((requantize<int8_t, int8_t>(up, {1, 2, 40, -40})), (std::vector<int>{2, 6, 127, -128}));
  const auto uu = prepare_requantize({2}, {0.2f, 10}, kUInt8Range, {0.1f, 0}, kUInt8Range);
  EXPECT_EQ((requantize<uint8_t, uint8_t>(uu, {20, 0})), (std::vector<int>{20, 0}));
}

TEST(Requantize, Errors) {
  expect_error([] { prepare_requantize({1}, {0.0f, 0}, kInt8Range, {0.1f, 0}, kInt8Range); }, "QUANTIZE: input scale");
  expect_error([] { prepare_requantize({1}, {0.1f, 0}, kInt8Range, {INFINITY, 0}, kInt8Range); }, "QUANTIZE: output scale");
  expect_error([] { prepare_requantize({1}, {0.1f, 200}, kInt8Range, {0.1f, 0}, kInt8Range); }, "input zero point 200");
  expect_error([] { prepare_requantize({1}, {0.1f, 0}, kInt8Range, {0.1f, 256}, kUInt8Range); }, "output zero point 256");
}

template <typename In>
std::vector<float> dequantize(const DequantizeParams& p, const std::vector<int>& x) {
  std::vector<In> in(x.begin(), x.end());
  std::vector<float> out(x.size(), -1.0f);
  eval_dequantize(p, in.data(), out.data());
  return out;
}

TEST(Dequantize, PerTensor) {
  const auto p = prepare_dequantize({2, 2}, {0.5f, -3}, kInt8Range);
  EXPECT_EQ(p.output_dims, (Dims{2, 2}));
  EXPECT_EQ(dequantize<int8_t>(p, {-3, -128, 127, 0}), (std::vector<float>{0.0f, -62.5f, 65.0f, 1.5f}));
  const auto pu = prepare_dequantize({3}, {0.1f, 128}, kUInt8Range);
  EXPECT_EQ(dequantize<uint8_t>(pu, {128, 255, 0}), (std::vector<float>{0.0f, 127 * 0.1f, -128 * 0.1f}));
}

TEST(Dequantize, PerChannelAlongAnyDimension) {
  // [2, 3, 2], channels on dimension 1: element (o, c, i) uses scale[c], zp[c].
  const std::vector<float> scales = {1.0f, 0.5f, 0.25f};
  const std::vector<int64_t> zps = {0, 1, -2};
  const auto p = prepare_dequantize_per_channel({2, 3, 2}, scales, zps, 1, kInt8Range);
  EXPECT_EQ(p.outer, 2);
  EXPECT_EQ(p.channels, 3);
  EXPECT_EQ(p.inner, 2);
  EXPECT_EQ(dequantize<int8_t>(p, {1, 2, 3, 5, 2, 6, -1, -2, -3, -5, -2, -6}),
            (std::vector<float>{1, 2, 1, 2, 1, 2, -1, -2, -2, -3, 0, -1}));
  // Dimension 0 (CONV_2D weights) and the last one (DEPTHWISE), zero points omitted.
  const std::vector<float> two = {2.0f, 0.5f};
  const auto first = prepare_dequantize_per_channel({2, 2}, two, {}, 0, kInt8Range);
  EXPECT_EQ(dequantize<int8_t>(first, {1, -1, 4, -4}), (std::vector<float>{2, -2, 2, -2}));
  const auto last = prepare_dequantize_per_channel({2, 2}, two, {}, 1, kInt8Range);
  EXPECT_EQ(dequantize<int8_t>(last, {1, 4, -1, -4}), (std::vector<float>{2, 2, -2, -2}));
}

TEST(Dequantize, Errors) {
  expect_error([] { prepare_dequantize({2}, {0.0f, 0}, kInt8Range); }, "DEQUANTIZE: input scale");
  expect_error([] { prepare_dequantize({2}, {0.1f, 300}, kUInt8Range); }, "DEQUANTIZE: input zero point 300");
  const std::vector<float> s2 = {0.1f, 0.2f}, bad = {0.1f, -0.2f};
  const std::vector<int64_t> z1 = {0}, zbad = {0, 128};
  expect_error([&] { prepare_dequantize_per_channel({2, 3}, s2, {}, 1, kInt8Range); }, "has 2 scales, expected 3");
  expect_error([&] { prepare_dequantize_per_channel({2, 3}, s2, {}, 2, kInt8Range); }, "quantized dimension 2");
  expect_error([&] { prepare_dequantize_per_channel({2, 3}, s2, {}, -1, kInt8Range); }, "quantized dimension -1");
  expect_error([&] { prepare_dequantize_per_channel({2, 3}, s2, z1, 0, kInt8Range); }, "1 zero points, expected 2");
  expect_error([&] { prepare_dequantize_per_channel({2, 3}, bad, {}, 0, kInt8Range); }, "channel 1 scale");
  expect_error([&] { prepare_dequantize_per_channel({2, 3}, s2, zbad, 0, kInt8Range); }, "zero point 128");
}

}  // namespace
}  // namespace lq::kernels
