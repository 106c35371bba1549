// Direct float32 CONV_2D (Conv2DFloatDirect) against the reference kernel on every path
// this CPU has: |direct - reference| <= 1e-5 * (1 + sum |x * w| + |bias|)
// (float_optimized.h), the same bytes for 1 and 2 threads.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <random>

#include "litequant/core/error.h"
#include "litequant/kernels/float_optimized.h"
#include "test_util.h"

namespace lq::kernels {
namespace {

using test::abs_of;
using test::random_values;

// Runs one case on every path, with and without a 2-thread pool.
void check_conv(const Dims& in_dims, const Dims& f_dims, bool has_bias, const Conv2DOptions& opt, std::mt19937& rng,
                const std::string& label, bool expect_direct = true) {
  const int o = f_dims[0];
  Conv2DParams p;
  try {
    p = prepare_conv2d(in_dims, f_dims, has_bias ? std::optional<Dims>(Dims{o}) : std::nullopt, opt);
  } catch (const Error&) {
    return;  // empty output for this window
  }
  const auto x = random_values(static_cast<size_t>(flat_size(in_dims)), rng, -1.0f, 1.0f);
  const auto f = random_values(static_cast<size_t>(flat_size(f_dims)), rng, -1.0f, 1.0f);
  const auto b = random_values(static_cast<size_t>(o), rng, -1.0f, 1.0f);
  std::vector<float> want(static_cast<size_t>(flat_size(p.output_dims))), mag(want.size());
  eval_conv2d(p, x.data(), f.data(), b.data(), want.data());
  Conv2DParams plain = p;
  plain.activation = {};
  eval_conv2d(plain, abs_of(x).data(), abs_of(f).data(), abs_of(b).data(), mag.data());
  test::expect_every_path_matches<Conv2DFloatDirect>(p, f.data(), has_bias ? b.data() : nullptr, x, want, mag, label, expect_direct);
}

TEST(FloatConvDirect, MatchesTheReferenceOverASweep) {
  std::mt19937 rng(17);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int trial = 0; trial < 250; ++trial) {
    const int batch = pick(1, 3), h = pick(1, 10), w = pick(1, 30), c = pick(1, 20), o = pick(1, 70);
    int kh = pick(1, 5), kw = pick(1, 5);
    Conv2DOptions opt;
    opt.padding = pick(0, 1) ? Padding::kSame : Padding::kValid;
    opt.stride_h = pick(1, 3), opt.stride_w = pick(1, 3);
    if (pick(0, 3) == 0) opt.dilation_h = pick(1, 3), opt.dilation_w = pick(1, 3);
    if (trial % 5 == 0) kh = 1, kw = 1, opt.stride_h = opt.stride_w = 1, opt.dilation_h = opt.dilation_w = 1;
    opt.activation = static_cast<Activation>(std::array{0, 1, 2, 3}[static_cast<size_t>(pick(0, 3))]);
    const Dims in_dims{batch, h, w, c}, f_dims{o, kh, kw, c};
    check_conv(in_dims, f_dims, pick(0, 3) != 0, opt, rng,
               "trial " + std::to_string(trial) + " " + dims_string(in_dims) + " filter " + dims_string(f_dims));
  }
}

// Layers of the zoo models, large enough to be split over 2 threads.
TEST(FloatConvDirect, ZooLayersSplitOverThreads) {
  std::mt19937 rng(5);
  Conv2DOptions same{Padding::kSame, 1, 1, 1, 1, Activation::kRelu};
  Conv2DOptions valid{Padding::kValid, 1, 1, 1, 1, Activation::kRelu};
  check_conv({1, 32, 32, 3}, {32, 3, 3, 3}, true, same, rng, "convnet conv1");
  check_conv({1, 16, 16, 64}, {128, 3, 3, 64}, true, same, rng, "convnet conv4");
  check_conv({9, 28, 28, 1}, {12, 3, 3, 1}, true, valid, rng, "cnn conv");
}

// A window far outside the image (SAME padding, huge dilation): the reference kernel.
TEST(FloatConvDirect, HugePaddingKeepsTheReference) {
  std::mt19937 rng(9);
  Conv2DOptions opt{Padding::kSame, 1, 1, 1000, 1000, Activation::kNone};
  check_conv({1, 4, 4, 2}, {3, 3, 3, 2}, true, opt, rng, "dilation 1000", false);
}

}  // namespace
}  // namespace lq::kernels
