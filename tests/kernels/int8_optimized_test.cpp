// Optimized int8 FULLY_CONNECTED / CONV_2D / DEPTHWISE_CONV_2D against the reference kernels, byte for byte,
// on every code path this CPU runs (parameter: the forced path; unavailable ones skip).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "litequant/core/cpu.h"
#include "litequant/core/error.h"
#include "litequant/core/thread_pool.h"
#include "litequant/kernels/int8_optimized.h"
#include "litequant/kernels/int8_optimized_ops.h"
#include "litequant/kernels/int8_reference.h"

namespace lq::kernels {
namespace {

constexpr int8_t kGuard = 0x5A;  // bytes past the output must stay untouched
constexpr size_t kGuardBytes = 64;

struct Rand {
  std::mt19937 rng;
  explicit Rand(uint32_t seed) : rng(seed) {}
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  float log_uniform(float lo, float hi) {
    return lo * std::pow(hi / lo, std::uniform_real_distribution<float>(0.0f, 1.0f)(rng));
  }
  std::vector<int8_t> bytes(size_t n) {
    std::vector<int8_t> v(n);
    for (auto& x : v) x = static_cast<int8_t>(pick(-128, 127));
    return v;
  }
  Activation activation() {
    const Activation all[] = {Activation::kNone, Activation::kRelu, Activation::kRelu6,
                              Activation::kReluN1To1};
    return all[pick(0, 3)];
  }
};

// Quantization of one random case: scales chosen so that most outputs land inside
// [-128, 127] (multiplier ~ 20 / typical |acc|), some cases with huge or tiny multipliers.
struct CaseQuant {
  QuantParams in, out;
  std::vector<float> weight_scales;
  std::vector<int32_t> bias;
  bool has_bias = true;
};

CaseQuant random_quant(Rand& r, int32_t channels, int64_t taps) {
  CaseQuant q;
  q.in = {r.log_uniform(0.005f, 0.5f), r.pick(-128, 127)};
  const bool per_channel = r.pick(0, 1) == 1;
  q.weight_scales.resize(per_channel ? static_cast<size_t>(channels) : 1);
  const float s_w = r.log_uniform(0.001f, 0.1f);
  for (auto& s : q.weight_scales) s = s_w * r.log_uniform(0.5f, 2.0f);
  const double typical_acc = 128.0 * 74.0 * std::sqrt(static_cast<double>(taps)) + 1.0;
  double m = 20.0 / typical_acc;
  const int mode = r.pick(0, 9);
  if (mode == 0) m *= 300.0;    // mostly saturated outputs; multipliers may exceed 1
  if (mode == 1) m *= 1e-4;     // outputs near zp_out
  q.out = {static_cast<float>(q.in.scale * s_w / m), r.pick(-128, 127)};
  q.has_bias = r.pick(0, 3) != 0;
  q.bias.resize(static_cast<size_t>(channels));
  const int bias_range = static_cast<int>(std::min(typical_acc, 1e6));
  for (auto& b : q.bias) b = r.pick(-bias_range, bias_range);
  return q;
}

std::string describe(const CaseQuant& q) {
  return "zp_in " + std::to_string(q.in.zero_point) + " zp_out " + std::to_string(q.out.zero_point) +
         " scales " + std::to_string(q.weight_scales.size()) + (q.has_bias ? " bias" : " no bias");
}

class Int8OptimizedTest : public ::testing::TestWithParam<Int8Path> {
 protected:
  void SetUp() override {
    if (!int8_path_available(GetParam()))
      GTEST_SKIP() << int8_path_name(GetParam()) << " is not available on this CPU";
  }
};

// ---- FULLY_CONNECTED ------------------------------------------------------------------
struct FcCase {
  int32_t batch, depth, units;
  CaseQuant q;
  Activation activation;
  std::vector<int8_t> input, weights;
};

// Counts outputs strictly inside the clamp range: at least 30% of the sweep must be
// (activations and extreme zero points clamp the rest).
struct Interior {
  int64_t inside = 0, total = 0;
  void add(const std::vector<int8_t>& out, const QuantizedActivationRange& range) {
    for (int8_t v : out) inside += v > range.min && v < range.max;
    total += static_cast<int64_t>(out.size());
  }
  void expect_enough_inside() const { EXPECT_GT(inside * 10, total * 3) << inside << " of " << total; }
};

void check_fully_connected(const FcCase& c, Int8Path path, const std::string& label,
                           Interior* interior = nullptr) {
  SCOPED_TRACE(label + ": batch " + std::to_string(c.batch) + " depth " + std::to_string(c.depth) +
               " units " + std::to_string(c.units) + " " + describe(c.q));
  const auto params = prepare_fully_connected_int8(
      {c.batch, c.depth}, {c.units, c.depth}, c.q.has_bias ? std::optional(Dims{c.units}) : std::nullopt,
      c.q.in, c.q.weight_scales, c.q.out, {.activation = c.activation});
  const size_t n = static_cast<size_t>(c.batch) * static_cast<size_t>(c.units);
  std::vector<int8_t> want(n, 1);
  const int32_t* bias = c.q.has_bias ? c.q.bias.data() : nullptr;
  eval_fully_connected_int8(params, c.input.data(), c.weights.data(), bias, want.data());
  if (interior) interior->add(want, params.requant.activation);
  FullyConnectedInt8Optimized opt =
      prepare_fully_connected_int8_optimized(params, c.weights.data(), bias, path);
  ASSERT_EQ(opt.path, resolve_int8_path(path));
  for (int run = 0; run < 2; ++run) {  // the second run reuses the scratch
    std::vector<int8_t> got(n + kGuardBytes, kGuard);
    eval_fully_connected_int8_optimized(opt, c.input.data(), got.data());
    for (size_t i = n; i < got.size(); ++i) ASSERT_EQ(got[i], kGuard) << "write past the output";
    got.resize(n);
    ASSERT_EQ(got, want) << "run " << run;
  }
}

TEST_P(Int8OptimizedTest, FullyConnectedMatchesReference) {
  Rand r(20260601);
  Interior interior;
  for (int trial = 0; trial < 1000; ++trial) {
    FcCase c;
    c.batch = trial % 10 == 0 ? r.pick(1, 70) : r.pick(1, 7);
    c.depth = trial % 3 == 0 ? r.pick(1, 20) : r.pick(1, 300);
    c.units = trial % 4 == 0 ? r.pick(1, 17) : r.pick(1, 70);
    c.q = random_quant(r, c.units, c.depth);
    c.activation = r.activation();
    c.input = r.bytes(static_cast<size_t>(c.batch) * static_cast<size_t>(c.depth));
    c.weights = r.bytes(static_cast<size_t>(c.units) * static_cast<size_t>(c.depth));
    check_fully_connected(c, GetParam(), "trial " + std::to_string(trial), &interior);
    if (HasFatalFailure()) return;
  }
  interior.expect_enough_inside();
  // The seed MLP's shapes, and accumulators beyond int32 (the reference path is taken,
  // the output still matches).
  // The convnet's dense layer at batch 1 (one row: the split accumulators over k) and 2.
  for (auto [batch, depth, units] :
       {std::tuple{1, 784, 128}, {33, 784, 128}, {5, 128, 10}, {1, 8192, 10}, {2, 8192, 10}, {1, 2028, 10}}) {
    FcCase c{batch, depth, units, random_quant(r, units, depth), Activation::kRelu, {}, {}};
    c.input = r.bytes(static_cast<size_t>(batch) * static_cast<size_t>(depth));
    c.weights = r.bytes(static_cast<size_t>(units) * static_cast<size_t>(depth));
    check_fully_connected(c, GetParam(), "mlp shape");
    if (HasFatalFailure()) return;
  }
  FcCase big{2, 40, 3, random_quant(r, 3, 40), Activation::kNone, {}, {}};
  big.q.has_bias = true;
  big.q.bias = {std::numeric_limits<int32_t>::max() - 1000, std::numeric_limits<int32_t>::min() + 5, 7};
  big.input = r.bytes(80);
  big.weights = r.bytes(120);
  check_fully_connected(big, GetParam(), "int32 overflow");
  const auto params = prepare_fully_connected_int8({2, 40}, {3, 40}, Dims{3}, big.q.in,
                                                   big.q.weight_scales, big.q.out, {});
  EXPECT_TRUE(prepare_fully_connected_int8_optimized(params, big.weights.data(), big.q.bias.data(),
                                                     GetParam())
                  .uses_reference());
}

// ---- CONV_2D ----------------------------------------------------------------------------
// Effective scales around the requantization's split between total shifts <= 32 and
// >= 33 (the VNNI path's shorter form needs s >= 33 on every channel): uniform, and per
// channel with both kinds mixed, on short and long dot products.
TEST_P(Int8OptimizedTest, RequantizationShiftsAroundThe32BitSplit) {
  Rand r(77);
  for (double eff : {3.0, 0.9, 0.6, 0.3, 0.2, 0.13, 0.06, 1e-3, 1e-6, 3e-9, -1.0}) {
    for (int32_t depth : {1, 3, 40}) {
      FcCase c{9, depth, 20, {}, Activation::kNone, r.bytes(static_cast<size_t>(9 * depth)),
               r.bytes(static_cast<size_t>(20 * depth))};
      c.q.in = {1.0f, r.pick(-128, 127)};
      c.q.out = {1.0f, r.pick(-128, 127)};
      if (eff > 0) {
        c.q.out.scale = static_cast<float>(1.0 / eff);
        c.q.weight_scales = {1.0f};
      } else {  // per channel: 0.6, 0.3, 0.15, 0.075, ... (s = 31, 32, 33, 34, ...)
        for (int o = 0; o < 20; ++o) c.q.weight_scales.push_back(0.6f / static_cast<float>(1 << (o % 6)));
      }
      c.q.bias.resize(20);
      for (auto& b : c.q.bias) b = r.pick(-3000, 3000);
      check_fully_connected(c, GetParam(), "effective scale " + std::to_string(eff));
      if (HasFatalFailure()) return;
    }
  }
}

TEST_P(Int8OptimizedTest, Conv2DMatchesReference) {
  Rand r(20260602);
  Interior interior;
  int trials = 0;
  while (trials < 600) {
    const int32_t batch = r.pick(1, 3), in_h = r.pick(1, 12), in_w = r.pick(1, 12);
    const int32_t in_c = trials % 5 == 0 ? r.pick(20, 70) : r.pick(1, 12);
    const int32_t out_c = trials % 3 == 0 ? r.pick(1, 70) : r.pick(1, 20);
    const int32_t kh = r.pick(1, 5), kw = r.pick(1, 5);
    Conv2DOptions o;
    o.padding = r.pick(0, 1) ? Padding::kSame : Padding::kValid;
    o.stride_h = r.pick(1, 2), o.stride_w = r.pick(1, 2);
    o.dilation_h = r.pick(0, 3) == 0 ? 2 : 1, o.dilation_w = r.pick(0, 3) == 0 ? 2 : 1;
    o.activation = r.activation();
    if (o.padding == Padding::kValid &&
        ((kh - 1) * o.dilation_h + 1 > in_h || (kw - 1) * o.dilation_w + 1 > in_w))
      continue;  // VALID needs the filter inside the image
    const CaseQuant q = random_quant(r, out_c, int64_t{kh} * kw * in_c);
    const std::vector<int8_t> input = r.bytes(static_cast<size_t>(batch) * in_h * in_w * in_c);
    const std::vector<int8_t> filter = r.bytes(static_cast<size_t>(out_c) * kh * kw * in_c);
    const auto params = prepare_conv2d_int8({batch, in_h, in_w, in_c}, {out_c, kh, kw, in_c},
                                            q.has_bias ? std::optional(Dims{out_c}) : std::nullopt,
                                            q.in, q.weight_scales, q.out, o);
    SCOPED_TRACE("trial " + std::to_string(trials) + ": input " + dims_string({batch, in_h, in_w, in_c}) +
                 " filter " + dims_string({out_c, kh, kw, in_c}) + " stride " +
                 std::to_string(o.stride_h) + "x" + std::to_string(o.stride_w) + " dilation " +
                 std::to_string(o.dilation_h) + "x" + std::to_string(o.dilation_w) +
                 (o.padding == Padding::kSame ? " SAME " : " VALID ") + describe(q));
    const size_t n = static_cast<size_t>(flat_size(params.output_dims));
    const int32_t* bias = q.has_bias ? q.bias.data() : nullptr;
    std::vector<int8_t> want(n, 1);
    eval_conv2d_int8(params, input.data(), filter.data(), bias, want.data());
    interior.add(want, params.requant.activation);
    Conv2DInt8Optimized opt = prepare_conv2d_int8_optimized(params, filter.data(), bias, GetParam());
    ASSERT_FALSE(opt.uses_reference());
    // Direct convolution (no im2col) exactly on the VNNI path with dilation_w 1.
    EXPECT_EQ(opt.direct, resolve_int8_path(GetParam()) == Int8Path::kAvx512Vnni && o.dilation_w == 1);
    Conv2DInt8Optimized copy = opt;  // copies own their scratch
    for (Conv2DInt8Optimized* p : {&opt, &copy, &opt}) {
      std::vector<int8_t> got(n + kGuardBytes, kGuard);
      eval_conv2d_int8_optimized(*p, input.data(), got.data());
      for (size_t i = n; i < got.size(); ++i) ASSERT_EQ(got[i], kGuard) << "write past the output";
      got.resize(n);
      const auto diff = std::mismatch(got.begin(), got.end(), want.begin());
      ASSERT_TRUE(diff.first == got.end()) << "first difference at output " << (diff.first - got.begin());
    }
    ++trials;
  }
  interior.expect_enough_inside();
  // The seed CNN's conv, larger SAME convs with chunked im2col and the convnet's first
  // conv (3 input channels: the short-row im2col) and last one (two channel panels).
  for (auto [h, c, oc] : {std::tuple{28, 1, 12}, {16, 32, 64}, {32, 3, 32}, {16, 64, 128}}) {
    const CaseQuant q = random_quant(r, oc, 9 * c);
    const std::vector<int8_t> input = r.bytes(static_cast<size_t>(2 * h * h * c));
    const std::vector<int8_t> filter = r.bytes(static_cast<size_t>(oc * 9 * c));
    const auto params = prepare_conv2d_int8({2, h, h, c}, {oc, 3, 3, c}, Dims{oc}, q.in,
                                            q.weight_scales, q.out,
                                            {.padding = Padding::kSame, .activation = Activation::kRelu});
    const size_t n = static_cast<size_t>(flat_size(params.output_dims));
    std::vector<int8_t> want(n), got(n);
    eval_conv2d_int8(params, input.data(), filter.data(), q.bias.data(), want.data());
    Conv2DInt8Optimized opt = prepare_conv2d_int8_optimized(params, filter.data(), q.bias.data(), GetParam());
    eval_conv2d_int8_optimized(opt, input.data(), got.data());
    ASSERT_EQ(got, want) << "input " << h << "x" << h << "x" << c;
  }
}

// Fewer than 16 output channels on the VNNI path with VBMI: several output pixels per
// vector (SmallConv), with the 3x3 single-dword filter rows unrolled, whole steps and the
// masked step at each row's end, and both short requantizations (no clamp when the act
// range is [-128, 127], e.g. RELU with zp_out -128).
TEST_P(Int8OptimizedTest, SmallChannelConvMatchesReference) {
  Rand r(20261130);
  int small_cases = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const int32_t out_cs[] = {1, 2, 3, 4, 6, 8, 12, 5, 16};
    const int32_t out_c = out_cs[r.pick(0, 8)], in_c = r.pick(1, 3);
    const int32_t kh = trial % 2 ? 3 : r.pick(1, 4), kw = trial % 2 ? 3 : r.pick(1, 4);
    const int32_t batch = r.pick(1, 2), in_h = r.pick(kh, 14), in_w = r.pick(kw, 30);
    Conv2DOptions o;
    o.padding = r.pick(0, 1) ? Padding::kSame : Padding::kValid;
    o.stride_h = r.pick(1, 2), o.stride_w = r.pick(1, 2);
    o.activation = trial % 4 == 0 ? Activation::kRelu : r.activation();
    CaseQuant q = random_quant(r, out_c, int64_t{kh} * kw * in_c);
    if (trial % 4 == 0) q.out.zero_point = -128;  // RELU spans [-128, 127]: no clamp
    if (trial % 4 == 1) q.out.zero_point = r.pick(-3, 3);
    const std::vector<int8_t> input = r.bytes(static_cast<size_t>(batch) * in_h * in_w * in_c);
    const std::vector<int8_t> filter = r.bytes(static_cast<size_t>(out_c) * kh * kw * in_c);
    const auto params = prepare_conv2d_int8({batch, in_h, in_w, in_c}, {out_c, kh, kw, in_c},
                                            q.has_bias ? std::optional(Dims{out_c}) : std::nullopt,
                                            q.in, q.weight_scales, q.out, o);
    SCOPED_TRACE("trial " + std::to_string(trial) + ": input " + dims_string({batch, in_h, in_w, in_c}) +
                 " filter " + dims_string({out_c, kh, kw, in_c}) + " stride " + std::to_string(o.stride_h) +
                 "x" + std::to_string(o.stride_w) + (o.padding == Padding::kSame ? " SAME " : " VALID ") +
                 describe(q));
    const size_t n = static_cast<size_t>(flat_size(params.output_dims));
    const int32_t* bias = q.has_bias ? q.bias.data() : nullptr;
    std::vector<int8_t> want(n);
    eval_conv2d_int8(params, input.data(), filter.data(), bias, want.data());
    Conv2DInt8Optimized opt = prepare_conv2d_int8_optimized(params, filter.data(), bias, GetParam());
    small_cases += opt.small != nullptr;
    if (opt.small) {
      EXPECT_TRUE(opt.direct && out_c < 16);
    }
    std::vector<int8_t> got(n + kGuardBytes, kGuard);
    eval_conv2d_int8_optimized(opt, input.data(), got.data());
    for (size_t i = n; i < got.size(); ++i) ASSERT_EQ(got[i], kGuard) << "write past the output";
    got.resize(n);
    const auto diff = std::mismatch(got.begin(), got.end(), want.begin());
    ASSERT_TRUE(diff.first == got.end()) << "first difference at output " << (diff.first - got.begin());
  }
  if (resolve_int8_path(GetParam()) == Int8Path::kAvx512Vnni && cpu_features().avx512vbmi)
    EXPECT_GT(small_cases, 150);
  else
    EXPECT_EQ(small_cases, 0);
}

// ---- DEPTHWISE_CONV_2D --------------------------------------------------------------------
TEST_P(Int8OptimizedTest, DepthwiseConv2DMatchesReference) {
  Rand r(20260603);
  Interior interior;
  int trials = 0;
  while (trials < 800) {
    const int32_t batch = r.pick(1, 3), in_h = r.pick(1, 12), in_w = r.pick(1, 12);
    const int32_t in_c = trials % 4 == 0 ? r.pick(17, 70) : r.pick(1, 16);
    const int32_t mult = r.pick(1, 3), out_c = in_c * mult;
    const int32_t kh = r.pick(1, 5), kw = r.pick(1, 5);
    DepthwiseConv2DOptions o;
    o.padding = r.pick(0, 1) ? Padding::kSame : Padding::kValid;
    o.stride_h = r.pick(1, 3), o.stride_w = r.pick(1, 3);
    o.dilation_h = r.pick(0, 3) == 0 ? r.pick(2, 3) : 1, o.dilation_w = r.pick(0, 3) == 0 ? r.pick(2, 3) : 1;
    o.depth_multiplier = mult;
    o.activation = r.activation();
    if (o.padding == Padding::kValid &&
        ((kh - 1) * o.dilation_h + 1 > in_h || (kw - 1) * o.dilation_w + 1 > in_w))
      continue;
    const CaseQuant q = random_quant(r, out_c, int64_t{kh} * kw);
    const std::vector<int8_t> input = r.bytes(static_cast<size_t>(batch) * in_h * in_w * in_c);
    const std::vector<int8_t> filter = r.bytes(static_cast<size_t>(kh) * kw * out_c);
    const auto params = prepare_depthwise_conv2d_int8(
        {batch, in_h, in_w, in_c}, {1, kh, kw, out_c}, q.has_bias ? std::optional(Dims{out_c}) : std::nullopt,
        q.in, q.weight_scales, q.out, o);
    SCOPED_TRACE("trial " + std::to_string(trials) + ": input " + dims_string({batch, in_h, in_w, in_c}) +
                 " filter " + dims_string({1, kh, kw, out_c}) + " x" + std::to_string(mult) + " stride " +
                 std::to_string(o.stride_h) + "x" + std::to_string(o.stride_w) + " dilation " +
                 std::to_string(o.dilation_h) + "x" + std::to_string(o.dilation_w) +
                 (o.padding == Padding::kSame ? " SAME " : " VALID ") + describe(q));
    const size_t n = static_cast<size_t>(flat_size(params.output_dims));
    const int32_t* bias = q.has_bias ? q.bias.data() : nullptr;
    std::vector<int8_t> want(n, 1);
    eval_depthwise_conv2d_int8(params, input.data(), filter.data(), bias, want.data());
    interior.add(want, params.requant.activation);
    DepthwiseConv2DInt8Optimized opt =
        prepare_depthwise_conv2d_int8_optimized(params, filter.data(), bias, GetParam());
    ASSERT_EQ(opt.path, resolve_int8_path(GetParam()));
    ASSERT_FALSE(opt.uses_reference());
    DepthwiseConv2DInt8Optimized copy = opt;
    for (DepthwiseConv2DInt8Optimized* p : {&opt, &copy, &opt}) {
      std::vector<int8_t> got(n + kGuardBytes, kGuard);
      eval_depthwise_conv2d_int8_optimized(*p, input.data(), got.data());
      for (size_t i = n; i < got.size(); ++i) ASSERT_EQ(got[i], kGuard) << "write past the output";
      got.resize(n);
      const auto diff = std::mismatch(got.begin(), got.end(), want.begin());
      ASSERT_TRUE(diff.first == got.end()) << "first difference at output " << (diff.first - got.begin());
    }
    ++trials;
  }
  interior.expect_enough_inside();
  // Accumulators beyond int32: the reference path is taken, the output still matches.
  const std::vector<float> one = {0.01f};
  const auto params = prepare_depthwise_conv2d_int8({1, 3, 3, 2}, {1, 3, 3, 2}, Dims{2}, {0.1f, 5}, one,
                                                    {0.2f, -3}, {.padding = Padding::kSame});
  const std::vector<int32_t> bias = {std::numeric_limits<int32_t>::max() - 1000,
                                     std::numeric_limits<int32_t>::min() + 5};
  const std::vector<int8_t> input = r.bytes(18), filter = r.bytes(18);
  std::vector<int8_t> want(18), got(18);
  eval_depthwise_conv2d_int8(params, input.data(), filter.data(), bias.data(), want.data());
  auto opt = prepare_depthwise_conv2d_int8_optimized(params, filter.data(), bias.data(), GetParam());
  EXPECT_TRUE(opt.uses_reference());
  eval_depthwise_conv2d_int8_optimized(opt, input.data(), got.data());
  EXPECT_EQ(got, want);
}

// Double rounding over the whole multiplier / shift range, and accumulators near the
// int32 limits (1x1 filter with weight 1 and zp_in 0: acc = x + bias).
TEST_P(Int8OptimizedTest, DepthwiseRequantizationEdges) {
  Rand r(20260604);
  for (int trial = 0; trial < 300; ++trial) {
    const int32_t c = r.pick(1, 40);
    std::vector<float> scales(static_cast<size_t>(c));
    for (auto& s : scales) s = r.log_uniform(1e-9f, 1e3f);
    const auto params = prepare_depthwise_conv2d_int8({1, 2, 3, c}, {1, 1, 1, c}, Dims{c}, {1.0f, 0}, scales,
                                                      {1.0f, r.pick(-128, 127)}, {.padding = Padding::kSame});
    std::vector<int8_t> filter(static_cast<size_t>(c), 1);
    std::vector<int32_t> bias(static_cast<size_t>(c));
    const int32_t limit = std::numeric_limits<int32_t>::max() - 200;
    for (auto& b : bias) b = r.pick(0, 3) == 0 ? r.pick(-limit, limit) : r.pick(-100000, 100000);
    const std::vector<int8_t> input = r.bytes(static_cast<size_t>(6 * c));
    std::vector<int8_t> want(static_cast<size_t>(6 * c)), got(want.size());
    eval_depthwise_conv2d_int8(params, input.data(), filter.data(), bias.data(), want.data());
    auto opt = prepare_depthwise_conv2d_int8_optimized(params, filter.data(), bias.data(), GetParam());
    ASSERT_FALSE(opt.uses_reference());
    eval_depthwise_conv2d_int8_optimized(opt, input.data(), got.data());
    ASSERT_EQ(got, want) << "trial " << trial;
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, Int8OptimizedTest,
                         ::testing::Values(Int8Path::kPortable, Int8Path::kAvx2,
                                           Int8Path::kAvx512Vnni, Int8Path::kAuto),
                         [](const ::testing::TestParamInfo<Int8Path>& param_info) {
                           return std::string(int8_path_name(param_info.param));
                         });

// Threads: ops large enough to be split give the reference's bytes for every thread
// count, with pools larger and smaller than the prepared slot count.
TEST_P(Int8OptimizedTest, ThreadCountDoesNotChangeBytes) {
  Rand r(20260605);
  ThreadPool pool2(2), pool3(3), pool5(5);
  ThreadPool* pools[] = {nullptr, &pool2, &pool3, &pool5};
  for (int slots : {1, 2, 3, 4}) {
    SCOPED_TRACE("slots " + std::to_string(slots));
    {  // FULLY_CONNECTED: 8.4 M MACs, odd batch
      const int32_t batch = 67, depth = 500, units = 250;
      const CaseQuant q = random_quant(r, units, depth);
      const auto params = prepare_fully_connected_int8({batch, depth}, {units, depth}, Dims{units}, q.in,
                                                       q.weight_scales, q.out, {.activation = Activation::kRelu});
      const auto input = r.bytes(static_cast<size_t>(batch * depth)), w = r.bytes(static_cast<size_t>(units * depth));
      std::vector<int8_t> want(static_cast<size_t>(batch * units));
      eval_fully_connected_int8(params, input.data(), w.data(), q.bias.data(), want.data());
      auto opt = prepare_fully_connected_int8_optimized(params, w.data(), q.bias.data(), GetParam(), slots);
      for (ThreadPool* pool : pools) {
        std::vector<int8_t> got(want.size() + kGuardBytes, kGuard);
        eval_fully_connected_int8_optimized(opt, input.data(), got.data(), pool);
        for (size_t i = want.size(); i < got.size(); ++i) ASSERT_EQ(got[i], kGuard) << "write past the output";
        got.resize(want.size());
        ASSERT_EQ(got, want) << "FULLY_CONNECTED, pool " << (pool ? pool->num_threads() : 0);
      }
    }
    {  // CONV_2D: 2 images x 15 rows, SAME and stride 1
      const int32_t batch = 2, h = 15, w = 17, c = 24, oc = 40;
      const CaseQuant q = random_quant(r, oc, 9 * c);
      const auto params = prepare_conv2d_int8({batch, h, w, c}, {oc, 3, 3, c}, Dims{oc}, q.in, q.weight_scales,
                                              q.out, {.padding = Padding::kSame, .activation = Activation::kRelu});
      const auto input = r.bytes(static_cast<size_t>(batch * h * w * c));
      const auto filter = r.bytes(static_cast<size_t>(oc * 9 * c));
      std::vector<int8_t> want(static_cast<size_t>(flat_size(params.output_dims)));
      eval_conv2d_int8(params, input.data(), filter.data(), q.bias.data(), want.data());
      auto opt = prepare_conv2d_int8_optimized(params, filter.data(), q.bias.data(), GetParam(), slots);
      for (ThreadPool* pool : pools) {
        std::vector<int8_t> got(want.size() + kGuardBytes, kGuard);
        eval_conv2d_int8_optimized(opt, input.data(), got.data(), pool);
        for (size_t i = want.size(); i < got.size(); ++i) ASSERT_EQ(got[i], kGuard) << "write past the output";
        got.resize(want.size());
        ASSERT_EQ(got, want) << "CONV_2D, pool " << (pool ? pool->num_threads() : 0);
      }
    }
    {  // CONV_2D: 40 small images, handed out in chunks of whole images (run_chunks;
       // 2 images a chunk with 2 parts: the next image's prefetch), VALID, stride 2 rows
      const int32_t batch = 40, h = 13, w = 13, c = 16, oc = 24;
      const CaseQuant q = random_quant(r, oc, 9 * c);
      const auto params = prepare_conv2d_int8({batch, h, w, c}, {oc, 3, 3, c}, Dims{oc}, q.in, q.weight_scales,
                                              q.out, {.padding = Padding::kValid, .stride_h = 2});
      const auto input = r.bytes(static_cast<size_t>(batch * h * w * c));
      const auto filter = r.bytes(static_cast<size_t>(oc * 9 * c));
      std::vector<int8_t> want(static_cast<size_t>(flat_size(params.output_dims)));
      eval_conv2d_int8(params, input.data(), filter.data(), q.bias.data(), want.data());
      auto opt = prepare_conv2d_int8_optimized(params, filter.data(), q.bias.data(), GetParam(), slots);
      for (ThreadPool* pool : pools) {
        std::vector<int8_t> got(want.size() + kGuardBytes, kGuard);
        eval_conv2d_int8_optimized(opt, input.data(), got.data(), pool);
        for (size_t i = want.size(); i < got.size(); ++i) ASSERT_EQ(got[i], kGuard) << "write past the output";
        got.resize(want.size());
        ASSERT_EQ(got, want) << "CONV_2D batch 40, pool " << (pool ? pool->num_threads() : 0);
      }
    }
    {  // DEPTHWISE_CONV_2D: 3 images, stride 2, dilation, multiplier 2
      const int32_t batch = 3, h = 41, w = 37, c = 40, mult = 2;
      DepthwiseConv2DOptions o;
      o.padding = Padding::kSame, o.stride_h = 2, o.stride_w = 1, o.dilation_h = 2;
      o.depth_multiplier = mult, o.activation = Activation::kRelu6;
      const CaseQuant q = random_quant(r, c * mult, 9);
      const auto params = prepare_depthwise_conv2d_int8({batch, h, w, c}, {1, 3, 3, c * mult}, Dims{c * mult},
                                                        q.in, q.weight_scales, q.out, o);
      const auto input = r.bytes(static_cast<size_t>(batch * h * w * c));
      const auto filter = r.bytes(static_cast<size_t>(9 * c * mult));
      std::vector<int8_t> want(static_cast<size_t>(flat_size(params.output_dims)));
      eval_depthwise_conv2d_int8(params, input.data(), filter.data(), q.bias.data(), want.data());
      auto opt = prepare_depthwise_conv2d_int8_optimized(params, filter.data(), q.bias.data(), GetParam(), slots);
      for (ThreadPool* pool : pools) {
        std::vector<int8_t> got(want.size() + kGuardBytes, kGuard);
        eval_depthwise_conv2d_int8_optimized(opt, input.data(), got.data(), pool);
        for (size_t i = want.size(); i < got.size(); ++i) ASSERT_EQ(got[i], kGuard) << "write past the output";
        got.resize(want.size());
        ASSERT_EQ(got, want) << "DEPTHWISE_CONV_2D, pool " << (pool ? pool->num_threads() : 0);
      }
    }
  }
}

// MAX_POOL_2D with few channels splits its batch over the pool (int8_optimized_ops.h; 130
// images carry enough taps for 2 and 3 parts):
// the bytes match the reference for 1, 2 and 3 threads, s8 and u8.
TEST(Int8Optimized, SmallChannelMaxPoolThreads) {
  Rand r(77);
  for (auto [c, f, stride] : {std::tuple{12, 2, 2}, {3, 3, 1}, {31, 2, 1}}) {
    for (QuantizedType type : {QuantizedType::kInt8, QuantizedType::kUInt8}) {
      const QuantParams qp{0.05f, type == QuantizedType::kInt8 ? -128 : 0};
      const auto params = prepare_pool2d_int8({130, 26, 26, c},
                                              {Padding::kSame, stride, stride, f, f, Activation::kRelu}, qp, qp,
                                              "MAX_POOL_2D", type);
      const size_t n = static_cast<size_t>(flat_size(params.output_dims));
      const std::vector<int8_t> input = r.bytes(static_cast<size_t>(130) * 26 * 26 * c);
      std::vector<int8_t> want(n);
      if (type == QuantizedType::kInt8) {
        eval_max_pool2d_int8(params, input.data(), want.data());
      } else {
        eval_max_pool2d_int8(params, reinterpret_cast<const uint8_t*>(input.data()),
                             reinterpret_cast<uint8_t*>(want.data()));
      }
      for (int threads : {1, 2, 3}) {
        ThreadPool pool(threads);
        auto opt = prepare_pool2d_int8_optimized(params, PoolKind::kMax, type, OpPath::kAuto, threads);
        std::vector<int8_t> got(n + kGuardBytes, kGuard);
        eval_pool2d_int8_optimized(opt, input.data(), got.data(), &pool);
        for (size_t i = n; i < got.size(); ++i) ASSERT_EQ(got[i], kGuard) << "write past the output";
        got.resize(n);
        ASSERT_EQ(got, want) << "C " << c << " threads " << threads;
      }
    }
  }
}

// MAX_POOL_2D / AVERAGE_POOL_2D on the per-pixel SIMD paths split output rows of all
// images over the pool (int8_optimized_ops.h; 40 images of 16 x 16 outputs, 3x3 windows
// of 70 channels carry enough taps for 3 parts; 70 = a whole vector and a tail): the
// bytes match the reference for 1, 2 and 3 threads, s8 and u8, on every path.
TEST(Int8Optimized, WideChannelPoolThreads) {
  Rand r(78);
  const int32_t batch = 40, h = 32, w = 31, c = 70;
  const std::vector<int8_t> input = r.bytes(static_cast<size_t>(batch) * h * w * c);
  for (OpPath path : {OpPath::kPortable, OpPath::kAvx2, OpPath::kAvx512}) {
    if (!op_path_available(path)) continue;
    for (PoolKind kind : {PoolKind::kMax, PoolKind::kAverage}) {
      for (QuantizedType type : {QuantizedType::kInt8, QuantizedType::kUInt8}) {
        const QuantParams qp{0.05f, type == QuantizedType::kInt8 ? -3 : 120};
        const auto params = prepare_pool2d_int8({batch, h, w, c}, {Padding::kSame, 2, 2, 3, 3, Activation::kRelu6},
                                                qp, qp, kind == PoolKind::kMax ? "MAX_POOL_2D" : "AVERAGE_POOL_2D", type);
        const size_t n = static_cast<size_t>(flat_size(params.output_dims));
        std::vector<int8_t> want(n);
        const auto* in_u8 = reinterpret_cast<const uint8_t*>(input.data());
        auto* want_u8 = reinterpret_cast<uint8_t*>(want.data());
        if (kind == PoolKind::kMax) {
          if (type == QuantizedType::kInt8) eval_max_pool2d_int8(params, input.data(), want.data());
          else eval_max_pool2d_int8(params, in_u8, want_u8);
        } else {
          if (type == QuantizedType::kInt8) eval_average_pool2d_int8(params, input.data(), want.data());
          else eval_average_pool2d_int8(params, in_u8, want_u8);
        }
        for (int threads : {1, 2, 3}) {
          ThreadPool pool(threads);
          auto opt = prepare_pool2d_int8_optimized(params, kind, type, path, threads);
          std::vector<int8_t> got(n + kGuardBytes, kGuard);
          eval_pool2d_int8_optimized(opt, input.data(), got.data(), &pool);
          for (size_t i = n; i < got.size(); ++i) ASSERT_EQ(got[i], kGuard) << "write past the output";
          got.resize(n);
          ASSERT_EQ(got, want) << op_path_name(path) << (kind == PoolKind::kMax ? " max" : " avg") << " threads "
                               << threads;
        }
      }
    }
  }
}

TEST(Int8Optimized, PathsAndErrors) {
  EXPECT_TRUE(int8_path_available(Int8Path::kPortable));
  EXPECT_TRUE(int8_path_available(Int8Path::kAuto));
  EXPECT_NE(resolve_int8_path(Int8Path::kAuto), Int8Path::kAuto);
  EXPECT_TRUE(int8_path_available(resolve_int8_path(Int8Path::kAuto)));
  // A path the CPU lacks is refused by prepare.
  for (Int8Path p : {Int8Path::kAvx2, Int8Path::kAvx512Vnni}) {
    if (int8_path_available(p)) continue;
    const std::vector<float> one = {1.0f};
    const auto params = prepare_fully_connected_int8({1, 1}, {1, 1}, std::nullopt, {1, 0}, one, {1, 0}, {});
    const int8_t w = 1;
    EXPECT_THROW(prepare_fully_connected_int8_optimized(params, &w, nullptr, p), Error);
  }
}

}  // namespace
}  // namespace lq::kernels

namespace lq::kernels {
namespace {
// A hostile window (SAME padding with a huge dilation) would need a padded image far
// larger than the input: prepare keeps the reference kernel, and the bytes still match.
class Int8OptimizedConvHostile : public ::testing::TestWithParam<int32_t> {};

TEST_P(Int8OptimizedConvHostile, HugeDilationFallsBackToTheReference) {
  const Dims input{1, 5, 5, 3}, filter{4, 3, 3, 3};
  const float scales[4] = {0.01f, 0.02f, 0.03f, 0.04f};
  Conv2DOptions o;
  o.padding = Padding::kSame;
  o.dilation_h = o.dilation_w = GetParam();
  const auto p = prepare_conv2d_int8(input, filter, std::nullopt, {0.05f, 3}, scales, {0.1f, -2}, o);
  std::vector<int8_t> x(75), w(108), want(static_cast<size_t>(flat_size(p.output_dims))), got(want.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int8_t>(i * 7 % 255 - 127);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(i * 13 % 255 - 127);
  auto opt = prepare_conv2d_int8_optimized(p, w.data(), nullptr);
  EXPECT_TRUE(opt.uses_reference());
  eval_conv2d_int8(p, x.data(), w.data(), nullptr, want.data());
  eval_conv2d_int8_optimized(opt, x.data(), got.data(), nullptr);
  EXPECT_EQ(got, want);

  DepthwiseConv2DOptions d;
  d.padding = Padding::kSame;
  d.dilation_h = d.dilation_w = GetParam();
  const Dims dw_filter{1, 3, 3, 3};
  const auto dp = prepare_depthwise_conv2d_int8(input, dw_filter, std::nullopt, {0.05f, 3},
                                                std::span<const float>(scales, 3), {0.1f, -2}, d);
  std::vector<int8_t> dwant(static_cast<size_t>(flat_size(dp.output_dims))), dgot(dwant.size());
  auto dopt = prepare_depthwise_conv2d_int8_optimized(dp, w.data(), nullptr);
  EXPECT_TRUE(dopt.uses_reference());
  eval_depthwise_conv2d_int8(dp, x.data(), w.data(), nullptr, dwant.data());
  eval_depthwise_conv2d_int8_optimized(dopt, x.data(), dgot.data(), nullptr);
  EXPECT_EQ(dgot, dwant);
}
// 4000: a 192 MB padded image; 2^30: the padded extent overflows int32.
INSTANTIATE_TEST_SUITE_P(Dilations, Int8OptimizedConvHostile, ::testing::Values(4000, int32_t{1} << 30));
}  // namespace
}  // namespace lq::kernels
