// Optimized dynamic-range kernels (hybrid_optimized.h) against the reference kernels
// (hybrid_reference.h): bit-identical outputs over random shapes, strides, dilations,
// paddings, per-tensor / per-channel weights, symmetric / asymmetric inputs, activations
// and awkward inputs (zero rows, one-signed rows, signed zeros), on every code path and
// for several thread counts; the bounded-scratch fallback to the reference kernel.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "litequant/core/thread_pool.h"
#include "litequant/kernels/hybrid_optimized.h"
#include "litequant/kernels/hybrid_reference.h"

namespace lq::kernels {
namespace {

struct Rand {
  std::mt19937 rng;
  explicit Rand(uint32_t seed) : rng(seed) {}
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  float uniform(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(rng); }
  std::vector<int8_t> weights(size_t n) {
    std::vector<int8_t> v(n);
    for (auto& x : v) x = static_cast<int8_t>(pick(-127, 127));
    return v;
  }
  // Rows of `row` values with a random character each: mixed signs, positive only,
  // negative only, all zero (some -0.0), a few large magnitudes, exact halves.
  std::vector<float> input(int64_t rows, int64_t row) {
    std::vector<float> v(static_cast<size_t>(rows * row));
    for (int64_t r = 0; r < rows; ++r) {
      const int kind = pick(0, 7);
      const float scale = uniform(0.01f, 50.0f);
      for (int64_t i = 0; i < row; ++i) {
        float x = uniform(-scale, scale);
        if (kind == 1) x = std::abs(x);
        if (kind == 2) x = -std::abs(x);
        if (kind == 3) x = pick(0, 1) ? 0.0f : -0.0f;
        if (kind == 4) x = static_cast<float>(pick(-254, 254)) * 0.5f;  // halves after * inv
        if (kind == 5 && pick(0, 9) == 0) x *= 1000.0f;
        v[static_cast<size_t>(r * row + i)] = x;
      }
    }
    return v;
  }
  std::vector<float> scales(size_t n) {
    std::vector<float> s(n);
    for (auto& x : s) x = uniform(0.001f, 0.05f);
    return s;
  }
  Activation activation() {
    const Activation all[] = {Activation::kNone, Activation::kRelu, Activation::kRelu6, Activation::kReluN1To1};
    return all[pick(0, 3)];
  }
};

// Bitwise comparison (NaN payloads and signed zeros included).
void expect_same_bits(const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    uint32_t a, b;
    std::memcpy(&a, &got[i], 4);
    std::memcpy(&b, &want[i], 4);
    ASSERT_EQ(a, b) << what << " at " << i << ": " << got[i] << " vs " << want[i];
  }
}

class HybridOptimizedTest : public ::testing::TestWithParam<Int8Path> {
 protected:
  void SetUp() override {
    if (!int8_path_available(GetParam())) GTEST_SKIP() << int8_path_name(GetParam()) << " not available";
  }
};

TEST_P(HybridOptimizedTest, FullyConnectedMatchesReferenceBits) {
  Rand r(11);
  ThreadPool pool3(3);
  for (int trial = 0; trial < 120; ++trial) {
    const int32_t batch = r.pick(1, 13);
    const int32_t in = r.pick(1, 300), out = r.pick(1, 70);
    const bool per_channel = r.pick(0, 2) == 0, has_bias = r.pick(0, 3) != 0;
    FullyConnectedHybridOptions o{r.activation(), false, r.pick(0, 1) == 1, per_channel ? 12 : 9};
    const auto ws = r.scales(per_channel ? static_cast<size_t>(out) : 1);
    const auto p = prepare_fully_connected_hybrid({batch, in}, {out, in}, has_bias ? std::optional<Dims>(Dims{out}) : std::nullopt, ws, o);
    const auto w = r.weights(static_cast<size_t>(in) * out);
    std::vector<float> bias(static_cast<size_t>(out));
    for (auto& b : bias) b = r.uniform(-3.0f, 3.0f);
    const auto x = r.input(batch, in);
    std::vector<float> want(static_cast<size_t>(batch * out)), got(want.size(), -7.0f);
    HybridScratch scratch = make_hybrid_scratch(batch, in);
    eval_fully_connected_hybrid(p, x.data(), w.data(), has_bias ? bias.data() : nullptr, want.data(), scratch);
    auto opt = prepare_fully_connected_hybrid_optimized(p, w.data(), has_bias ? bias.data() : nullptr, GetParam(), 3);
    ASSERT_FALSE(opt.uses_reference());
    eval_fully_connected_hybrid_optimized(opt, x.data(), got.data(), trial % 2 ? &pool3 : nullptr);
    expect_same_bits(got, want, "trial " + std::to_string(trial));
  }
}

TEST_P(HybridOptimizedTest, Conv2DMatchesReferenceBits) {
  Rand r(12);
  ThreadPool pool2(2);
  for (int trial = 0; trial < 60; ++trial) {
    const int32_t n = r.pick(1, 3), h = r.pick(1, 9), w = r.pick(1, 9), c = r.pick(1, 20), oc = r.pick(1, 40);
    const int32_t kh = r.pick(1, 4), kw = r.pick(1, 4);
    Conv2DOptions o{r.pick(0, 1) ? Padding::kSame : Padding::kValid, r.pick(1, 3), r.pick(1, 3),
                    r.pick(0, 3) ? 1 : 2, r.pick(0, 3) ? 1 : 2, r.activation()};
    const int ext_h = (kh - 1) * o.dilation_h + 1, ext_w = (kw - 1) * o.dilation_w + 1;
    if (o.padding == Padding::kValid && (ext_h > h || ext_w > w)) o.padding = Padding::kSame;
    const bool per_channel = oc > 1 && r.pick(0, 1) == 1;
    auto ws = r.scales(per_channel ? static_cast<size_t>(oc) : 1);
    if (per_channel) ws[0] = ws[1] * 1.5f;  // not all equal
    const auto p = prepare_conv2d_hybrid({n, h, w, c}, {oc, kh, kw, c}, Dims{oc}, ws, o);
    const auto filter = r.weights(static_cast<size_t>(oc) * kh * kw * c);
    std::vector<float> bias(static_cast<size_t>(oc));
    for (auto& b : bias) b = r.uniform(-3.0f, 3.0f);
    const auto x = r.input(n, int64_t{h} * w * c);
    std::vector<float> want(static_cast<size_t>(flat_size(p.output_dims))), got(want.size(), -7.0f);
    HybridScratch scratch = make_hybrid_scratch(n, int64_t{h} * w * c);
    eval_conv2d_hybrid(p, x.data(), filter.data(), bias.data(), want.data(), scratch);
    auto opt = prepare_conv2d_hybrid_optimized(p, filter.data(), bias.data(), GetParam(), 2);
    ASSERT_FALSE(opt.uses_reference());
    eval_conv2d_hybrid_optimized(opt, x.data(), got.data(), trial % 2 ? &pool2 : nullptr);
    expect_same_bits(got, want, "trial " + std::to_string(trial) + (per_channel ? " per-channel" : " per-tensor"));
  }
}

TEST_P(HybridOptimizedTest, DepthwiseMatchesReferenceBits) {
  Rand r(13);
  ThreadPool pool2(2);
  for (int trial = 0; trial < 60; ++trial) {
    const int32_t n = r.pick(1, 3), h = r.pick(1, 9), w = r.pick(1, 9), c = r.pick(1, 20), m = r.pick(1, 3);
    const int32_t kh = r.pick(1, 4), kw = r.pick(1, 4);
    DepthwiseConv2DOptions o{r.pick(0, 1) ? Padding::kSame : Padding::kValid, r.pick(1, 3), r.pick(1, 3), m,
                             r.pick(0, 3) ? 1 : 2, r.pick(0, 3) ? 1 : 2, r.activation()};
    const int ext_h = (kh - 1) * o.dilation_h + 1, ext_w = (kw - 1) * o.dilation_w + 1;
    if (o.padding == Padding::kValid && (ext_h > h || ext_w > w)) o.padding = Padding::kSame;
    const bool has_bias = r.pick(0, 3) != 0;
    const auto ws = r.scales(static_cast<size_t>(c * m));
    const auto p = prepare_depthwise_conv2d_hybrid({n, h, w, c}, {1, kh, kw, c * m},
                                                   has_bias ? std::optional<Dims>(Dims{c * m}) : std::nullopt, ws, o);
    const auto filter = r.weights(static_cast<size_t>(kh) * kw * c * m);
    std::vector<float> bias(static_cast<size_t>(c * m));
    for (auto& b : bias) b = r.uniform(-3.0f, 3.0f);
    const auto x = r.input(n, int64_t{h} * w * c);
    std::vector<float> want(static_cast<size_t>(flat_size(p.output_dims))), got(want.size(), -7.0f);
    HybridScratch scratch = make_hybrid_scratch(n, int64_t{h} * w * c);
    const float* b = has_bias ? bias.data() : nullptr;
    eval_depthwise_conv2d_hybrid(p, x.data(), filter.data(), b, want.data(), scratch);
    auto opt = prepare_depthwise_conv2d_hybrid_optimized(p, filter.data(), b, GetParam(), 2);
    ASSERT_FALSE(opt.uses_reference());
    eval_depthwise_conv2d_hybrid_optimized(opt, x.data(), got.data(), trial % 2 ? &pool2 : nullptr);
    expect_same_bits(got, want, "trial " + std::to_string(trial));
  }
}

// Large enough to be split over threads: the same bits for every pool size.
TEST_P(HybridOptimizedTest, ThreadCountDoesNotChangeBits) {
  Rand r(14);
  ThreadPool pool2(2), pool3(3), pool5(5);
  ThreadPool* pools[] = {nullptr, &pool2, &pool3, &pool5};
  {
    const auto ws = r.scales(1);
    const auto p = prepare_fully_connected_hybrid({40, 512}, {256, 512}, Dims{256}, ws, {.asymmetric_quantize_inputs = true});
    const auto w = r.weights(512 * 256);
    std::vector<float> bias(256, 0.5f);
    const auto x = r.input(40, 512);
    std::vector<float> want(40 * 256), got(want.size());
    HybridScratch scratch = make_hybrid_scratch(40, 512);
    eval_fully_connected_hybrid(p, x.data(), w.data(), bias.data(), want.data(), scratch);
    auto opt = prepare_fully_connected_hybrid_optimized(p, w.data(), bias.data(), GetParam(), 4);
    for (ThreadPool* pool : pools) {
      eval_fully_connected_hybrid_optimized(opt, x.data(), got.data(), pool);
      expect_same_bits(got, want, "FC");
    }
  }
  {
    auto ws = r.scales(32);
    const auto p = prepare_conv2d_hybrid({3, 16, 16, 16}, {32, 3, 3, 16}, Dims{32}, ws, {});
    const auto f = r.weights(32 * 9 * 16);
    std::vector<float> bias(32, -0.25f);
    const auto x = r.input(3, 16 * 16 * 16);
    std::vector<float> want(static_cast<size_t>(flat_size(p.output_dims))), got(want.size());
    HybridScratch scratch = make_hybrid_scratch(3, 16 * 16 * 16);
    eval_conv2d_hybrid(p, x.data(), f.data(), bias.data(), want.data(), scratch);
    auto opt = prepare_conv2d_hybrid_optimized(p, f.data(), bias.data(), GetParam(), 4);
    for (ThreadPool* pool : pools) {
      eval_conv2d_hybrid_optimized(opt, x.data(), got.data(), pool);
      expect_same_bits(got, want, "CONV_2D");
    }
  }
  {
    const auto ws = r.scales(64);
    const auto p = prepare_depthwise_conv2d_hybrid({3, 24, 24, 64}, {1, 3, 3, 64}, Dims{64}, ws, {});
    const auto f = r.weights(9 * 64);
    std::vector<float> bias(64, 0.125f);
    const auto x = r.input(3, 24 * 24 * 64);
    std::vector<float> want(static_cast<size_t>(flat_size(p.output_dims))), got(want.size());
    HybridScratch scratch = make_hybrid_scratch(3, 24 * 24 * 64);
    eval_depthwise_conv2d_hybrid(p, x.data(), f.data(), bias.data(), want.data(), scratch);
    auto opt = prepare_depthwise_conv2d_hybrid_optimized(p, f.data(), bias.data(), GetParam(), 4);
    for (ThreadPool* pool : pools) {
      eval_depthwise_conv2d_hybrid_optimized(opt, x.data(), got.data(), pool);
      expect_same_bits(got, want, "DEPTHWISE_CONV_2D");
    }
  }
}

// A window far outside the image (huge dilation with SAME padding): the padded image
// would exceed the scratch bound, so the reference kernel runs, with the same result.
TEST_P(HybridOptimizedTest, HugePaddedImageFallsBackToReference) {
  Rand r(15);
  const auto ws = r.scales(1);
  const auto p = prepare_conv2d_hybrid({1, 4, 4, 2}, {3, 3, 3, 2}, Dims{3}, ws, {Padding::kSame, 1, 1, 100000, 100000});
  const auto f = r.weights(3 * 9 * 2);
  const std::vector<float> bias = {0.5f, -0.5f, 0.0f};
  const auto x = r.input(1, 32);
  std::vector<float> want(static_cast<size_t>(flat_size(p.output_dims))), got(want.size());
  HybridScratch scratch = make_hybrid_scratch(1, 32);
  eval_conv2d_hybrid(p, x.data(), f.data(), bias.data(), want.data(), scratch);
  auto opt = prepare_conv2d_hybrid_optimized(p, f.data(), bias.data(), GetParam());
  EXPECT_TRUE(opt.uses_reference());
  eval_conv2d_hybrid_optimized(opt, x.data(), got.data());
  expect_same_bits(got, want, "CONV_2D fallback");

  const auto dws = r.scales(2);
  const auto dp = prepare_depthwise_conv2d_hybrid({1, 4, 4, 2}, {1, 3, 3, 2}, Dims{2}, dws,
                                                  {Padding::kSame, 1, 1, 1, 100000, 100000});
  const auto df = r.weights(9 * 2);
  std::vector<float> dwant(static_cast<size_t>(flat_size(dp.output_dims))), dgot(dwant.size());
  eval_depthwise_conv2d_hybrid(dp, x.data(), df.data(), bias.data(), dwant.data(), scratch);
  auto dopt = prepare_depthwise_conv2d_hybrid_optimized(dp, df.data(), bias.data(), GetParam());
  EXPECT_TRUE(dopt.uses_reference());
  eval_depthwise_conv2d_hybrid_optimized(dopt, x.data(), dgot.data());
  expect_same_bits(dgot, dwant, "DEPTHWISE_CONV_2D fallback");
}

INSTANTIATE_TEST_SUITE_P(Paths, HybridOptimizedTest,
                         ::testing::Values(Int8Path::kPortable, Int8Path::kAvx2, Int8Path::kAvx512Vnni),
                         [](const ::testing::TestParamInfo<Int8Path>& param_info) {
                           return std::string(int8_path_name(param_info.param));
                         });

}  // namespace
}  // namespace lq::kernels
