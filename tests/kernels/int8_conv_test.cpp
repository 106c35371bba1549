// int8 CONV_2D and DEPTHWISE_CONV_2D: hand-computed values, randomized model check,
// prepare errors.
#include <cmath>
#include <cstdint>
#include <random>

#include "litequant/kernels/int8_reference.h"
#include "test_util.h"

namespace lq::kernels {
namespace {

using test::expect_error;

template <typename Params, typename Eval>
std::vector<int8_t> run(const Params& p, Eval eval, const std::vector<int8_t>& in,
                        const std::vector<int8_t>& w, const std::vector<int32_t>& bias) {
  std::vector<int8_t> out(static_cast<size_t>(flat_size(p.output_dims)), 99);
  eval(p, in.data(), w.data(), bias.empty() ? nullptr : bias.data(), out.data());
  return out;
}

TEST(Conv2DInt8, HandComputedSamePaddingSkipsTaps) {
  // x - zp_in = {0, 1, 2, 3} (2x2). 2x2 SAME filter: padding goes after, so windows are
  // {0,1,2,3}=6, {1,3}=4, {2,3}=5, {3}=3 (out-of-image taps add nothing, not -zp_in).
  // Channel 0: weights 1, m = 1*1/2 = 0.5 -> 3, 2, 2.5->3, 1.5->2.
  // Channel 1: weights -1, m = 0.25 -> -1.5->-1, -1, -1.25->-1, -0.75->-1.
  const std::vector<int8_t> w = {1, 1, 1, 1, -1, -1, -1, -1};
  const std::vector<float> ws = {1.0f, 0.5f};
  const Conv2DInt8Params p =
      prepare_conv2d_int8({1, 2, 2, 1}, {2, 2, 2, 1}, std::nullopt, {1.0f, 1}, ws, {2.0f, 0}, {});
  EXPECT_EQ(p.output_dims, (Dims{1, 2, 2, 2}));
  EXPECT_EQ(run(p, eval_conv2d_int8, {1, 2, 3, 4}, w, {}),
            (std::vector<int8_t>{3, -1, 2, -1, 3, -1, 2, -1}));
  // Bias {2, -2} and zp_out 10: {8+.., }: (6+2)/2=4, (4+2)/2=3, 7/2=3.5->4, 5/2=2.5->3;
  // (-6-2)/4=-2, -6/4=-1.5->-1, -7/4=-1.75->-2, -5/4=-1.25->-1.
  const Conv2DInt8Params pb =
      prepare_conv2d_int8({1, 2, 2, 1}, {2, 2, 2, 1}, Dims{2}, {1.0f, 1}, ws, {2.0f, 10}, {});
  EXPECT_EQ(run(pb, eval_conv2d_int8, {1, 2, 3, 4}, w, {2, -2}),
            (std::vector<int8_t>{14, 8, 13, 9, 14, 8, 13, 9}));
}

TEST(DepthwiseConv2DInt8, HandComputed) {
  // input [1, 1, 3, 2] = {1,2, 3,4, 5,6}; filter [1, 1, 2, 2] = {1,-1, 2,1}; VALID.
  // c0: 1+6=7, 3+10=13 (+1 bias) -> m 0.5: 4, 7; c1: -2+4=2, -4+6=2 (-2 bias) -> 0, 0.
  const std::vector<float> ws = {0.5f, 1.0f};
  const DepthwiseConv2DInt8Params p = prepare_depthwise_conv2d_int8(
      {1, 1, 3, 2}, {1, 1, 2, 2}, Dims{2}, {1.0f, 0}, ws, {1.0f, -1},
      {.padding = Padding::kValid});
  EXPECT_EQ(p.output_dims, (Dims{1, 1, 2, 2}));
  EXPECT_EQ(run(p, eval_depthwise_conv2d_int8, {1, 2, 3, 4, 5, 6}, {1, -1, 2, 1}, {1, -2}),
            (std::vector<int8_t>{3, -1, 6, -1}));
}

TEST(DepthwiseConv2DInt8, DoubleRoundingLikeTheRuntime) {
  // m = 0.25 (M = 2^30, shift -1). acc -6: SRDHM -3, RDBP(-3, 1) = -2 (single: -1).
  // acc 5: SRDHM 3 (2.5 up), RDBP(3, 1) = 2 (single: 1.25 -> 1).
  const std::vector<float> ws = {0.25f};
  const DepthwiseConv2DInt8Params p = prepare_depthwise_conv2d_int8(
      {1, 1, 1, 2}, {1, 1, 1, 2}, std::nullopt, {1.0f, 0}, ws, {1.0f, 0}, {});
  EXPECT_EQ(p.requant.rounding, Rounding::kDouble);
  EXPECT_EQ(run(p, eval_depthwise_conv2d_int8, {-6, 5}, {1, 1}, {}),
            (std::vector<int8_t>{-2, 2}));
  // CONV_2D on the same numbers rounds once.
  const Conv2DInt8Params pc = prepare_conv2d_int8({1, 1, 1, 1}, {2, 1, 1, 1}, std::nullopt,
                                                  {1.0f, 0}, ws, {1.0f, 0}, {});
  EXPECT_EQ(pc.requant.rounding, Rounding::kSingle);
  EXPECT_EQ(run(pc, eval_conv2d_int8, {1}, {-6, 5}, {}), (std::vector<int8_t>{-1, 1}));
}

struct Case {
  int32_t n, h, w, c, o, kh, kw, stride_h, stride_w, dil_h, dil_w, mult;
  Padding padding;
};

// Straightforward model: explicit padding, integer accumulation, then the double
// dequantize-compute-requantize result; returns {exact int accumulators, model outputs}.
struct Model {
  std::vector<int64_t> acc;
  std::vector<double> out;
};

Model model(const Case& k, bool depthwise, const Dims& out_dims, const std::vector<int8_t>& x,
            const std::vector<int8_t>& w, const std::vector<int32_t>& bias, QuantParams qi,
            const std::vector<float>& ws, QuantParams qo) {
  const int32_t oh = out_dims[1], ow = out_dims[2], oc_n = out_dims[3];
  auto pad = [](int32_t in, int32_t out, int32_t f, int32_t s, int32_t d) {
    const int32_t eff = (f - 1) * d + 1;
    return std::max((out - 1) * s + eff - in, 0) / 2;
  };
  const int32_t pt = pad(k.h, oh, k.kh, k.stride_h, k.dil_h);
  const int32_t pl = pad(k.w, ow, k.kw, k.stride_w, k.dil_w);
  Model m;
  for (int32_t b = 0; b < k.n; ++b)
    for (int32_t y = 0; y < oh; ++y)
      for (int32_t xo = 0; xo < ow; ++xo)
        for (int32_t oc = 0; oc < oc_n; ++oc) {
          int64_t acc = bias[static_cast<size_t>(oc)];
          for (int32_t ky = 0; ky < k.kh; ++ky)
            for (int32_t kx = 0; kx < k.kw; ++kx) {
              const int32_t iy = y * k.stride_h - pt + ky * k.dil_h;
              const int32_t ix = xo * k.stride_w - pl + kx * k.dil_w;
              if (iy < 0 || iy >= k.h || ix < 0 || ix >= k.w) continue;
              const size_t base = static_cast<size_t>(((b * k.h + iy) * k.w + ix) * k.c);
              if (depthwise) {
                const int32_t ic = oc / k.mult;
                acc += int64_t{w[static_cast<size_t>((ky * k.kw + kx) * oc_n + oc)]} *
                       (x[base + static_cast<size_t>(ic)] - qi.zero_point);
              } else {
                for (int32_t ic = 0; ic < k.c; ++ic)
                  acc += int64_t{w[static_cast<size_t>(((oc * k.kh + ky) * k.kw + kx) * k.c + ic)]} *
                         (x[base + static_cast<size_t>(ic)] - qi.zero_point);
              }
            }
          m.acc.push_back(acc);
          const double s_w = ws[ws.size() == 1 ? 0 : static_cast<size_t>(oc)];
          const double real = static_cast<double>(acc) * qi.scale * s_w;
          const double q = std::floor(real / qo.scale + 0.5) + qo.zero_point;
          m.out.push_back(std::min(std::max(q, -128.0), 127.0));
        }
  return m;
}

void randomized(bool depthwise) {
  std::mt19937 rng(depthwise ? 5 : 9);
  std::uniform_int_distribution<int> i8(-128, 127), small(1, 3), sz(1, 7), zp(-128, 127);
  std::uniform_real_distribution<float> sc(0.001f, 0.2f);
  for (int trial = 0; trial < 150; ++trial) {
    Case k{small(rng) % 2 + 1, sz(rng), sz(rng), small(rng), small(rng), small(rng), small(rng),
           small(rng), small(rng), small(rng), small(rng), small(rng),
           trial % 2 ? Padding::kSame : Padding::kValid};
    if (k.padding == Padding::kValid) {
      k.h += (k.kh - 1) * k.dil_h;
      k.w += (k.kw - 1) * k.dil_w;
    }
    const int32_t out_c = depthwise ? k.c * k.mult : k.o;
    const Dims filter = depthwise ? Dims{1, k.kh, k.kw, out_c} : Dims{k.o, k.kh, k.kw, k.c};
    std::vector<int8_t> x(static_cast<size_t>(k.n * k.h * k.w * k.c));
    std::vector<int8_t> w(static_cast<size_t>(flat_size(filter)));
    for (auto& v : x) v = static_cast<int8_t>(i8(rng));
    for (auto& v : w) v = static_cast<int8_t>(i8(rng));
    std::vector<int32_t> bias(static_cast<size_t>(out_c));
    for (auto& v : bias) v = i8(rng) * 50;
    std::vector<float> ws(trial % 3 == 0 ? 1 : static_cast<size_t>(out_c));
    for (auto& v : ws) v = sc(rng) * 0.1f;
    const QuantParams qi{sc(rng), zp(rng)}, qo{sc(rng) * 10, zp(rng)};
    std::vector<int8_t> got;
    Dims out_dims;
    if (depthwise) {
      const auto p = prepare_depthwise_conv2d_int8(
          {k.n, k.h, k.w, k.c}, filter, Dims{out_c}, qi, ws, qo,
          {k.padding, k.stride_h, k.stride_w, k.mult, k.dil_h, k.dil_w, Activation::kNone});
      got = run(p, eval_depthwise_conv2d_int8, x, w, bias);
      out_dims = p.output_dims;
    } else {
      const auto p = prepare_conv2d_int8(
          {k.n, k.h, k.w, k.c}, filter, Dims{out_c}, qi, ws, qo,
          {k.padding, k.stride_h, k.stride_w, k.dil_h, k.dil_w, Activation::kNone});
      got = run(p, eval_conv2d_int8, x, w, bias);
      out_dims = p.output_dims;
    }
    const Model m = model(k, depthwise, out_dims, x, w, bias, qi, ws, qo);
    ASSERT_EQ(got.size(), m.out.size());
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_LE(std::abs(got[i] - m.out[i]), 1.0) << "trial " << trial << " at " << i;
    // Exact accumulation: all multipliers 1 and a bias cancelling output 0's accumulator
    // (other outputs are compared clamped).
    const int32_t target = i8(rng) / 2;
    std::vector<int32_t> bias2 = bias;
    bias2[0] = static_cast<int32_t>(bias[0] + target - m.acc[0]);
    const std::vector<float> unit = {1.0f};
    const QuantParams q1{1.0f, qi.zero_point}, qo1{1.0f, 0};
    std::vector<int8_t> exact;
    if (depthwise) {
      const auto p = prepare_depthwise_conv2d_int8(
          {k.n, k.h, k.w, k.c}, filter, Dims{out_c}, q1, unit, qo1,
          {k.padding, k.stride_h, k.stride_w, k.mult, k.dil_h, k.dil_w, Activation::kNone});
      exact = run(p, eval_depthwise_conv2d_int8, x, w, bias2);
    } else {
      const auto p = prepare_conv2d_int8(
          {k.n, k.h, k.w, k.c}, filter, Dims{out_c}, q1, unit, qo1,
          {k.padding, k.stride_h, k.stride_w, k.dil_h, k.dil_w, Activation::kNone});
      exact = run(p, eval_conv2d_int8, x, w, bias2);
    }
    ASSERT_EQ(exact[0], target) << "trial " << trial;
    for (size_t i = 0; i < exact.size(); ++i) {
      const int64_t acc = m.acc[i] + (bias2[i % static_cast<size_t>(out_c)] -
                                      bias[i % static_cast<size_t>(out_c)]);
      ASSERT_EQ(exact[i], std::min<int64_t>(std::max<int64_t>(acc, -128), 127))
          << "trial " << trial << " at " << i;
    }
  }
}

TEST(Conv2DInt8, RandomizedAgainstModel) { randomized(false); }
TEST(DepthwiseConv2DInt8, RandomizedAgainstModel) { randomized(true); }

TEST(Conv2DInt8, PrepareErrors) {
  const std::vector<float> one = {0.5f}, three = {0.5f, 0.5f, 0.5f}, zero = {0.5f, 0.0f};
  auto conv = [](std::span<const float> ws, QuantParams qi, QuantParams qo,
                 std::optional<Dims> bias) {
    return prepare_conv2d_int8({1, 3, 3, 1}, {2, 2, 2, 1}, bias, qi, ws, qo, {});
  };
  expect_error([&] { conv(three, {1, 0}, {1, 0}, Dims{2}); }, "CONV_2D: weights have 3 scales");
  expect_error([&] { conv(zero, {1, 0}, {1, 0}, Dims{2}); }, "CONV_2D: weight scale");
  expect_error([&] { conv(one, {0, 0}, {1, 0}, Dims{2}); }, "CONV_2D: input scale");
  expect_error([&] { conv(one, {1, 0}, {0, 0}, Dims{2}); }, "CONV_2D: output scale");
  expect_error([&] { conv(one, {1, 0}, {1, 300}, Dims{2}); }, "output zero point");
  expect_error([&] { conv(one, {1, 0}, {1, 0}, Dims{3}); }, "CONV_2D: bias");
  expect_error(
      [&] {
        prepare_conv2d_int8({1, 3, 3, 2}, {2, 2, 2, 1}, std::nullopt, {1, 0}, one, {1, 0}, {});
      },
      "CONV_2D");
  auto dw = [](std::span<const float> ws, std::optional<Dims> bias) {
    return prepare_depthwise_conv2d_int8({1, 3, 3, 2}, {1, 2, 2, 2}, bias, {1, 0}, ws, {1, 0},
                                         {});
  };
  expect_error([&] { dw(three, std::nullopt); }, "DEPTHWISE_CONV_2D: weights have 3 scales");
  expect_error([&] { dw(zero, std::nullopt); }, "DEPTHWISE_CONV_2D: weight scale");
  expect_error([&] { dw(one, Dims{1}); }, "DEPTHWISE_CONV_2D: bias");
  expect_error(
      [&] {
        prepare_depthwise_conv2d_int8({1, 3, 3, 2}, {1, 2, 2, 2}, std::nullopt, {1, 0}, one,
                                      {1, 0}, {.activation = Activation::kTanh});
      },
      "TANH");
}

}  // namespace
}  // namespace lq::kernels
