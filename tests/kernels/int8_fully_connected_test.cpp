// int8 FULLY_CONNECTED: hand-computed values, randomized model check, prepare errors.
#include <cmath>
#include <cstdint>
#include <random>

#include "litequant/kernels/int8_reference.h"
#include "test_util.h"

namespace lq::kernels {
namespace {

using test::expect_error;

const std::vector<int8_t> kWeights = {1, 2, 3, -4, 5, 6};  // [2, 3]

std::vector<int8_t> run_fc(const FullyConnectedInt8Params& p, const std::vector<int8_t>& in,
                           const std::vector<int8_t>& w, const std::vector<int32_t>& bias) {
  std::vector<int8_t> out(static_cast<size_t>(flat_size(p.output_dims)), 99);
  eval_fully_connected_int8(p, in.data(), w.data(), bias.empty() ? nullptr : bias.data(),
                            out.data());
  return out;
}

TEST(FullyConnectedInt8, HandComputed) {
  // x - zp_in = {2, -2, 0}; acc = {2 - 4 + 12, -8 - 10 - 4} = {10, -22}.
  // m = 0.5 * 0.25 / 0.5 = 0.25: 2.5 -> 3 and -5.5 -> -5 (single rounding: ties up).
  const std::vector<float> scale = {0.25f};
  FullyConnectedInt8Params p =
      prepare_fully_connected_int8({1, 3}, {2, 3}, Dims{2}, {0.5f, 1}, scale, {0.5f, 3}, {});
  EXPECT_EQ(p.output_dims, (Dims{1, 2}));
  EXPECT_EQ(p.requant.multiplier, (std::vector<int32_t>{1 << 30, 1 << 30}));
  EXPECT_EQ(p.requant.shift, (std::vector<int>{-1, -1}));
  EXPECT_EQ(run_fc(p, {3, -1, 1}, kWeights, {12, -4}), (std::vector<int8_t>{6, -2}));
  // Per-channel: channel 1 has m = 1, so -22 + 3 = -19; without bias {-2, -18}.
  const std::vector<float> scales = {0.25f, 1.0f};
  p = prepare_fully_connected_int8({1, 3}, {2, 3}, Dims{2}, {0.5f, 1}, scales, {0.5f, 3}, {});
  EXPECT_EQ(run_fc(p, {3, -1, 1}, kWeights, {12, -4}), (std::vector<int8_t>{6, -19}));
  p = prepare_fully_connected_int8({1, 3}, {2, 3}, std::nullopt, {0.5f, 1}, scales, {0.5f, 3},
                                   {});
  EXPECT_EQ(run_fc(p, {3, -1, 1}, kWeights, {}), (std::vector<int8_t>{3, -15}));
  // RELU: the clamp minimum is zp_out = 3. RELU6 with s_out 0.5: max = 3 + 12 = 15.
  p = prepare_fully_connected_int8({1, 3}, {2, 3}, Dims{2}, {0.5f, 1}, scales, {0.5f, 3},
                                   {.activation = Activation::kRelu});
  EXPECT_EQ(run_fc(p, {3, -1, 1}, kWeights, {12, -4}), (std::vector<int8_t>{6, 3}));
  p = prepare_fully_connected_int8({1, 3}, {2, 3}, Dims{2}, {0.5f, 1}, scales, {0.5f, 3},
                                   {.activation = Activation::kRelu6});
  EXPECT_EQ(run_fc(p, {3, -1, 1}, kWeights, {100, -4}), (std::vector<int8_t>{15, 3}));
  // Saturation at int8 limits; batch of 2.
  p = prepare_fully_connected_int8({2, 3}, {2, 3}, std::nullopt, {1.0f, 0}, scales, {0.01f, 0},
                                   {});
  EXPECT_EQ(run_fc(p, {127, 127, 127, -128, 0, 0}, kWeights, {}),
            (std::vector<int8_t>{127, 127, -128, 127}));
}

TEST(FullyConnectedInt8, PerTensorMultiplierUsesFloatProduct) {
  // TFLite's GetQuantizedConvolutionMultipler: double(float(s_in * s_w)) / double(s_out).
  const float s_in = 0.1f, s_w = 0.3f, s_out = 0.7f;
  const std::vector<float> scale = {s_w};
  const FullyConnectedInt8Params p =
      prepare_fully_connected_int8({1, 1}, {1, 1}, std::nullopt, {s_in, 0}, scale, {s_out, 0}, {});
  const QuantizedMultiplier q =
      quantize_multiplier(static_cast<double>(s_in * s_w) / static_cast<double>(s_out));
  EXPECT_EQ(p.requant.multiplier[0], q.multiplier);
  EXPECT_EQ(p.requant.shift[0], q.shift);
  // These scales tell the two formulas apart: the double product gives another M.
  EXPECT_EQ(q.multiplier, 1472560299);
  EXPECT_EQ(quantize_multiplier(static_cast<double>(s_in) * s_w / s_out).multiplier, 1472560321);
}

// Integer accumulation (exact) and the double-precision model (within 1).
TEST(FullyConnectedInt8, RandomizedAgainstModel) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> i8(-128, 127), dim(1, 40), zp(-128, 127);
  std::uniform_real_distribution<float> sc(0.001f, 0.2f);
  for (int trial = 0; trial < 200; ++trial) {
    const int32_t batch = dim(rng) % 4 + 1, in = dim(rng), out = dim(rng) % 8 + 1;
    const bool per_channel = trial % 2 == 0;
    std::vector<int8_t> x(static_cast<size_t>(batch * in)), w(static_cast<size_t>(out * in));
    for (auto& v : x) v = static_cast<int8_t>(i8(rng));
    for (auto& v : w) v = static_cast<int8_t>(i8(rng));
    std::vector<int32_t> bias(static_cast<size_t>(out));
    for (auto& v : bias) v = i8(rng) * 100;
    std::vector<float> ws(per_channel ? static_cast<size_t>(out) : 1);
    for (auto& v : ws) v = sc(rng) * 0.05f;
    const QuantParams qi{sc(rng), zp(rng)}, qo{sc(rng) * 20, zp(rng)};
    const FullyConnectedInt8Params p = prepare_fully_connected_int8(
        {batch, in}, {out, in}, Dims{out}, qi, ws, qo, {});
    const std::vector<int8_t> got = run_fc(p, x, w, bias);
    // Exact accumulation: output scale chosen so that every multiplier is 1.
    for (int32_t o = 0; o < out; ++o) {
      const std::vector<float> unit = {1.0f};
      const FullyConnectedInt8Params pu = prepare_fully_connected_int8(
          {batch, in}, {1, in}, Dims{1}, {1.0f, qi.zero_point}, unit, {1.0f, 0}, {});
      const std::vector<int8_t> wrow(w.begin() + o * in, w.begin() + (o + 1) * in);
      auto dot = [&](int32_t b) {
        int64_t acc = 0;
        for (int32_t i = 0; i < in; ++i)
          acc += int64_t{wrow[static_cast<size_t>(i)]} *
                 (x[static_cast<size_t>(b * in + i)] - qi.zero_point);
        return acc;
      };
      // A bias cancelling row 0's dot product leaves a small, unclamped output there.
      const int32_t target = i8(rng) / 2;
      const std::vector<int32_t> b1 = {static_cast<int32_t>(target - dot(0))};
      const std::vector<int8_t> exact = run_fc(pu, x, wrow, b1);
      ASSERT_EQ(exact[0], target) << "trial " << trial;
      for (int32_t b = 0; b < batch; ++b) {
        const int64_t acc = dot(b) + b1[0];
        const int64_t want = std::min<int64_t>(std::max<int64_t>(acc, -128), 127);
        ASSERT_EQ(exact[static_cast<size_t>(b)], want) << "trial " << trial;
        // Double model: dequantize, compute, requantize (ties up, like single rounding).
        const double s_w = ws[per_channel ? static_cast<size_t>(o) : 0];
        double real = 0;
        for (int32_t i = 0; i < in; ++i)
          real += (static_cast<double>(wrow[static_cast<size_t>(i)]) * s_w) *
                  ((x[static_cast<size_t>(b * in + i)] - qi.zero_point) * double{qi.scale});
        real += bias[static_cast<size_t>(o)] * double{qi.scale} * s_w;
        const double q = std::floor(real / qo.scale + 0.5) + qo.zero_point;
        const double model = std::min(std::max(q, -128.0), 127.0);
        const int8_t g = got[static_cast<size_t>(b * out + o)];
        ASSERT_LE(std::abs(g - model), 1.0) << "trial " << trial << " b " << b << " o " << o;
      }
    }
  }
}

TEST(FullyConnectedInt8, PrepareErrors) {
  const std::vector<float> one = {0.5f}, three = {0.5f, 0.5f, 0.5f}, bad = {0.0f};
  const std::vector<float> neg = {0.5f, -1.0f};
  auto prep = [](std::span<const float> ws, QuantParams qi, QuantParams qo,
                 std::optional<Dims> bias = Dims{2}) {
    return prepare_fully_connected_int8({1, 3}, {2, 3}, bias, qi, ws, qo, {});
  };
  expect_error([&] { prep(three, {1, 0}, {1, 0}); }, "FULLY_CONNECTED: weights have 3 scales");
  expect_error([&] { prep(bad, {1, 0}, {1, 0}); }, "weight scale");
  expect_error([&] { prep(neg, {1, 0}, {1, 0}); }, "weight scale");
  expect_error([&] { prep(one, {0, 0}, {1, 0}); }, "input scale");
  expect_error([&] { prep(one, {1, 0}, {-1, 0}); }, "output scale");
  expect_error([&] { prep(one, {1, 0}, {NAN, 0}); }, "output scale");
  expect_error([&] { prep(one, {1, 200}, {1, 0}); }, "input zero point");
  expect_error([&] { prep(one, {1, 0}, {1, -129}); }, "output zero point");
  expect_error([&] { prep(one, {1, 0}, {1, 0}, Dims{3}); }, "bias");
  expect_error(
      [&] {
        prepare_fully_connected_int8({1, 3}, {2, 3}, std::nullopt, {1, 0}, one, {1, 0},
                                     {.activation = Activation::kTanh});
      },
      "TANH");
  expect_error(
      [&] { prepare_fully_connected_int8({1, 4}, {2, 3}, std::nullopt, {1, 0}, one, {1, 0}, {}); },
      "FULLY_CONNECTED");
}

}  // namespace
}  // namespace lq::kernels
