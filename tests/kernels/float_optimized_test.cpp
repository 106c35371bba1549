// Optimized float32 CONV_2D and FULLY_CONNECTED against the reference kernels over a random
// sweep: |optimized - reference| <= 1e-5 * (1 + sum |x * w|) (float_optimized.h), with
// the same output for 1 and 2 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <array>
#include <random>

#include "litequant/core/cpu.h"
#include "litequant/core/error.h"
#include "litequant/kernels/float_optimized.h"
#include "test_util.h"

namespace lq::kernels {
namespace {

using test::abs_of;
using test::random_values;


TEST(FloatOptimized, Conv2DMatchesTheReferenceOverASweep) {
  std::mt19937 rng(7);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  ThreadPool pool(2);
  for (int trial = 0; trial < 300; ++trial) {
    const int batch = pick(1, 3), h = pick(1, 12), w = pick(1, 12), c = pick(1, 20), o = pick(1, 40);
    int kh = pick(1, 5), kw = pick(1, 5);
    Conv2DOptions opt;
    opt.padding = pick(0, 1) ? Padding::kSame : Padding::kValid;
    opt.stride_h = pick(1, 3), opt.stride_w = pick(1, 3);
    if (pick(0, 3) == 0) opt.dilation_h = pick(1, 2), opt.dilation_w = pick(1, 2);
    if (trial % 5 == 0) kh = 1, kw = 1, opt.stride_h = opt.stride_w = 1, opt.dilation_h = opt.dilation_w = 1;
    opt.activation = static_cast<Activation>(std::array{0, 1, 3}[static_cast<size_t>(pick(0, 2))]);
    const Dims in_dims{batch, h, w, c}, f_dims{o, kh, kw, c};
    const bool has_bias = pick(0, 3) != 0;
    Conv2DParams p;
    try {
      p = prepare_conv2d(in_dims, f_dims, has_bias ? std::optional<Dims>(Dims{o}) : std::nullopt, opt);
    } catch (const Error&) {
      continue;  // empty output for this window
    }
    const auto x = random_values(static_cast<size_t>(flat_size(in_dims)), rng, 0.0f, 1.0f);
    const auto f = random_values(static_cast<size_t>(flat_size(f_dims)), rng);
    const auto b = random_values(static_cast<size_t>(o), rng);
    std::vector<float> want(static_cast<size_t>(flat_size(p.output_dims))), mag(want.size()), got(want.size()),
        got2(want.size());
    eval_conv2d(p, x.data(), f.data(), b.data(), want.data());
    Conv2DParams plain = p;
    plain.activation = {};
    eval_conv2d(plain, abs_of(x).data(), abs_of(f).data(), abs_of(b).data(), mag.data());
    Conv2DFloatOptimized one(p), two(p);
    one.eval(x.data(), f.data(), b.data(), got.data(), nullptr);
    two.eval(x.data(), f.data(), b.data(), got2.data(), &pool);
    const std::string label = "trial " + std::to_string(trial) + " " + dims_string(in_dims) + " filter " +
                              dims_string(f_dims);
    test::expect_within_tolerance(got, want, mag, label);
    ASSERT_EQ(got, got2) << label << ": thread count changed the result";
  }
}

TEST(FloatOptimized, FullyConnectedMatchesTheReferenceOverASweep) {
  std::mt19937 rng(11);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  ThreadPool pool(2);
  for (int trial = 0; trial < 300; ++trial) {
    const int batch = pick(1, 9), in = pick(1, 300), out = pick(1, 600);
    FullyConnectedOptions opt;
    opt.activation = static_cast<Activation>(std::array{0, 1, 3}[static_cast<size_t>(pick(0, 2))]);
    const bool has_bias = pick(0, 3) != 0;
    const auto p = prepare_fully_connected({batch, in}, {out, in}, has_bias ? std::optional<Dims>(Dims{out}) : std::nullopt, opt);
    const auto x = random_values(static_cast<size_t>(batch * in), rng);
    const auto wt = random_values(static_cast<size_t>(out * in), rng);
    const auto b = random_values(static_cast<size_t>(out), rng);
    std::vector<float> want(static_cast<size_t>(batch * out)), mag(want.size()), got(want.size()), got2(want.size());
    eval_fully_connected(p, x.data(), wt.data(), b.data(), want.data());
    FullyConnectedParams plain = p;
    plain.activation = {};
    eval_fully_connected(plain, abs_of(x).data(), abs_of(wt).data(), abs_of(b).data(), mag.data());
    eval_fully_connected_optimized(p, x.data(), wt.data(), b.data(), got.data(), nullptr);
    eval_fully_connected_optimized(p, x.data(), wt.data(), b.data(), got2.data(), &pool);
    const std::string label = "trial " + std::to_string(trial) + " batch " + std::to_string(batch) + " " +
                              std::to_string(in) + "->" + std::to_string(out);
    test::expect_within_tolerance(got, want, mag, label);
    ASSERT_EQ(got, got2) << label << ": thread count changed the result";
  }
}

// Both dot-product paths (AVX-512 when present, portable) agree with the reference sum.
TEST(FloatOptimized, DotRowsPathsAgree) {
  std::mt19937 rng(3);
  for (int in : {1, 15, 16, 17, 100, 784}) {
    const auto x = random_values(static_cast<size_t>(in), rng);
    const auto w = random_values(static_cast<size_t>(in * 7), rng);
    std::vector<std::vector<float>> ys(2, std::vector<float>(7));
    detail::dot_rows_portable(x.data(), w.data(), in, 0, 7, ys[0].data());
    if (cpu_features().avx512_core()) detail::dot_rows_avx512(x.data(), w.data(), in, 0, 7, ys[1].data());
    else ys[1] = ys[0];
    for (const auto& y : ys)
      for (int o = 0; o < 7; ++o) {
        double want = 0, mag = 0;
        for (int i = 0; i < in; ++i) want += double(x[i]) * w[o * in + i], mag += std::fabs(double(x[i]) * w[o * in + i]);
        EXPECT_NEAR(y[o], want, 1e-5 * (1 + mag)) << in << " row " << o;
      }
  }
}

}  // namespace
}  // namespace lq::kernels
