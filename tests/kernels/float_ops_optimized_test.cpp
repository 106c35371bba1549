// Optimized float non-GEMM ops (float_ops_optimized.h) against the reference kernels on
// every code path: bit-identical where the NUMERIC CONTRACT says so, within its stated
// ulp / relative bounds for exp, LOGISTIC, TANH and SOFTMAX.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "litequant/core/thread_pool.h"
#include "litequant/kernels/float_ops_optimized.h"
#include "litequant/kernels/float_reference.h"

namespace lq::kernels {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Same bits, except that any NaN matches any NaN.
void expect_same_bits(const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  int shown = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const bool ok = (std::isnan(got[i]) && std::isnan(want[i])) ||
                    std::bit_cast<uint32_t>(got[i]) == std::bit_cast<uint32_t>(want[i]);
    if (!ok && shown++ < 5) ADD_FAILURE() << what << " at " << i << ": " << got[i] << " vs " << want[i];
  }
}

// Distance in units in the last place (for finite values of the same sign).
int64_t ulps(float a, float b) {
  auto key = [](float f) {
    const int32_t i = std::bit_cast<int32_t>(f);
    return i < 0 ? -int64_t{i & 0x7fffffff} : int64_t{i};
  };
  const int64_t d = key(a) - key(b);
  return d < 0 ? -d : d;
}

struct Rand {
  std::mt19937 gen{1234};
  int i(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); }
  float f(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(gen); }
  // Mostly uniform values, some -0, +-inf, NaN and huge values.
  std::vector<float> data(int64_t n, bool specials = true) {
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v) {
      const int k = specials ? i(0, 40) : 40;
      x = k == 0 ? -0.0f : k == 1 ? kInf : k == 2 ? -kInf : k == 3 ? kNaN : k == 4 ? 3e38f : f(-8.0f, 8.0f);
    }
    return v;
  }
};

class FloatOpsPaths : public ::testing::TestWithParam<OpPath> {
 protected:
  void SetUp() override {
    if (!op_path_available(GetParam())) GTEST_SKIP() << op_path_name(GetParam()) << " not available";
  }
  OpPath path() const { return GetParam(); }
};

TEST_P(FloatOpsPaths, PoolsAreBitIdentical) {
  Rand r;
  for (int t = 0; t < 300; ++t) {
    const int32_t C = std::vector<int32_t>{1, 3, 12, 16, 17, 33}[static_cast<size_t>(r.i(0, 5))];
    const Dims in_dims{r.i(1, 2), r.i(1, 9), r.i(1, 9), C};
    const Pool2DOptions o{r.i(0, 1) ? Padding::kSame : Padding::kValid, r.i(1, 3), r.i(1, 3),
                          std::min(r.i(1, 4), in_dims[1]), std::min(r.i(1, 4), in_dims[2]),
                          std::vector<Activation>{Activation::kNone, Activation::kRelu, Activation::kRelu6}[
                              static_cast<size_t>(r.i(0, 2))]};
    const Pool2DParams p = prepare_pool2d(in_dims, o, "POOL");
    const auto in = r.data(flat_size(in_dims));
    std::vector<float> want(static_cast<size_t>(flat_size(p.output_dims))), got(want.size());
    eval_max_pool2d(p, in.data(), want.data());
    eval_max_pool2d_optimized(p, in.data(), got.data(), nullptr, path());
    expect_same_bits(got, want, "max case " + std::to_string(t));
    eval_average_pool2d(p, in.data(), want.data());
    eval_average_pool2d_optimized(p, in.data(), got.data(), nullptr, path());
    expect_same_bits(got, want, "average case " + std::to_string(t));
  }
}

TEST_P(FloatOpsPaths, BinaryOpsAreBitIdentical) {
  Rand r;
  const std::vector<std::pair<Dims, Dims>> shapes = {
      {{0}, {0}},       {{1}, {1}},          {{15}, {15}},          {{16}, {16}},      {{70}, {70}},
      {{2, 3, 37}, {2, 3, 37}}, {{2, 3, 4, 5}, {5}}, {{5}, {2, 3, 4, 5}}, {{2, 1, 4, 1}, {1, 3, 1, 5}},
      {{4, 1}, {1, 7}}, {{3, 4, 17}, {3, 1, 17}}, {{3, 4, 17}, {3, 4, 1}}, {{}, {2, 3}}, {{2, 3, 1, 40}, {1}}};
  for (const auto& [da, db] : shapes)
    for (Activation act : {Activation::kNone, Activation::kRelu, Activation::kReluN1To1, Activation::kRelu6}) {
      const auto a = r.data(flat_size(da)), b = r.data(flat_size(db));
      for (bool add : {true, false}) {
        const BinaryParams p = add ? prepare_add(da, db, act) : prepare_mul(da, db, act);
        std::vector<float> want(static_cast<size_t>(p.size)), got(want.size());
        (add ? eval_add : eval_mul)(p, a.data(), b.data(), want.data());
        (add ? eval_add_optimized : eval_mul_optimized)(p, a.data(), b.data(), got.data(), nullptr, path());
        const std::string what = std::string(add ? "add " : "mul ") + dims_string(da) + dims_string(db);
        expect_same_bits(got, want, what);
        if (da == db) {  // in place: output == input1
          std::vector<float> inout = a;
          (add ? eval_add_optimized : eval_mul_optimized)(p, inout.data(), b.data(), inout.data(), nullptr, path());
          expect_same_bits(inout, want, what + " in place");
        }
      }
    }
}

TEST_P(FloatOpsPaths, ReluAndRelu6AreBitIdentical) {
  Rand r;
  for (int64_t n : {0, 1, 15, 16, 17, 100, 1000}) {
    auto in = r.data(n);
    if (n >= 4) in[0] = -0.0f, in[1] = kNaN, in[2] = 6.0f, in[3] = -kInf;
    const UnaryParams p = prepare_unary({static_cast<int32_t>(n)}, "RELU");
    std::vector<float> want(in.size()), got(in.size());
    eval_relu(p, in.data(), want.data());
    eval_unary_optimized(UnaryOp::kRelu, p, in.data(), got.data(), nullptr, path());
    expect_same_bits(got, want, "relu");
    eval_relu6(p, in.data(), want.data());
    eval_unary_optimized(UnaryOp::kRelu6, p, in.data(), got.data(), nullptr, path());
    expect_same_bits(got, want, "relu6");
  }
}

// A sweep of float bit patterns (every sign, exponent and a spread of mantissas), plus
// the edges of the reference's clamps.
std::vector<float> float_sweep() {
  std::vector<float> v;
  for (uint64_t bits = 0; bits < (uint64_t{1} << 32); bits += 8191) v.push_back(std::bit_cast<float>(uint32_t(bits)));
  for (float x : {0.0f, -0.0f, kInf, -kInf, kNaN, -kNaN, 16.619047164916992188f, 16.62f, -9.0f, -9.0001f, 88.72f,
                  88.73f, -87.3f, -103.9f, -104.1f, 9.0f, 9.01f, 9.5f, 1e-30f, -1e-42f})
    v.push_back(x);
  return v;
}

// Checks `got` against `want` within max_ulps (normal results) or 2^-149 * max_ulps
// absolute (subnormal results); NaN, inf and zero must match.
void expect_within_ulps(const std::vector<float>& in, const std::vector<float>& got, const std::vector<float>& want,
                        int64_t max_ulps, const std::string& what) {
  int64_t worst = 0;
  int shown = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const float g = got[i], w = want[i];
    bool ok;
    if (std::isnan(w) || std::isnan(g)) ok = std::isnan(w) && std::isnan(g);
    else if (std::isinf(w) || std::isinf(g) || w == 0.0f) ok = g == w;
    else if (std::fabs(w) < std::numeric_limits<float>::min()) ok = std::fabs(g - w) <= 1.4013e-45f * max_ulps;
    else {
      const int64_t d = ulps(g, w);
      worst = std::max(worst, d);
      ok = d <= max_ulps;
    }
    if (!ok && shown++ < 5) ADD_FAILURE() << what << "(" << in[i] << ") = " << g << ", reference " << w;
  }
  std::printf("%s: worst %lld ulp over %zu inputs\n", what.c_str(), static_cast<long long>(worst), in.size());
}

TEST(FloatOpsMath, ExpApproxWithinTwoUlps) {
  const auto in = float_sweep();
  std::vector<float> got, want;
  for (float x : in) {
    got.push_back(exp_approx(x));
    want.push_back(static_cast<float>(std::exp(static_cast<double>(x))));
  }
  expect_within_ulps(in, got, want, 2, "exp_approx");
}

TEST_P(FloatOpsPaths, LogisticAndTanhWithinTheContract) {
  const auto in = float_sweep();
  const UnaryParams p = prepare_unary({static_cast<int32_t>(in.size())}, "LOGISTIC");
  std::vector<float> want(in.size()), got(in.size());
  eval_logistic(p, in.data(), want.data());
  eval_unary_optimized(UnaryOp::kLogistic, p, in.data(), got.data(), nullptr, path());
  expect_within_ulps(in, got, want, 4, "logistic");
  eval_tanh(p, in.data(), want.data());
  eval_unary_optimized(UnaryOp::kTanh, p, in.data(), got.data(), nullptr, path());
  expect_within_ulps(in, got, want, 8, "tanh");
  if (path() != OpPath::kPortable) return;  // AVX2 / AVX-512 may fuse multiply-adds
  for (size_t i = 0; i < in.size(); ++i)  // the scalar entry point is the portable code
    ASSERT_EQ(std::bit_cast<uint32_t>(tanh_approx(in[i])), std::bit_cast<uint32_t>(got[i])) << in[i];
}

TEST_P(FloatOpsPaths, SoftmaxWithinTheContract) {
  Rand r;
  for (int32_t depth : {1, 5, 16, 17, 100, 1000, 4096})
    for (float beta : {1.0f, 0.5f, 3.0f}) {
      const Dims dims{3, depth};
      std::vector<float> in(static_cast<size_t>(3 * depth));
      for (float& x : in) x = r.f(-20.0f, 20.0f);
      const SoftmaxParams p = prepare_softmax(dims, beta);
      std::vector<float> want(in.size()), got(in.size());
      eval_softmax(p, in.data(), want.data());
      eval_softmax_optimized(p, in.data(), got.data(), nullptr, path());
      for (size_t i = 0; i < in.size(); ++i)
        ASSERT_LE(std::fabs(got[i] - want[i]), 1e-5f * want[i] + 1e-37f) << depth << " " << beta << " at " << i;
    }
  // A NaN or +inf in a row makes the whole row NaN, as in the reference.
  const std::vector<float> in = {1.0f, kNaN, 2.0f, 0.0f, kInf, 1.0f, -kInf, 0.0f, 1.0f};
  const SoftmaxParams p = prepare_softmax({3, 3}, 1.0f);
  std::vector<float> want(in.size()), got(in.size());
  eval_softmax(p, in.data(), want.data());
  eval_softmax_optimized(p, in.data(), got.data(), nullptr, path());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(std::isnan(got[i]), std::isnan(want[i])) << i;
    if (!std::isnan(want[i])) {
      EXPECT_NEAR(got[i], want[i], 1e-6f) << i;
    }
  }
}

TEST_P(FloatOpsPaths, MeanIsBitIdentical) {
  Rand r;
  const Dims dims{2, 3, 4, 17};
  const auto in = r.data(flat_size(dims), false);
  const std::vector<std::vector<int32_t>> axes_sets = {{1, 2}, {3}, {-1}, {0}, {0, 1, 2, 3}, {1}, {2, 3},
                                                        {0, 2}, {1, 3}, {2, 2}};
  for (const auto& axes : axes_sets)
    for (bool keep : {false, true}) {
      const MeanParams p = prepare_mean(dims, axes, keep);
      std::vector<float> want(static_cast<size_t>(p.output_size)), got(want.size());
      eval_mean(p, in.data(), want.data());
      eval_mean_optimized(p, in.data(), got.data(), nullptr, path());
      expect_same_bits(got, want, "mean axes size " + std::to_string(axes.size()) + " first " + std::to_string(axes[0]));
    }
  const Dims with_ones{1, 5, 1, 6, 1};  // size-1 dims between reduced ones
  const auto in2 = r.data(flat_size(with_ones), false);
  for (const auto& axes : std::vector<std::vector<int32_t>>{{1, 2, 3}, {1, 3}, {0, 4}, {2}}) {
    const MeanParams p = prepare_mean(with_ones, axes, true);
    std::vector<float> want(static_cast<size_t>(p.output_size)), got(want.size());
    eval_mean(p, in2.data(), want.data());
    eval_mean_optimized(p, in2.data(), got.data(), nullptr, path());
    expect_same_bits(got, want, "mean with size-1 dims");
  }
}

TEST(FloatOpsShape, PadIsBitIdentical) {
  Rand r;
  const std::vector<std::pair<Dims, std::vector<int32_t>>> cases = {
      {{5}, {2, 3}}, {{2, 3}, {0, 0, 1, 2}}, {{1, 4, 4, 3}, {0, 0, 1, 1, 1, 1, 0, 0}},
      {{2, 3, 4, 5}, {1, 0, 0, 2, 3, 1, 2, 2}}, {{2, 0, 3}, {1, 1, 0, 0, 1, 1}}, {{}, {}}};
  for (const auto& [dims, pads] : cases) {
    const PadParams p = prepare_pad(dims, {static_cast<int32_t>(dims.size()), 2}, pads);
    const auto in = r.data(flat_size(dims));
    std::vector<float> want(static_cast<size_t>(p.output_size), 7.0f), got(want.size(), 9.0f);
    eval_pad(p, in.data(), want.data());
    eval_pad_optimized(p, in.data(), got.data());
    expect_same_bits(got, want, "pad " + dims_string(dims));
  }
}

TEST_P(FloatOpsPaths, DequantizeFloat16IsExactForEveryHalf) {
  std::vector<uint16_t> in(65536);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<uint16_t>(i);
  const UnaryParams p = prepare_unary({65536}, "DEQUANTIZE");
  std::vector<float> got(in.size());
  eval_dequantize_float16_optimized(p, in.data(), got.data(), nullptr, path());
  for (size_t i = 0; i < in.size(); ++i)  // bits, NaN payloads (signalling too) included
    ASSERT_EQ(std::bit_cast<uint32_t>(got[i]), std::bit_cast<uint32_t>(half_to_float(in[i]))) << i;
}

// Large tensors are split over the pool; the bits do not depend on the thread count.
TEST_P(FloatOpsPaths, ThreadedResultsMatchTheReference) {
  Rand r;
  ThreadPool pool(2);
  const Dims dims{1, 64, 64, 64};
  const auto in = r.data(flat_size(dims), false);
  const Pool2DParams pp = prepare_pool2d(dims, {Padding::kSame, 1, 1, 3, 3, Activation::kNone}, "MAX_POOL_2D");
  std::vector<float> want(static_cast<size_t>(flat_size(pp.output_dims))), got(want.size());
  eval_max_pool2d(pp, in.data(), want.data());
  eval_max_pool2d_optimized(pp, in.data(), got.data(), &pool, path());
  expect_same_bits(got, want, "threaded max pool");
  const Dims big{1 << 20};
  const auto a = r.data(1 << 20), b = r.data(1 << 20);
  const BinaryParams bp = prepare_add(big, big, Activation::kNone);
  std::vector<float> want2(a.size()), got2(a.size());
  eval_add(bp, a.data(), b.data(), want2.data());
  eval_add_optimized(bp, a.data(), b.data(), got2.data(), &pool, path());
  expect_same_bits(got2, want2, "threaded add");
  const UnaryParams up = prepare_unary(big, "TANH");
  std::vector<float> one(a.size());
  eval_unary_optimized(UnaryOp::kTanh, up, a.data(), got2.data(), &pool, path());
  eval_unary_optimized(UnaryOp::kTanh, up, a.data(), one.data(), nullptr, path());
  expect_same_bits(got2, one, "threaded tanh");
}

INSTANTIATE_TEST_SUITE_P(Paths, FloatOpsPaths, ::testing::Values(OpPath::kPortable, OpPath::kAvx2, OpPath::kAvx512),
                         [](const ::testing::TestParamInfo<OpPath>& i) { return std::string(op_path_name(i.param)); });

}  // namespace
}  // namespace lq::kernels
