// Fake quantization: TF's nudging and forward/backward with exact numbers (the cases of
// TensorFlow's fake_quant_ops_test, recomputed by hand), and the FakeQuant layers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "litequant/core/error.h"
#include "litequant/core/rng.h"
#include "litequant/nn/fake_quant.h"
#include "litequant/nn/layers.h"
#include "litequant/nn/model.h"

namespace lq {
namespace {

std::vector<float> run(const std::vector<float>& x, const fq::Grid& g) {
  std::vector<float> y(x.size());
  fq::fake_quant(x.data(), y.data(), static_cast<int64_t>(x.size()), g);
  return y;
}

TEST(FakeQuant, NoNudgingWhenTheZeroPointIsAnInteger) {
  // scale = 63.75 / 255 = 0.25, zero point from min = 40 exactly.
  const auto g = fq::nudge(-10.0f, 53.75f, 8, false, fq::Division::kMultiply);
  EXPECT_EQ(g.scale, 0.25f);
  EXPECT_EQ(g.zero_point, 40);
  EXPECT_EQ(g.nudged_min, -10.0f);
  EXPECT_EQ(g.nudged_max, 53.75f);
  EXPECT_EQ(run({-10.1f, -10.0f, -9.9f, -9.75f, 53.75f, 53.8f}, g),
            (std::vector<float>{-10.0f, -10.0f, -10.0f, -9.75f, 53.75f, 53.75f}));
}

TEST(FakeQuant, NudgesTheRangeSoThatZeroIsExact) {
  // zero point from min 0.4 -> 0: range moves up to [0, 63.75].
  auto g = fq::nudge(-0.1f, 63.65f, 8, false, fq::Division::kMultiply);
  EXPECT_EQ(g.zero_point, 0);
  EXPECT_EQ(g.nudged_min, 0.0f);
  EXPECT_EQ(g.nudged_max, 63.75f);
  EXPECT_EQ(run({-0.1f, 0.0f, 0.1f, 0.25f, 63.75f, 63.8f}, g),
            (std::vector<float>{0.0f, 0.0f, 0.0f, 0.25f, 63.75f, 63.75f}));
  // zero point from min 0.5 -> 1 (half away from zero): range moves down to [-0.25, 63.5].
  g = fq::nudge(-0.125f, 63.625f, 8, false, fq::Division::kDivide);
  EXPECT_EQ(g.zero_point, 1);
  EXPECT_EQ(g.nudged_min, -0.25f);
  EXPECT_EQ(g.nudged_max, 63.5f);
  EXPECT_EQ(run({-0.26f, -0.25f, -0.24f, 0.0f, 63.5f, 63.6f}, g),
            (std::vector<float>{-0.25f, -0.25f, -0.25f, 0.0f, 63.5f, 63.5f}));
  // Narrow range: [1, 255], scale 63.5 / 254 = 0.25, zero point 1.4 -> 1.
  g = fq::nudge(-0.1f, 63.4f, 8, true, fq::Division::kMultiply);
  EXPECT_EQ(g.quant_min, 1);
  EXPECT_EQ(g.zero_point, 1);
  EXPECT_EQ(g.nudged_min, 0.0f);
  EXPECT_EQ(g.nudged_max, 63.5f);
  EXPECT_EQ(g.int8_zero_point(8), -127);
}

TEST(FakeQuant, LowBitGrids) {
  // 4 bits: [0, 15] * 0.5.
  auto g = fq::nudge(0.0f, 7.5f, 4, false, fq::Division::kMultiply);
  EXPECT_EQ(g.scale, 0.5f);
  EXPECT_EQ(run({3.3f, 8.0f, -1.0f, 0.74f, 0.76f}, g), (std::vector<float>{3.5f, 7.5f, 0.0f, 0.5f, 1.0f}));
  // 2 bits: [0, 3] with zero point 1, scale 1: values -1, 0, 1, 2.
  g = fq::nudge(-1.0f, 2.0f, 2, false, fq::Division::kDivide);
  EXPECT_EQ(g.zero_point, 1);
  EXPECT_EQ(run({0.4f, 0.6f, -2.0f, 5.0f, 1.5f}, g), (std::vector<float>{0.0f, 1.0f, -1.0f, 2.0f, 2.0f}));
  // 4-bit symmetric narrow range (QAT weights): [-7, 7] * max/7, int8 zero point 0.
  g = fq::nudge(-1.4f, 1.4f, 4, true, fq::Division::kMultiply);
  EXPECT_EQ(g.zero_point, 8);
  EXPECT_EQ(g.int8_zero_point(4), 0);
  EXPECT_FLOAT_EQ(g.scale, 0.2f);
  const auto y = run({1.4f, -1.4f, 0.31f, -0.29f, 2.0f}, g);
  const std::vector<float> want{1.4f, -1.4f, 0.4f, -0.2f, 1.4f};
  for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], want[i], 1e-6f) << i;
}

TEST(FakeQuant, StraightThroughGradientAndRangeGradients) {
  const auto g = fq::nudge(-0.125f, 63.625f, 8, false, fq::Division::kDivide);  // [-0.25, 63.5]
  const std::vector<float> x{-0.26f, -0.25f, -0.24f, 0.0f, 63.5f, 63.6f};
  const std::vector<float> dy{1, 2, 3, 4, 5, 6};
  std::vector<float> dx(6);
  float dmin = 0, dmax = 0;
  fq::fake_quant_backward(x.data(), dy.data(), dx.data(), 6, g, &dmin, &dmax);
  EXPECT_EQ(dx, (std::vector<float>{0, 2, 3, 4, 5, 0}));
  EXPECT_EQ(dmin, 1.0f);
  EXPECT_EQ(dmax, 6.0f);
  // Per channel (last axis, 2 channels): channel 1 has the range [0, 1].
  const fq::Grid grids[2] = {g, fq::nudge(0.0f, 1.0f, 8, false, fq::Division::kMultiply)};
  const std::vector<float> xc{-1.0f, -1.0f, 1.0f, 2.0f};
  const std::vector<float> dyc{1, 2, 3, 4};
  std::vector<float> dxc(4), dminc(2, 0.0f), dmaxc(2, 0.0f);
  fq::fake_quant_backward_per_channel(xc.data(), dyc.data(), dxc.data(), 4, grids, 2, dminc.data(), dmaxc.data());
  EXPECT_EQ(dxc, (std::vector<float>{0, 0, 3, 0}));
  EXPECT_EQ(dminc, (std::vector<float>{1, 2}));
  EXPECT_EQ(dmaxc, (std::vector<float>{0, 4}));
}

TEST(FakeQuant, ZeroRangeGivesZerosAndPassesTheGradient) {
  const auto g = fq::nudge(0.0f, 0.0f, 8, false, fq::Division::kDivide);
  EXPECT_TRUE(g.zero_range);
  EXPECT_EQ(run({-3.0f, 0.0f, 5.0f}, g), (std::vector<float>{0.0f, 0.0f, 0.0f}));
  const float x = 7.0f, dy = 2.0f;
  float dx = 0;
  fq::fake_quant_backward(&x, &dy, &dx, 1, g, nullptr, nullptr);
  EXPECT_EQ(dx, 2.0f);
}

TEST(FakeQuant, RejectsBadBitsAndRanges) {
  auto expect_error = [](auto fn, const std::string& part) {
    try {
      fn();
      ADD_FAILURE() << "no error, expected: " << part;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  expect_error([] { fq::nudge(-1, 1, 1, false, fq::Division::kDivide); }, "num_bits must be in [2, 8], got 1");
  expect_error([] { fq::nudge(-1, 1, 9, false, fq::Division::kDivide); }, "num_bits must be in [2, 8], got 9");
  expect_error([] { fq::nudge(2, 1, 8, false, fq::Division::kDivide); }, "min must not exceed max");
  expect_error([] { fq::nudge(NAN, 1, 8, false, fq::Division::kDivide); }, "must be finite");
  expect_error([] { fq::nudge(1, 1, 8, false, fq::Division::kDivide); }, "range is empty");
  expect_error([] { layers::FakeQuantWithMinMaxArgs(1.0f, -1.0f); }, "min must not exceed max");
  expect_error([] { layers::FakeQuantWithMinMaxArgs(-1.0f, 1.0f, 12); }, "num_bits must be in [2, 8], got 12");
}

// The array forms (AVX-512 on CPUs that have it) equal the scalar formula element by
// element, with tails of every length and on 1 and 2 threads.
TEST(FakeQuant, ArrayFormsEqualTheScalarFormula) {
  Rng rng(5);
  ThreadPool pool(2);
  for (int64_t n : {1, 15, 16, 17, 100, 40000, 70001}) {
    std::vector<float> x(static_cast<size_t>(n)), dy(x.size());
    for (size_t i = 0; i < x.size(); ++i) x[i] = rng.uniform(-3.0f, 5.0f), dy[i] = rng.uniform(-1.0f, 1.0f);
    for (const auto division : {fq::Division::kMultiply, fq::Division::kDivide}) {
      const auto g = fq::nudge(-1.3f, 2.9f, 7, false, division);
      for (ThreadPool* p : {static_cast<ThreadPool*>(nullptr), &pool}) {
        std::vector<float> y(x.size()), dx(x.size());
        fq::fake_quant(x.data(), y.data(), n, g, p);
        fq::fake_quant_backward(x.data(), dy.data(), dx.data(), n, g, nullptr, nullptr, p);
        for (size_t i = 0; i < x.size(); ++i) {
          ASSERT_EQ(y[i], fq::fake_quant(x[i], g)) << n << " at " << i;
          ASSERT_EQ(dx[i], x[i] >= g.nudged_min && x[i] <= g.nudged_max ? dy[i] : 0.0f) << n << " at " << i;
        }
        const auto m = fq::min_max(x.data(), n, p);
        EXPECT_EQ(m.min, *std::min_element(x.begin(), x.end()));
        EXPECT_EQ(m.max, *std::max_element(x.begin(), x.end()));
      }
    }
  }
}

TEST(FakeQuantLayer, ArgsLayerIsAFixedGridAnywhereInAModel) {
  auto in = Input({4});
  auto y = layers::FakeQuantWithMinMaxArgs(-0.125f, 63.625f)(in);
  Model m({in}, {y});
  EXPECT_EQ(m.count_params(), 0);
  Tensor x({1, 4}, {-0.26f, 0.1f, 63.6f, 10.13f});
  const Tensor& out = m.forward(x, false);
  EXPECT_EQ(out[0], -0.25f);
  EXPECT_EQ(out[1], 0.0f);
  EXPECT_EQ(out[2], 63.5f);
  EXPECT_EQ(out[3], 10.25f);
  // Round trip through the config.
  Model back = Model::from_config(m.to_config());
  EXPECT_EQ(back.forward(x, false)[3], 10.25f);
}

TEST(FakeQuantLayer, MovingAverageStartsFromTheFirstBatch) {
  auto in = Input({3});
  QuantizerSpec spec;  // moving average, decay 0.999
  auto y = layers::FakeQuantWithMinMaxVars(spec, "fq")(in);
  Model m({in}, {y});
  Layer* l = m.get_layer("fq");
  auto w = l->weights();
  ASSERT_EQ(w.size(), 3u);  // min, max, optimizer_step
  EXPECT_EQ(w[0]->value[0], -6.0f);
  m.forward(Tensor({1, 3}, {0.5f, 2.0f, 1.0f}), true);  // first step: [min(0.5, 0), 2]
  EXPECT_EQ(w[0]->value[0], 0.0f);
  EXPECT_EQ(w[1]->value[0], 2.0f);
  m.forward(Tensor({1, 3}, {-1.0f, 4.0f, 1.0f}), true);
  float mn = 0.0f, mx = 2.0f;
  mn -= (mn - -1.0f) * (1.0f - 0.999f);
  mx -= (mx - 4.0f) * (1.0f - 0.999f);
  EXPECT_EQ(w[0]->value[0], mn);
  EXPECT_EQ(w[1]->value[0], mx);
  m.forward(Tensor({1, 3}, {-100.0f, 100.0f, 1.0f}), false);  // inference: no update
  EXPECT_EQ(w[0]->value[0], mn);
  EXPECT_EQ(w[2]->value[0], 2.0f);  // two training steps
}

TEST(FakeQuantLayer, TrainablePerChannelRangesGetGradients) {
  auto in = Input({2});
  QuantizerSpec spec;
  spec.range = RangeMode::kTrainable;
  spec.per_channel = true;
  spec.min = -1.0f;
  spec.max = 1.0f;
  auto y = layers::FakeQuantWithMinMaxVars(spec, "fq")(in);
  Model m({in}, {y});
  EXPECT_EQ(m.count_trainable_params(), 4);  // min[2], max[2]
  const Tensor x({2, 2}, {-3.0f, 0.5f, 2.0f, 5.0f});  // the model keeps a pointer until backward
  m.forward(x, true);
  m.backward(Tensor({2, 2}, {1.0f, 2.0f, 3.0f, 4.0f}));
  auto w = m.get_layer("fq")->weights();
  EXPECT_EQ(w[0]->grad[0], 1.0f);  // channel 0: -3 below min
  EXPECT_EQ(w[0]->grad[1], 0.0f);
  EXPECT_EQ(w[1]->grad[0], 3.0f);  // channel 0: 2 above max
  EXPECT_EQ(w[1]->grad[1], 4.0f);  // channel 1: 5 above max
}

}  // namespace
}  // namespace lq
