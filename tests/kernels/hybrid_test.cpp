// Dynamic-range (hybrid) kernels: the input quantizers, FULLY_CONNECTED, CONV_2D and
// DEPTHWISE_CONV_2D on hand-computed values, and the prepare errors (including the
// weight layouts TFLite 2.12 mishandles or rejects).
#include <cstdint>
#include <vector>

#include "litequant/kernels/hybrid_reference.h"
#include "test_util.h"

namespace lq::kernels {
namespace {

using test::expect_error;
using test::expect_exact;

TEST(HybridQuantize, Symmetric) {
  // range 127: s = 1, q = round(x): 63.5 -> 64 (half away from zero).
  const std::vector<float> x = {63.5f, -127.0f, 0.0f, 1.0f, -0.5f};
  std::vector<int8_t> q(x.size());
  float s = 0.0f;
  symmetric_quantize_floats(x.data(), 5, q.data(), &s);
  EXPECT_EQ(s, 1.0f);
  EXPECT_EQ(q, (std::vector<int8_t>{64, -127, 0, 1, -1}));
  // All zeros: q = 0, s = 1.
  const std::vector<float> zeros(3, 0.0f);
  symmetric_quantize_floats(zeros.data(), 3, q.data(), &s);
  EXPECT_EQ(s, 1.0f);
  EXPECT_EQ(q[0], 0);
}

TEST(HybridQuantize, Asymmetric) {
  // {-1, 3}: s = 4/255, zero point from min -128 + 63.75 = -64.25 (error 191.75 < 318.25)
  // -> -64; q = round(-64 + x * 63.75) = {-127.75 -> -128, 127.25 -> 127}.
  const std::vector<float> x = {-1.0f, 3.0f};
  std::vector<int8_t> q(2);
  float s = 0.0f;
  int32_t zp = 99;
  asymmetric_quantize_floats(x.data(), 2, q.data(), &s, &zp);
  EXPECT_EQ(s, static_cast<float>(4.0 / 255.0));
  EXPECT_EQ(zp, -64);
  EXPECT_EQ(q, (std::vector<int8_t>{-128, 127}));
  // Positive only: rmin = 0 -> zero point -128.
  const std::vector<float> pos = {0.25f, 1.0f};
  asymmetric_quantize_floats(pos.data(), 2, q.data(), &s, &zp);
  EXPECT_EQ(zp, -128);
  EXPECT_EQ(q, (std::vector<int8_t>{-64, 127}));  // -128 + 63.75 -> -64
  // All zeros: s = 0, zero point 0, q = 0.
  const std::vector<float> zeros = {0.0f, 0.0f};
  asymmetric_quantize_floats(zeros.data(), 2, q.data(), &s, &zp);
  EXPECT_EQ(s, 0.0f);
  EXPECT_EQ(zp, 0);
  EXPECT_EQ(q, (std::vector<int8_t>{0, 0}));
}

std::vector<float> run_fc(const FullyConnectedHybridParams& p, const std::vector<float>& x,
                          const std::vector<int8_t>& w, const std::vector<float>& bias) {
  HybridScratch scratch = make_hybrid_scratch(p.batch, p.input_depth);
  std::vector<float> out(static_cast<size_t>(flat_size(p.output_dims)), -99.0f);
  eval_fully_connected_hybrid(p, x.data(), w.data(), bias.empty() ? nullptr : bias.data(), out.data(), scratch);
  return out;
}

TEST(FullyConnectedHybrid, SymmetricPerTensor) {
  // x = {127, -63.5}: s_b = 1, q = {127, -64}. w = [[1, 2], [-1, 0]] * 0.5, bias {0.25, -1}.
  // dot0 = 127 - 128 = -1 -> 0.25 - 0.5 = -0.25; dot1 = -127 -> -1 - 63.5 = -64.5.
  const std::vector<int8_t> w = {1, 2, -1, 0};
  const std::vector<float> ws = {0.5f};
  const auto p = prepare_fully_connected_hybrid({1, 2}, {2, 2}, Dims{2}, ws, {});
  EXPECT_EQ(p.output_dims, (Dims{1, 2}));
  expect_exact(run_fc(p, {127.0f, -63.5f}, w, {0.25f, -1.0f}), {-0.25f, -64.5f});
  const auto relu = prepare_fully_connected_hybrid({1, 2}, {2, 2}, Dims{2}, ws, {.activation = Activation::kRelu});
  expect_exact(run_fc(relu, {127.0f, -63.5f}, w, {0.25f, -1.0f}), {0.0f, 0.0f});
  // Two batch rows are quantized separately: row 2 = {1.27, 0}: s_b = 0.01, q = {127, 0}.
  const auto two = prepare_fully_connected_hybrid({2, 2}, {2, 2}, std::nullopt, ws, {});
  const std::vector<float> got = run_fc(two, {127.0f, -63.5f, 1.27f, 0.0f}, w, {});
  const float s2 = 1.27f / 127.0f * 0.5f;
  expect_exact(got, {-0.5f, -63.5f, 127.0f * s2, -127.0f * s2});
}

TEST(FullyConnectedHybrid, AsymmetricInputs) {
  // x = {-1, 3}: q = {-128, 127}, zp -64, s_b = 4/255. w = [[1, 2], [-1, 0]] * 0.5.
  // dot0 = -128 + 254 = 126, row sum 3: 126 - 3 * (-64) = 318; dot1 = 128 - 64 = 64.
  const std::vector<int8_t> w = {1, 2, -1, 0};
  const std::vector<float> ws = {0.5f};
  const auto p = prepare_fully_connected_hybrid({1, 2}, {2, 2}, Dims{2}, ws, {.asymmetric_quantize_inputs = true});
  const float s = static_cast<float>(4.0 / 255.0) * 0.5f;
  expect_exact(run_fc(p, {-1.0f, 3.0f}, w, {0.25f, -1.0f}), {0.25f + 318.0f * s, -1.0f + 64.0f * s});
}

TEST(FullyConnectedHybrid, PerChannelNeedsVersion12) {
  const std::vector<float> ws = {0.5f, 0.25f};
  expect_error([&] { prepare_fully_connected_hybrid({1, 2}, {2, 2}, std::nullopt, ws, {.version = 3}); },
               "FULLY_CONNECTED: per-channel int8 weights with a float input (hybrid) need op version 12, got 3");
  // Version 12: S = s_b * s_w[o]. x = {127, -63.5} (s_b = 1): dot {-1, -127}.
  const auto p = prepare_fully_connected_hybrid({1, 2}, {2, 2}, std::nullopt, ws, {.version = 12});
  expect_exact(run_fc(p, {127.0f, -63.5f}, {1, 2, -1, 0}, {}), {-0.5f, -31.75f});
}

TEST(FullyConnectedHybrid, Errors) {
  const std::vector<float> three = {0.5f, 0.5f, 0.5f};
  expect_error([&] { prepare_fully_connected_hybrid({1, 2}, {2, 2}, std::nullopt, three, {.version = 12}); },
               "FULLY_CONNECTED: weights have 3 scales, expected 1 (per-tensor) or 2 (per-channel)");
  const std::vector<float> zero = {0.0f};
  expect_error([&] { prepare_fully_connected_hybrid({1, 2}, {2, 2}, std::nullopt, zero, {}); },
               "FULLY_CONNECTED: weight scale must be finite and > 0");
  const std::vector<float> one = {0.5f};
  expect_error([&] { prepare_fully_connected_hybrid({1, 3}, {2, 2}, std::nullopt, one, {}); }, "FULLY_CONNECTED");
  expect_error([&] { prepare_fully_connected_hybrid({1, 2}, {2, 2}, std::nullopt, one, {.activation = Activation::kTanh}); },
               "FULLY_CONNECTED");
  expect_error([&] { prepare_fully_connected_hybrid({1, 70000}, {1, 70000}, std::nullopt, one, {}); },
               "FULLY_CONNECTED: sums 70000 products per output; at most 65536 fit the int32 accumulator");
}

template <typename Params, typename Eval>
std::vector<float> run_conv(const Params& p, Eval eval, const std::vector<float>& x, const std::vector<int8_t>& w,
                            const std::vector<float>& bias) {
  HybridScratch scratch = make_hybrid_scratch(p.batch, int64_t{p.in_h} * p.in_w * p.in_c);
  std::vector<float> out(static_cast<size_t>(flat_size(p.output_dims)), -99.0f);
  eval(p, x.data(), w.data(), bias.empty() ? nullptr : bias.data(), out.data(), scratch);
  return out;
}

TEST(Conv2DHybrid, PerTensorSymmetric) {
  // x [1, 1, 3, 1] = {127, -63.5, 0}: s_b = 1, q = {127, -64, 0}. Filter 1x2, two
  // channels {1, 1} and {2, -1}, s_w 0.25, bias {0, 1}; SAME: padding after (x = 3).
  // px0: 63 -> 15.75, 318 -> 80.5; px1: -64 -> -16, -128 -> -31; px2: 0 -> 0, 0 -> 1.
  const std::vector<float> ws = {0.25f};
  const auto p = prepare_conv2d_hybrid({1, 1, 3, 1}, {2, 1, 2, 1}, Dims{2}, ws, {});
  EXPECT_FALSE(p.per_channel);
  EXPECT_EQ(p.output_dims, (Dims{1, 1, 3, 2}));
  expect_exact(run_conv(p, eval_conv2d_hybrid, {127.0f, -63.5f, 0.0f}, {1, 1, 2, -1}, {0.0f, 1.0f}),
               {15.75f, 80.5f, -16.0f, -31.0f, 0.0f, 1.0f});
  // RELU6 clamps in float.
  const auto r6 = prepare_conv2d_hybrid({1, 1, 3, 1}, {2, 1, 2, 1}, Dims{2}, ws, {.activation = Activation::kRelu6});
  expect_exact(run_conv(r6, eval_conv2d_hybrid, {127.0f, -63.5f, 0.0f}, {1, 1, 2, -1}, {0.0f, 1.0f}),
               {6.0f, 6.0f, 0.0f, 0.0f, 0.0f, 1.0f});
}

TEST(Conv2DHybrid, PerChannelAsymmetricSkipsPadding) {
  // x [1, 1, 2, 1] = {-1, 3}: q = {-128, 127}, zp -64, s_b = 4/255 (q - zp = {-64, 191}).
  // Filter 1x2: c0 {1, 1} s 0.5, c1 {2, -1} s 0.25; SAME: px1's second tap is padding and
  // adds nothing (not (0 - zp) * w). px0: c0 127, c1 -319; px1: c0 191, c1 382.
  const std::vector<float> ws = {0.5f, 0.25f};
  const auto p = prepare_conv2d_hybrid({1, 1, 2, 1}, {2, 1, 2, 1}, Dims{2}, ws, {});
  EXPECT_TRUE(p.per_channel);
  const float s_b = static_cast<float>(4.0 / 255.0);
  const float bias[2] = {0.5f, -0.5f};
  auto want = [&](float acc, int c) { return acc * (ws[static_cast<size_t>(c)] * s_b) + bias[c]; };
  expect_exact(run_conv(p, eval_conv2d_hybrid, {-1.0f, 3.0f}, {1, 1, 2, -1}, {0.5f, -0.5f}),
               {want(127, 0), want(-319, 1), want(191, 0), want(382, 1)});
}

TEST(Conv2DHybrid, Errors) {
  const std::vector<float> equal = {0.5f, 0.5f};
  expect_error([&] { prepare_conv2d_hybrid({1, 1, 2, 1}, {2, 1, 2, 1}, std::nullopt, equal, {}); },
               "CONV_2D: the 2 per-channel weight scales are all equal");
  const std::vector<float> three = {0.5f, 0.25f, 0.1f};
  expect_error([&] { prepare_conv2d_hybrid({1, 1, 2, 1}, {2, 1, 2, 1}, std::nullopt, three, {}); },
               "CONV_2D: weights have 3 scales, expected 1 (per-tensor) or 2 (per-channel)");
  const std::vector<float> one = {0.5f};
  expect_error([&] { prepare_conv2d_hybrid({1, 1, 2, 2}, {2, 1, 2, 1}, std::nullopt, one, {}); },
               "CONV_2D: input [1, 1, 2, 2] has 2 channels but filter [2, 1, 2, 1] expects 1");
  expect_error([&] { prepare_conv2d_hybrid({1, 1, 2, 1}, {2, 1, 2, 1}, Dims{3}, one, {}); }, "CONV_2D: bias");
}

TEST(DepthwiseConv2DHybrid, PerChannel) {
  // x [1, 1, 2, 2] = {-1, 3, 0.5, 1}: asymmetric over the image: rmin -1, rmax 3 -> zp -64,
  // s_b = 4/255; inv 63.75: q = {-128, 127, -64 + 31.875 -> -32, -64 + 63.75 -> 0}, q - zp =
  // {-64, 191, 32, 64}. Filter [1, 1, 2, 2] (M = 1): c0 taps {1, 2}, c1 taps {-1, 1};
  // VALID: one pixel: c0 = -64 + 64 = 0, c1 = -191 + 64 = -127.
  const std::vector<float> ws = {0.5f, 0.25f};
  const auto p = prepare_depthwise_conv2d_hybrid({1, 1, 2, 2}, {1, 1, 2, 2}, Dims{2}, ws, {.padding = Padding::kValid});
  EXPECT_EQ(p.output_dims, (Dims{1, 1, 1, 2}));
  const float s_b = static_cast<float>(4.0 / 255.0);
  const float c1 = -127.0f * s_b * 0.25f + 2.0f;  // (acc * s_b) * s_w, then + bias
  expect_exact(run_conv(p, eval_depthwise_conv2d_hybrid, {-1.0f, 3.0f, 0.5f, 1.0f}, {1, -1, 2, 1}, {1.0f, 2.0f}),
               {1.0f, c1});
  const std::vector<float> one = {0.5f};
  expect_error([&] { prepare_depthwise_conv2d_hybrid({1, 1, 2, 2}, {1, 1, 2, 2}, std::nullopt, one, {}); },
               "DEPTHWISE_CONV_2D: a float input with int8 weights (hybrid) needs one weight scale per output channel (2), got 1");
}

}  // namespace
}  // namespace lq::kernels
