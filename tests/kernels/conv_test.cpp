// CONV_2D and DEPTHWISE_CONV_2D: hand-computed values and prepare errors.
#include <limits>

#include "test_util.h"

namespace lq::kernels {
namespace {

using test::expect_error;
using test::expect_exact;
using test::output_for;

std::vector<float> iota(int n, float start = 1.0f) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = start + static_cast<float>(i);
  return v;
}

std::vector<float> run_conv(const Conv2DParams& p, const std::vector<float>& in,
                            const std::vector<float>& filter, const std::vector<float>& bias = {}) {
  std::vector<float> out = output_for(p);
  eval_conv2d(p, in.data(), filter.data(), bias.empty() ? nullptr : bias.data(), out.data());
  return out;
}

// 3x3 input, 2x2 filter, SAME, stride 1: pad_total 1 -> 0 before, 1 after (TFLite).
TEST(Conv2D, SameExtraPadAfter) {
  const Conv2DParams p = prepare_conv2d({1, 3, 3, 1}, {1, 2, 2, 1}, Dims{1}, {});
  EXPECT_EQ(p.output_dims, (Dims{1, 3, 3, 1}));
  EXPECT_EQ(p.pad_top, 0);
  EXPECT_EQ(p.pad_bottom, 1);
  EXPECT_EQ(p.pad_left, 0);
  EXPECT_EQ(p.pad_right, 1);
  // in 1 2 3 / 4 5 6 / 7 8 9, filter 1 2 / 3 4, bias 0.5; e.g. (0,2) = 3*1 + 6*3.
  expect_exact(run_conv(p, iota(9), {1, 2, 3, 4}, {0.5f}),
               {37.5f, 47.5f, 21.5f, 67.5f, 77.5f, 33.5f, 23.5f, 26.5f, 9.5f});
}

// Filter layout [O, H, W, I], several in/out channels, bias, VALID, fused RELU.
TEST(Conv2D, ChannelsBiasAndRelu) {
  // input (y, x) -> [c0, c1]: (0,0)=[1,2] (0,1)=[3,4] (1,0)=[5,6] (1,1)=[7,8].
  const std::vector<float> filter = {1, 1, 1, 1, 1, 1, 1, 1,    // o=0: all ones -> 36
                                     1, 0, 0, 1, 2, 0, 0, -1};  // o=1: 1 + 4 + 10 - 8 = 7
  Conv2DOptions opt{.padding = Padding::kValid};
  Conv2DParams p = prepare_conv2d({1, 2, 2, 2}, {2, 2, 2, 2}, Dims{2}, opt);
  EXPECT_EQ(p.output_dims, (Dims{1, 1, 1, 2}));
  expect_exact(run_conv(p, iota(8), filter, {1, -10}), {37, -3});
  opt.activation = Activation::kRelu;
  p = prepare_conv2d({1, 2, 2, 2}, {2, 2, 2, 2}, Dims{2}, opt);
  expect_exact(run_conv(p, iota(8), filter, {1, -10}), {37, 0});
  // Without bias.
  p = prepare_conv2d({1, 2, 2, 2}, {2, 2, 2, 2}, std::nullopt, opt);
  EXPECT_FALSE(p.has_bias);
  expect_exact(run_conv(p, iota(8), filter), {36, 7});
}

// 5x5 input v(y,x) = 5y + x + 1, 3x3 ones filter, stride 2.
TEST(Conv2D, Stride2SameAndValid) {
  const std::vector<float> ones(9, 1.0f);
  Conv2DOptions opt{.padding = Padding::kSame, .stride_h = 2, .stride_w = 2};
  Conv2DParams p = prepare_conv2d({1, 5, 5, 1}, {1, 3, 3, 1}, std::nullopt, opt);
  EXPECT_EQ(p.output_dims, (Dims{1, 3, 3, 1}));
  EXPECT_EQ(p.pad_top, 1);
  EXPECT_EQ(p.pad_left, 1);
  // Windows: rows {0,1}, {1,2,3}, {3,4}; same for columns.
  expect_exact(run_conv(p, iota(25), ones), {16, 33, 28, 69, 117, 87, 76, 123, 88});
  opt.padding = Padding::kValid;
  p = prepare_conv2d({1, 5, 5, 1}, {1, 3, 3, 1}, std::nullopt, opt);
  EXPECT_EQ(p.output_dims, (Dims{1, 2, 2, 1}));
  expect_exact(run_conv(p, iota(25), ones), {63, 81, 153, 171});
}

// Dilation 2: taps at (y, x), (y, x+2), (y+2, x), (y+2, x+2).
TEST(Conv2D, Dilation2) {
  Conv2DOptions opt{.padding = Padding::kValid, .dilation_h = 2, .dilation_w = 2};
  Conv2DParams p = prepare_conv2d({1, 5, 5, 1}, {1, 2, 2, 1}, std::nullopt, opt);
  EXPECT_EQ(p.output_dims, (Dims{1, 3, 3, 1}));
  // 1*v + 2*(v+2) + 3*(v+10) + 4*(v+12) = 10 v + 82.
  expect_exact(run_conv(p, iota(25), {1, 2, 3, 4}), {92, 102, 112, 142, 152, 162, 192, 202, 212});
  // SAME: eff 3, pad 1/1, taps at y-1, y+1 and x-1, x+1.
  opt.padding = Padding::kSame;
  p = prepare_conv2d({1, 5, 5, 1}, {1, 2, 2, 1}, std::nullopt, opt);
  EXPECT_EQ(p.output_dims, (Dims{1, 5, 5, 1}));
  const std::vector<float> out = run_conv(p, iota(25), {1, 2, 3, 4});
  EXPECT_EQ(out[0], 4 * 7.0f);                           // only (1,1) in image
  EXPECT_EQ(out[6], 1 * 1 + 2 * 3 + 3 * 11 + 4 * 13.0f);  // (1,1): all four taps
  EXPECT_EQ(out[24], 1 * 19.0f);                         // (4,4): only (3,3)
}

// Batch 2, stride 1 with width != height, fused RELU6 / RELU_N1_TO_1, NONE clamps inf.
TEST(Conv2D, BatchAndClamping) {
  Conv2DOptions opt{.padding = Padding::kValid, .activation = Activation::kRelu6};
  Conv2DParams p = prepare_conv2d({2, 1, 3, 1}, {1, 1, 2, 1}, std::nullopt, opt);
  EXPECT_EQ(p.output_dims, (Dims{2, 1, 2, 1}));
  // in [1 2 3] and [-1 4 -5]; filter [1 2] -> 5, 8 | 7, -6 -> clamp [0, 6].
  expect_exact(run_conv(p, {1, 2, 3, -1, 4, -5}, {1, 2}), {5, 6, 6, 0});
  opt.activation = Activation::kReluN1To1;
  p = prepare_conv2d({2, 1, 3, 1}, {1, 1, 2, 1}, std::nullopt, opt);
  expect_exact(run_conv(p, {0.25f, 0.125f, 3, -1, 4, -5}, {1, 2}), {0.5f, 1, 1, -1});
  const float inf = std::numeric_limits<float>::infinity();
  p = prepare_conv2d({1, 1, 1, 1}, {2, 1, 1, 1}, std::nullopt, {});
  expect_exact(run_conv(p, {inf}, {1, -1}),
               {std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest()});
}

TEST(Conv2D, PrepareErrors) {
  expect_error([] { prepare_conv2d({1, 3, 3, 2}, {1, 2, 2, 3}, std::nullopt, {}); },
               "CONV_2D: input [1, 3, 3, 2] has 2 channels but filter [1, 2, 2, 3] expects 3");
  expect_error([] { prepare_conv2d({1, 3, 3, 4}, {1, 2, 2, 2}, std::nullopt, {}); },
               "grouped convolution is not supported");
  expect_error(
      [] { prepare_conv2d({1, 3, 3, 1}, {1, 4, 4, 1}, std::nullopt, {.padding = Padding::kValid}); },
      "CONV_2D height: VALID padding needs the filter (4 with dilation) to fit in the input (3)");
  expect_error([] { prepare_conv2d({1, 3, 3, 1}, {1, 2, 2, 1}, std::nullopt,
                                   {.padding = Padding::kValid, .dilation_w = 3}); },
               "CONV_2D width: VALID padding");
  expect_error([] { prepare_conv2d({1, 3, 3, 1}, {1, 2, 2, 1}, std::nullopt, {.stride_h = 0}); },
               "CONV_2D height: stride must be >= 1, got 0");
  expect_error([] { prepare_conv2d({1, 3, 3, 1}, {1, 2, 2, 1}, std::nullopt, {.stride_w = -1}); },
               "CONV_2D width: stride must be >= 1, got -1");
  expect_error([] { prepare_conv2d({1, 3, 3, 1}, {1, 2, 2, 1}, std::nullopt, {.dilation_h = 0}); },
               "dilation must be >= 1");
  expect_error([] { prepare_conv2d({1, 3, 3, 1}, {2, 2, 2, 1}, Dims{3}, {}); },
               "CONV_2D: bias [3] has 3 elements, expected 2");
  expect_error([] { prepare_conv2d({3, 3, 1}, {1, 2, 2, 1}, std::nullopt, {}); },
               "CONV_2D: input must have 4 dimensions, got [3, 3, 1]");
  expect_error([] { prepare_conv2d({1, 3, 3, 1}, {2, 2, 1}, std::nullopt, {}); },
               "filter must have 4 dimensions");
  expect_error([] { prepare_conv2d({1, 3, 3, 1}, {0, 2, 2, 1}, std::nullopt, {}); },
               "no output channels");
  expect_error([] { prepare_conv2d({1, 3, 3, 1}, {1, 2, 2, 1}, std::nullopt,
                                   {.activation = Activation::kTanh}); },
               "CONV_2D: fused activation TANH is not supported");
  expect_error([] { prepare_conv2d({1, 0, 3, 1}, {1, 1, 1, 1}, std::nullopt, {}); },
               "input size must be >= 1");
  expect_error([] { prepare_conv2d({-1, 3, 3, 1}, {1, 1, 1, 1}, std::nullopt, {}); },
               "negative");
  const int32_t big = std::numeric_limits<int32_t>::max();
  expect_error([=] { prepare_conv2d({big, big, big, 1}, {1, 1, 1, 1}, std::nullopt, {}); },
               "too many elements");
}

std::vector<float> run_depthwise(const DepthwiseConv2DParams& p, const std::vector<float>& in,
                                 const std::vector<float>& filter,
                                 const std::vector<float>& bias = {}) {
  std::vector<float> out = output_for(p);
  eval_depthwise_conv2d(p, in.data(), filter.data(), bias.empty() ? nullptr : bias.data(),
                        out.data());
  return out;
}

// C = 2, M = 2: output channel c*M + m reads input channel c.
TEST(DepthwiseConv2D, MultiplierChannelOrder) {
  // filter [1, 2, 2, 4]: w[ky][kx][oc] = (oc + 1) * {1, 10, 100, 1000}[tap].
  std::vector<float> filter;
  for (float tap : {1.0f, 10.0f, 100.0f, 1000.0f})
    for (int oc = 0; oc < 4; ++oc) filter.push_back(tap * static_cast<float>(oc + 1));
  DepthwiseConv2DOptions opt{.padding = Padding::kValid, .depth_multiplier = 2};
  DepthwiseConv2DParams p = prepare_depthwise_conv2d({1, 2, 2, 2}, {1, 2, 2, 4}, Dims{4}, opt);
  EXPECT_EQ(p.output_dims, (Dims{1, 1, 1, 4}));
  EXPECT_EQ(p.depth_multiplier, 2);
  // Channel 0 taps 1, 3, 5, 7 -> 7531 per unit weight; channel 1 taps 2, 4, 6, 8 -> 8642.
  expect_exact(run_depthwise(p, iota(8), filter, {1, 2, 3, 4}),
               {7531 + 1, 2 * 7531 + 2, 3 * 8642 + 3, 4 * 8642 + 4});
  // depth_multiplier 0: derived from the filter (TFLite's omitted option).
  opt.depth_multiplier = 0;
  p = prepare_depthwise_conv2d({1, 2, 2, 2}, {1, 2, 2, 4}, std::nullopt, opt);
  EXPECT_EQ(p.depth_multiplier, 2);
  expect_exact(run_depthwise(p, iota(8), filter), {7531, 2 * 7531, 3 * 8642, 4 * 8642});
}

// 3x3 input, 2x2 ones filter, dilation 2, SAME (pad 1/1), stride 1 and 2.
TEST(DepthwiseConv2D, DilationSameAndStride) {
  DepthwiseConv2DOptions opt{.dilation_h = 2, .dilation_w = 2};
  DepthwiseConv2DParams p = prepare_depthwise_conv2d({1, 3, 3, 1}, {1, 2, 2, 1}, std::nullopt, opt);
  EXPECT_EQ(p.output_dims, (Dims{1, 3, 3, 1}));
  EXPECT_EQ(p.pad_top, 1);
  const std::vector<float> ones(4, 1.0f);
  expect_exact(run_depthwise(p, iota(9), ones), {5, 10, 5, 10, 20, 10, 5, 10, 5});
  opt.stride_h = opt.stride_w = 2;  // out ceil(3/2) = 2, pad_total (1*2 + 3 - 3) = 2
  p = prepare_depthwise_conv2d({1, 3, 3, 1}, {1, 2, 2, 1}, std::nullopt, opt);
  EXPECT_EQ(p.output_dims, (Dims{1, 2, 2, 1}));
  expect_exact(run_depthwise(p, iota(9), ones), {5, 5, 5, 5});
  // RELU6 clamp.
  opt = {.padding = Padding::kValid, .activation = Activation::kRelu6};
  p = prepare_depthwise_conv2d({1, 1, 2, 2}, {1, 1, 2, 2}, std::nullopt, opt);
  expect_exact(run_depthwise(p, {1, -2, 3, -4}, {1, 1, 1, 1}), {4, 0});
}

TEST(DepthwiseConv2D, PrepareErrors) {
  expect_error([] { prepare_depthwise_conv2d({1, 3, 3, 2}, {1, 2, 2, 3}, std::nullopt, {}); },
               "DEPTHWISE_CONV_2D: filter [1, 2, 2, 3] must have input channels (2) * "
               "depth_multiplier (1) channels");
  expect_error([] { prepare_depthwise_conv2d({1, 3, 3, 2}, {1, 2, 2, 3}, std::nullopt,
                                             {.depth_multiplier = 0}); },
               "not a multiple");
  expect_error([] { prepare_depthwise_conv2d({1, 3, 3, 2}, {2, 2, 2, 2}, std::nullopt, {}); },
               "must have shape [1, H, W, C*M]");
  expect_error([] { prepare_depthwise_conv2d({1, 3, 3, 2}, {1, 2, 2, 2}, std::nullopt,
                                             {.depth_multiplier = -1}); },
               "depth_multiplier must be >= 1");
  expect_error([] { prepare_depthwise_conv2d({1, 3, 3, 2}, {1, 2, 2, 4}, Dims{2},
                                             {.depth_multiplier = 2}); },
               "DEPTHWISE_CONV_2D: bias [2] has 2 elements, expected 4");
  expect_error([] { prepare_depthwise_conv2d({1, 2, 2, 1}, {1, 3, 3, 1}, std::nullopt,
                                             {.padding = Padding::kValid}); },
               "VALID padding");
  expect_error([] { prepare_depthwise_conv2d({1, 3, 3, 1}, {1, 2, 2, 1}, std::nullopt,
                                             {.stride_w = 0}); },
               "stride must be >= 1");
}

}  // namespace
}  // namespace lq::kernels
