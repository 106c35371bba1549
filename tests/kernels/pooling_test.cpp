// MAX_POOL_2D and AVERAGE_POOL_2D: padding taps are skipped, not counted.
#include "test_util.h"

namespace lq::kernels {
namespace {

using test::expect_error;
using test::expect_exact;
using test::output_for;

std::vector<float> run_pool(bool max, const Dims& in_dims, const std::vector<float>& in,
                            const Pool2DOptions& opt, Dims expected_dims) {
  const Pool2DParams p = prepare_pool2d(in_dims, opt, max ? "MAX_POOL_2D" : "AVERAGE_POOL_2D");
  EXPECT_EQ(p.output_dims, expected_dims);
  std::vector<float> out = output_for(p);
  if (max) eval_max_pool2d(p, in.data(), out.data());
  else eval_average_pool2d(p, in.data(), out.data());
  return out;
}

const std::vector<float> k1to9 = {1, 2, 3, 4, 5, 6, 7, 8, 9};

TEST(AveragePool2D, SameCountsOnlyInImageTaps) {
  // 3x3 window, stride 1, pad 1/1: corners average 4 taps, edges 6, center 9.
  expect_exact(run_pool(false, {1, 3, 3, 1}, k1to9, {.filter_h = 3, .filter_w = 3}, {1, 3, 3, 1}),
               {3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7});
  // 2x2 window, stride 2: pad 0 before, 1 after -> windows of 4, 2, 2, 1 taps.
  expect_exact(run_pool(false, {1, 3, 3, 1}, k1to9,
                        {.stride_h = 2, .stride_w = 2, .filter_h = 2, .filter_w = 2}, {1, 2, 2, 1}),
               {3, 4.5f, 7.5f, 9});
}

TEST(AveragePool2D, ChannelsValidAndActivation) {
  // [1, 2, 2, 2]: channel 0 = 1 3 5 7, channel 1 = 2 4 6 8.
  const std::vector<float> in = {1, 2, 3, 4, 5, 6, 7, 8};
  const Pool2DOptions opt{.padding = Padding::kValid, .filter_h = 2, .filter_w = 2};
  expect_exact(run_pool(false, {1, 2, 2, 2}, in, opt, {1, 1, 1, 2}), {4, 5});
  Pool2DOptions relu6 = opt;
  relu6.activation = Activation::kRelu6;
  expect_exact(run_pool(false, {1, 2, 2, 2}, {10, -2, 10, -2, 10, -2, 10, -2}, relu6, {1, 1, 1, 2}),
               {6, 0});
  // Rectangular window 1x3 with stride 1x2 on [1, 2, 5, 1].
  expect_exact(run_pool(false, {1, 2, 5, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
                        {.padding = Padding::kValid, .stride_h = 1, .stride_w = 2, .filter_h = 1,
                         .filter_w = 3},
                        {1, 2, 2, 1}),
               {2, 4, 7, 9});
}

TEST(MaxPool2D, ValidAndSame) {
  std::vector<float> in(16);
  for (int i = 0; i < 16; ++i) in[static_cast<size_t>(i)] = static_cast<float>(i + 1);
  expect_exact(run_pool(true, {1, 4, 4, 1}, in,
                        {.padding = Padding::kValid, .stride_h = 2, .stride_w = 2, .filter_h = 2,
                         .filter_w = 2},
                        {1, 2, 2, 1}),
               {6, 8, 14, 16});
  // Negative values with SAME: padding never contributes a 0.
  const std::vector<float> neg = {-1, -2, -3, -4, -5, -6, -7, -8, -9};
  const Pool2DOptions same2{.stride_h = 2, .stride_w = 2, .filter_h = 2, .filter_w = 2};
  expect_exact(run_pool(true, {1, 3, 3, 1}, neg, same2, {1, 2, 2, 1}), {-1, -3, -7, -9});
  Pool2DOptions relu = same2;
  relu.activation = Activation::kRelu;
  expect_exact(run_pool(true, {1, 3, 3, 1}, neg, relu, {1, 2, 2, 1}), {0, 0, 0, 0});
  // Batch 2, 2 channels, global 2x2 window.
  expect_exact(run_pool(true, {2, 2, 2, 2}, {1, 8, 2, 7, 3, 6, 4, 5, -1, -8, -2, -7, -3, -6, -4, -5},
                        {.padding = Padding::kValid, .filter_h = 2, .filter_w = 2}, {2, 1, 1, 2}),
               {4, 8, -1, -5});
}

TEST(Pool2D, PrepareErrors) {
  expect_error([] { prepare_pool2d({1, 3, 3, 1}, {.filter_h = 0}, "MAX_POOL_2D"); },
               "MAX_POOL_2D height: filter size must be >= 1, got 0");
  expect_error([] { prepare_pool2d({1, 3, 3, 1}, {.stride_w = 0}, "AVERAGE_POOL_2D"); },
               "AVERAGE_POOL_2D width: stride must be >= 1, got 0");
  expect_error([] { prepare_pool2d({1, 3, 3, 1}, {.padding = Padding::kValid, .filter_h = 4},
                                   "MAX_POOL_2D"); },
               "MAX_POOL_2D height: VALID padding needs the filter (4 with dilation)");
  expect_error([] { prepare_pool2d({3, 3, 1}, {}, "MAX_POOL_2D"); },
               "MAX_POOL_2D: input must have 4 dimensions, got [3, 3, 1]");
  expect_error([] { prepare_pool2d({1, 3, 3, 1}, {.activation = Activation::kTanh}, "MAX_POOL_2D"); },
               "MAX_POOL_2D: fused activation TANH is not supported");
}

}  // namespace
}  // namespace lq::kernels
