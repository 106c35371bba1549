// Float32 DEPTHWISE_CONV_2D (DepthwiseConv2DFloatOptimized) against the reference kernel
// on every path this CPU has: |optimized - reference| <= 1e-5 * (1 + sum |x * w| + |bias|)
// (float_optimized.h), the same bytes for 1 and 2 threads.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <random>

#include "litequant/core/error.h"
#include "litequant/kernels/float_optimized.h"
#include "test_util.h"

namespace lq::kernels {
namespace {

using test::abs_of;
using test::random_values;

// Runs one case on every path, with and without a 2-thread pool.
void check_depthwise(const Dims& in_dims, int kh, int kw, const DepthwiseConv2DOptions& opt, bool has_bias,
                     std::mt19937& rng, const std::string& label, bool expect_optimized = true) {
  const int oc = in_dims[3] * opt.depth_multiplier;
  const Dims f_dims{1, kh, kw, oc};
  DepthwiseConv2DParams p;
  try {
    p = prepare_depthwise_conv2d(in_dims, f_dims, has_bias ? std::optional<Dims>(Dims{oc}) : std::nullopt, opt);
  } catch (const Error&) {
    return;  // empty output for this window
  }
  const auto x = random_values(static_cast<size_t>(flat_size(in_dims)), rng);
  const auto f = random_values(static_cast<size_t>(flat_size(f_dims)), rng);
  const auto b = random_values(static_cast<size_t>(oc), rng);
  std::vector<float> want(static_cast<size_t>(flat_size(p.output_dims))), mag(want.size());
  eval_depthwise_conv2d(p, x.data(), f.data(), b.data(), want.data());
  DepthwiseConv2DParams plain = p;
  plain.activation = {};
  eval_depthwise_conv2d(plain, abs_of(x).data(), abs_of(f).data(), abs_of(b).data(), mag.data());
  test::expect_every_path_matches<DepthwiseConv2DFloatOptimized>(p, f.data(), has_bias ? b.data() : nullptr, x, want, mag, label, expect_optimized);
}

TEST(FloatDepthwiseOptimized, MatchesTheReferenceOverASweep) {
  std::mt19937 rng(23);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int trial = 0; trial < 300; ++trial) {
    const int batch = pick(1, 2), h = pick(1, 12), w = pick(1, 20);
    const int c = trial < 70 ? trial + 1 : pick(1, 70);  // every channel count 1..70 once
    DepthwiseConv2DOptions opt;
    opt.depth_multiplier = pick(1, 3);
    opt.padding = pick(0, 1) ? Padding::kSame : Padding::kValid;
    opt.stride_h = pick(1, 3), opt.stride_w = pick(1, 3);
    if (pick(0, 3) == 0) opt.dilation_h = pick(1, 3), opt.dilation_w = pick(1, 3);
    opt.activation = static_cast<Activation>(std::array{0, 1, 2, 3}[static_cast<size_t>(pick(0, 3))]);
    const int kh = pick(1, 5), kw = pick(1, 5);
    const Dims in_dims{batch, h, w, c};
    check_depthwise(in_dims, kh, kw, opt, pick(0, 3) != 0, rng,
                    "trial " + std::to_string(trial) + " " + dims_string(in_dims) + " k " + std::to_string(kh) +
                        "x" + std::to_string(kw) + " M " + std::to_string(opt.depth_multiplier));
  }
}

// MobileNet-like layers, large enough to be split over 2 threads.
TEST(FloatDepthwiseOptimized, LargeLayersSplitOverThreads) {
  std::mt19937 rng(3);
  DepthwiseConv2DOptions same{Padding::kSame, 1, 1, 1, 1, 1, Activation::kRelu6};
  DepthwiseConv2DOptions strided{Padding::kSame, 2, 2, 1, 1, 1, Activation::kRelu};
  check_depthwise({1, 56, 56, 64}, 3, 3, same, true, rng, "56x56x64");
  check_depthwise({2, 28, 28, 40}, 3, 3, strided, true, rng, "strided 28x28x40");
  DepthwiseConv2DOptions mult{Padding::kValid, 1, 1, 2, 1, 1, Activation::kNone};
  check_depthwise({1, 40, 40, 24}, 5, 5, mult, false, rng, "M 2, 5x5");
}

// A window far outside the image (SAME padding, huge dilation): the reference kernel.
TEST(FloatDepthwiseOptimized, HugePaddingKeepsTheReference) {
  std::mt19937 rng(9);
  DepthwiseConv2DOptions opt{Padding::kSame, 1, 1, 1, 1000, 1000, Activation::kNone};
  check_depthwise({1, 4, 4, 2}, 3, 3, opt, true, rng, "dilation 1000", false);
}

}  // namespace
}  // namespace lq::kernels
