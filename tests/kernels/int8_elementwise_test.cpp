// int8 ADD, MUL, RELU, RELU6, LOGISTIC, TANH, SOFTMAX reference kernels: hand-computed
// values (incl. the rounding ties that tell double rounding from single rounding),
// broadcasting, the runtime's float formulas for multipliers, and prepare errors.
#include <cmath>
#include <cstdint>
#include <vector>

#include "litequant/kernels/int8_elementwise.h"
#include "test_util.h"

namespace lq::kernels {
namespace {

using test::expect_error;

std::vector<int> ints(const std::vector<int8_t>& v) { return {v.begin(), v.end()}; }
std::vector<int8_t> i8(const std::vector<int>& v) { return {v.begin(), v.end()}; }

template <typename Params, typename Eval>
std::vector<int> run_binary(const Params& p, const std::vector<int>& a, const std::vector<int>& b, Eval eval) {
  std::vector<int8_t> out(static_cast<size_t>(flat_size(p.output_dims)), 99);
  const auto x = i8(a), y = i8(b);
  eval(p, x.data(), y.data(), out.data());
  return ints(out);
}

// ---- ADD ----------------------------------------------------------------------------

TEST(AddInt8, DoubleRoundingAtEachStep) {
  // s1 = s2 = 0.1, s_out = 0.4 (= 4 * 0.1f exactly): input multipliers 1/2 (M = 2^30,
  // shift 0), output multiplier 2^-21 (M = 2^30, shift -20), so out = (v1 + v2) / 4
  // rounded half AWAY from zero: -6 -> -1.5 -> -2 (single rounding: -1), -2 -> -1.
  const auto p = prepare_add_int8({7}, {7}, {0.1f, 0}, {0.1f, 0}, {0.4f, 0}, Activation::kNone);
  EXPECT_EQ(p.left_shift, 20);
  EXPECT_EQ(p.input1_multiplier.multiplier, 1 << 30);
  EXPECT_EQ(p.input1_multiplier.shift, 0);
  EXPECT_EQ(p.output_multiplier.multiplier, 1 << 30);
  EXPECT_EQ(p.output_multiplier.shift, -20);
  EXPECT_EQ(run_binary(p, {-3, 3, -1, 1, 2, -3, 127}, {-3, 3, -1, 1, 3, -2, 127}, eval_add_int8),
            (std::vector<int>{-2, 2, -1, 1, 1, -1, 64}));
}

TEST(AddInt8, ZeroPointsDifferentScalesAndActivation) {
  // s1 = 0.2, s2 = 0.1, s_out = 0.1: (x1 - 1) * 2 + (x2 + 4) + 5.
  auto p = prepare_add_int8({4}, {4}, {0.2f, 1}, {0.1f, -4}, {0.1f, 5}, Activation::kNone);
  EXPECT_EQ(run_binary(p, {1, 3, -10, 100}, {-4, 0, -4, 100}, eval_add_int8), (std::vector<int>{5, 13, -17, 127}));
  // RELU clamps at zp_out = 5; RELU6 also at 5 + 60 = 65.
  p = prepare_add_int8({4}, {4}, {0.2f, 1}, {0.1f, -4}, {0.1f, 5}, Activation::kRelu);
  EXPECT_EQ(run_binary(p, {1, 3, -10, 100}, {-4, 0, -4, 100}, eval_add_int8), (std::vector<int>{5, 13, 5, 127}));
  p = prepare_add_int8({4}, {4}, {0.2f, 1}, {0.1f, -4}, {0.1f, 5}, Activation::kRelu6);
  EXPECT_EQ(run_binary(p, {1, 3, -10, 100}, {-4, 0, -4, 100}, eval_add_int8), (std::vector<int>{5, 13, 5, 65}));
}

TEST(AddInt8, Broadcast) {
  // [2, 1] + [1, 3] -> [2, 3]; out = (a + b) / 4 as above.
  const auto p = prepare_add_int8({2, 1}, {1, 3}, {0.1f, 0}, {0.1f, 0}, {0.4f, 0}, Activation::kNone);
  EXPECT_EQ(p.output_dims, (Dims{2, 3}));
  EXPECT_EQ(run_binary(p, {1, -1}, {4, 8, -8}, eval_add_int8), (std::vector<int>{1, 2, -2, 1, 2, -2}));
  // Lower rank, right-aligned: [2, 2] + [2].
  const auto q = prepare_add_int8({2, 2}, {2}, {0.1f, 0}, {0.1f, 0}, {0.4f, 0}, Activation::kNone);
  EXPECT_EQ(run_binary(q, {4, 8, 12, 16}, {4, -8}, eval_add_int8), (std::vector<int>{2, 0, 4, 2}));
}

TEST(AddInt8, Errors) {
  const Dims d = {2, 3};
  expect_error([&] { prepare_add_int8(d, d, {0.0f, 0}, {0.1f, 0}, {0.1f, 0}, Activation::kNone); }, "ADD: input1 scale");
  expect_error([&] { prepare_add_int8(d, d, {0.1f, 0}, {NAN, 0}, {0.1f, 0}, Activation::kNone); }, "ADD: input2 scale");
  expect_error([&] { prepare_add_int8(d, d, {0.1f, 0}, {0.1f, 0}, {-1.0f, 0}, Activation::kNone); }, "ADD: output scale");
  expect_error([&] { prepare_add_int8(d, d, {0.1f, 128}, {0.1f, 0}, {0.1f, 0}, Activation::kNone); },
               "ADD: input1 zero point 128 is outside [-128, 127]");
  expect_error([&] { prepare_add_int8(d, d, {0.1f, 0}, {0.1f, 0}, {0.1f, -129}, Activation::kNone); },
               "ADD: output zero point -129");
  expect_error([&] { prepare_add_int8({2, 3}, {3, 2}, {0.1f, 0}, {0.1f, 0}, {0.1f, 0}, Activation::kNone); },
               "ADD: shapes [2, 3] and [3, 2] cannot be broadcast");
  expect_error([&] { prepare_add_int8({1, 1, 1, 1, 2}, {2}, {0.1f, 0}, {0.1f, 0}, {0.1f, 0}, Activation::kNone); },
               "ADD: broadcasting supports at most 4 dimensions");
  expect_error([&] { prepare_add_int8(d, d, {0.1f, 0}, {0.1f, 0}, {0.1f, 0}, Activation::kTanh); }, "ADD: fused activation");
  // 2 * 0.1 / (2^20 * s_out) >= 1: TFLite's QuantizeMultiplierSmallerThanOneExp refuses.
  expect_error([&] { prepare_add_int8(d, d, {0.1f, 0}, {0.1f, 0}, {1e-7f, 0}, Activation::kNone); },
               "ADD: output multiplier");
}

// ---- MUL ----------------------------------------------------------------------------

TEST(MulInt8, DoubleRoundingTies) {
  // s1 = s2 = 0.5, s_out = 1: m = 1/4 (M = 2^30, shift -1), out = x1 * x2 / 4 rounded
  // half away from zero: -6 -> -2 and -2 -> -1 (single rounding: -1 and 0).
  const auto p = prepare_mul_int8({6}, {6}, {0.5f, 0}, {0.5f, 0}, {1.0f, 0}, Activation::kNone);
  EXPECT_EQ(p.output_multiplier.multiplier, 1 << 30);
  EXPECT_EQ(p.output_multiplier.shift, -1);
  EXPECT_EQ(run_binary(p, {-2, -1, 2, 3, 127, -128}, {3, 2, 1, 1, 127, 127}, eval_mul_int8),
            (std::vector<int>{-2, -1, 1, 1, 127, -128}));
}

TEST(MulInt8, ZeroPointsMultiplierAboveOneAndBroadcast) {
  // m = 0.5 * 0.5 / 0.05 = 5 > 1 (positive shift): (x1 - 1) * (x2 + 2) * 5 - 3.
  const auto p = prepare_mul_int8({2, 1}, {3}, {0.5f, 1}, {0.5f, -2}, {0.05f, -3}, Activation::kReluN1To1);
  EXPECT_EQ(p.output_dims, (Dims{2, 3}));
  // RELU_N1_TO_1 clamps to [-3 - 20, -3 + 20] = [-23, 17].
  EXPECT_EQ(run_binary(p, {2, 0}, {-2, -1, 0}, eval_mul_int8), (std::vector<int>{-3, 2, 7, -3, -8, -13}));
  EXPECT_EQ(run_binary(p, {5, -5}, {-2, -1, 0}, eval_mul_int8), (std::vector<int>{-3, 17, 17, -3, -23, -23}));
}

TEST(MulInt8, MultiplierComputedInFloat) {
  // TFLite: double m = s1 * s2 / s_out with float operands, i.e. evaluated in float.
  const float s1 = 0.08816789835691452f, s2 = 0.09799755364656448f, so = 0.19635730981826782f;
  const auto p = prepare_mul_int8({1}, {1}, {s1, 0}, {s2, 0}, {so, 100}, Activation::kNone);
  const float m = s1 * s2 / so;
  const QuantizedMultiplier q = quantize_multiplier(static_cast<double>(m));
  EXPECT_EQ(p.output_multiplier.multiplier, q.multiplier);
  EXPECT_EQ(p.output_multiplier.shift, q.shift);
  EXPECT_NE(quantize_multiplier(static_cast<double>(s1) * s2 / so).multiplier, q.multiplier);
  // -42 * 43 = -1806 -> -79 (float multiplier; the double one gives -80), + 100.
  EXPECT_EQ(run_binary(p, {-42}, {43}, eval_mul_int8), (std::vector<int>{21}));
}

TEST(MulInt8, Errors) {
  const Dims d = {4};
  expect_error([&] { prepare_mul_int8(d, d, {0.1f, 0}, {0.0f, 0}, {0.1f, 0}, Activation::kNone); }, "MUL: input2 scale");
  expect_error([&] { prepare_mul_int8(d, d, {0.1f, -200}, {0.1f, 0}, {0.1f, 0}, Activation::kNone); },
               "MUL: input1 zero point -200");
  expect_error([&] { prepare_mul_int8({4}, {3}, {0.1f, 0}, {0.1f, 0}, {0.1f, 0}, Activation::kNone); },
               "MUL: shapes [4] and [3] cannot be broadcast");
  expect_error([&] { prepare_mul_int8(d, d, {0.1f, 0}, {0.1f, 0}, {0.1f, 0}, Activation::kTanh); }, "MUL: fused activation");
}

// ---- RELU, RELU6 ----------------------------------------------------------------------

std::vector<int> run_relu(const ReluInt8Params& p, const std::vector<int>& x) {
  std::vector<int8_t> out(x.size(), 99);
  const auto in = i8(x);
  eval_relu_int8(p, in.data(), out.data());
  return ints(out);
}

TEST(ReluInt8, SameAndDifferentParameters) {
  // Same parameters: m = 1 (M = 2^30, shift 1), out = max(x, zp).
  auto p = prepare_relu_int8({5}, {0.5f, -3}, {0.5f, -3});
  EXPECT_EQ(p.multiplier.multiplier, 1 << 30);
  EXPECT_EQ(p.multiplier.shift, 1);
  EXPECT_EQ(run_relu(p, {-128, -4, -3, 0, 127}), (std::vector<int>{-3, -3, -3, 0, 127}));
  // s_in / s_out = 1/4 (M = 2^30, shift -1), zp_in 2, zp_out -10. Double rounding rounds
  // twice: SRDHM halves with ties up, then RoundingDivideByPOT halves with ties away, so
  // 1/4 -> 1/2 -> 1 and 125/4 -> 62.5 -> 63 -> 31.5 -> 32 (the runtime does the same).
  p = prepare_relu_int8({6}, {0.3f, 2}, {1.2f, -10});
  EXPECT_EQ(run_relu(p, {4, 8, 0, 127, -128, 3}), (std::vector<int>{-9, -8, -10, 22, -10, -9}));
}

TEST(ReluInt8, Relu6ClampsAtQuantizedSix) {
  // s_out 0.1, zp_out -100: [lo, hi] = [-100, -100 + round(6 / 0.1f)] = [-100, -40].
  const auto p = prepare_relu6_int8({6}, {0.1f, 0}, {0.1f, -100});
  EXPECT_EQ(p.range.min, -100);
  EXPECT_EQ(p.range.max, -40);
  EXPECT_EQ(run_relu(p, {-5, 0, 30, 60, 61, 127}), (std::vector<int>{-100, -100, -70, -40, -40, -40}));
  // Upper bound beyond int8: min(127, ...).
  const auto q = prepare_relu6_int8({2}, {0.01f, 0}, {0.01f, 0});
  EXPECT_EQ(q.range.max, 127);
}

TEST(ReluInt8, MultiplierComputedInFloat) {
  // TFLite: double m = s_in / s_out with float operands (float division).
  const float si = 0.1938313990831375f, so = 0.25432655215263367f;
  const auto p = prepare_relu_int8({1}, {si, -128}, {so, -100});
  const QuantizedMultiplier q = quantize_multiplier(static_cast<double>(si / so));
  EXPECT_EQ(p.multiplier.multiplier, q.multiplier);
  EXPECT_NE(quantize_multiplier(static_cast<double>(si) / so).multiplier, q.multiplier);
  // x - zp_in = 103 -> 79 with the float multiplier (78 with the double one); - 100.
  EXPECT_EQ(run_relu(p, {-25}), (std::vector<int>{-21}));
}

TEST(ReluInt8, Errors) {
  expect_error([] { prepare_relu_int8({2}, {0.0f, 0}, {0.1f, 0}); }, "RELU: input scale");
  expect_error([] { prepare_relu6_int8({2}, {0.1f, 0}, {0.1f, 300}); }, "RELU6: output zero point 300");
  expect_error([] { prepare_relu_int8({-2}, {0.1f, 0}, {0.1f, 0}); }, "RELU");
}

// ---- LOGISTIC, TANH -------------------------------------------------------------------

// The table entry for x, through eval (on one element).
int lookup(LookupTableInt8Params p, int x) {
  p.size = 1;
  const int8_t in = static_cast<int8_t>(x);
  int8_t out = 0;
  eval_lookup_table_int8(p, &in, &out);
  return out;
}

TEST(LogisticInt8, LookupTable) {
  // s_in = 1/16: x = 16 is 1.0; 256 * sigmoid(1) = 187.15 -> 187 - 128 = 59.
  const auto p = prepare_logistic_int8({1, 256}, {1.0f / 16, 0}, {1.0f / 256, -128});
  EXPECT_EQ(lookup(p, 0), 0);
  EXPECT_EQ(lookup(p, 16), 59);
  EXPECT_EQ(lookup(p, -16), -59);    // 68.85 -> 69
  EXPECT_EQ(lookup(p, 127), 127);    // 255.9 -> 256 -> 128, clamped
  EXPECT_EQ(lookup(p, -128), -128);  // 0.086 -> 0
  // Every entry is the float formula of the header.
  for (int v = -128; v <= 127; ++v) {
    const float x = (1.0f / 16) * static_cast<float>(v);
    const float y = std::round((1.0f / (1.0f + std::exp(-x))) * 256.0f) - 128.0f;
    EXPECT_EQ(lookup(p, v), std::min(std::max(static_cast<int>(y), -128), 127)) << v;
  }
  // Input zero point shifts the table; any output zero point is accepted (as TFLite).
  const auto q = prepare_logistic_int8({3}, {1.0f / 16, 16}, {1.0f / 256, 0});
  EXPECT_EQ(lookup(q, 32), 127);  // sigmoid(1) * 256 = 187 > 127
  EXPECT_EQ(lookup(q, 16), 127);  // 128 -> 127
  EXPECT_EQ(lookup(q, -128), 0);
}

TEST(TanhInt8, LookupTable) {
  const auto p = prepare_tanh_int8({256}, {1.0f / 16, 0}, {1.0f / 128, 0});
  EXPECT_EQ(lookup(p, 0), 0);
  EXPECT_EQ(lookup(p, 16), 97);   // tanh(1) * 128 = 97.48
  EXPECT_EQ(lookup(p, -16), -97);
  EXPECT_EQ(lookup(p, 127), 127);
  EXPECT_EQ(lookup(p, -128), -128);
  // TFLite accepts any output parameters for int8 TANH.
  const auto q = prepare_tanh_int8({256}, {1.0f / 16, 0}, {1.0f / 256, -128});
  EXPECT_EQ(lookup(q, 0), -128);
  EXPECT_EQ(lookup(q, 16), 67);  // 194.97 -> 195 - 128
}

TEST(LogisticTanhInt8, Errors) {
  expect_error([] { prepare_logistic_int8({2}, {0.1f, 0}, {1.0f / 128, -128}); },
               "LOGISTIC: int8 output scale must be exactly 1/256");
  expect_error([] { prepare_logistic_int8({2}, {0.1f, 0}, {1.0f / 256 * 1.0000001f, -128}); },
               "LOGISTIC: int8 output scale must be exactly 1/256");
  expect_error([] { prepare_logistic_int8({2}, {-0.1f, 0}, {1.0f / 256, -128}); }, "LOGISTIC: input scale");
  expect_error([] { prepare_tanh_int8({2}, {0.1f, 0}, {1.0f / 128, 200}); }, "TANH: output zero point 200");
  expect_error([] { prepare_tanh_int8({2}, {INFINITY, 0}, {1.0f / 128, 0}); }, "TANH: input scale");
}

// ---- SOFTMAX ------------------------------------------------------------------------

std::vector<int> run_softmax(const SoftmaxInt8Params& p, const std::vector<int>& x) {
  std::vector<int8_t> out(x.size(), 99);
  const auto in = i8(x);
  eval_softmax_int8(p, in.data(), out.data());
  return ints(out);
}

TEST(SoftmaxInt8, HandComputedRows) {
  // s_in = ln 3, beta 1: a step of 1 is a factor 3, so {1, 0} -> {3/4, 1/4} -> {192, 64}
  // - 128. Equal entries split evenly; a single entry is 256 - 128 -> 127.
  const auto p = prepare_softmax_int8({4, 2}, {std::log(3.0f), 5}, {1.0f / 256, -128}, 1.0f);
  EXPECT_EQ(p.outer, 4);
  EXPECT_EQ(p.depth, 2);
  EXPECT_EQ(run_softmax(p, {1, 0, 7, 7, 127, -128, -128, -127}), (std::vector<int>{64, -64, 0, 0, 127, -128, -64, 64}));
  const auto q = prepare_softmax_int8({1, 4}, {0.1f, 0}, {1.0f / 256, -128}, 2.0f);
  EXPECT_EQ(run_softmax(q, {3, 3, 3, 3}), (std::vector<int>{-64, -64, -64, -64}));
  const auto one = prepare_softmax_int8({3, 1}, {0.1f, 0}, {1.0f / 256, -128}, 1.0f);
  EXPECT_EQ(run_softmax(one, {-128, 0, 127}), (std::vector<int>{127, 127, 127}));
}

TEST(SoftmaxInt8, BetaScalesTheInput) {
  // beta 2 with s_in ln(3) / 2 equals beta 1 with s_in ln(3).
  const auto p = prepare_softmax_int8({2}, {std::log(3.0f) / 2, 0}, {1.0f / 256, -128}, 2.0f);
  EXPECT_EQ(run_softmax(p, {1, 0}), (std::vector<int>{64, -64}));
  // beta 0: uniform.
  const auto u = prepare_softmax_int8({4}, {0.5f, 0}, {1.0f / 256, -128}, 0.0f);
  EXPECT_EQ(run_softmax(u, {-100, 0, 50, 127}), (std::vector<int>{-64, -64, -64, -64}));
}

TEST(SoftmaxInt8, Errors) {
  expect_error([] { prepare_softmax_int8({4}, {0.1f, 0}, {1.0f / 256, 0}, 1.0f); },
               "SOFTMAX: int8 output zero point must be -128");
  expect_error([] { prepare_softmax_int8({4}, {0.1f, 0}, {1.0f / 128, -128}, 1.0f); },
               "SOFTMAX: int8 output scale must be 1/256");
  expect_error([] { prepare_softmax_int8({4}, {0.1f, 0}, {1.0f / 256 * 1.0011f, -128}, 1.0f); },
               "SOFTMAX: int8 output scale must be 1/256");
  // Within TFLite's 0.1% tolerance: accepted.
  EXPECT_NO_THROW(prepare_softmax_int8({4}, {0.1f, 0}, {1.0f / 256 * 1.0009f, -128}, 1.0f));
  expect_error([] { prepare_softmax_int8({}, {0.1f, 0}, {1.0f / 256, -128}, 1.0f); }, "SOFTMAX: input must have");
  expect_error([] { prepare_softmax_int8({4}, {0.0f, 0}, {1.0f / 256, -128}, 1.0f); }, "SOFTMAX: input scale");
  expect_error([] { prepare_softmax_int8({4}, {0.1f, 0}, {1.0f / 256, -128}, INFINITY); }, "SOFTMAX: beta");
}

}  // namespace
}  // namespace lq::kernels
