// ADD and MUL (4-D broadcasting, fused activation) and RELU, RELU6, LOGISTIC, TANH.
#include <cmath>
#include <limits>

#include "test_util.h"

namespace lq::kernels {
namespace {

using test::expect_error;
using test::expect_exact;
using test::output_for;

constexpr float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<float> add(const Dims& da, const std::vector<float>& a, const Dims& db,
                       const std::vector<float>& b, Dims expected_dims,
                       Activation act = Activation::kNone) {
  const BinaryParams p = prepare_add(da, db, act);
  EXPECT_EQ(p.output_dims, expected_dims);
  std::vector<float> out = output_for(p);
  eval_add(p, a.data(), b.data(), out.data());
  return out;
}

std::vector<float> mul(const Dims& da, const std::vector<float>& a, const Dims& db,
                       const std::vector<float>& b, Dims expected_dims,
                       Activation act = Activation::kNone) {
  const BinaryParams p = prepare_mul(da, db, act);
  EXPECT_EQ(p.output_dims, expected_dims);
  std::vector<float> out = output_for(p);
  eval_mul(p, a.data(), b.data(), out.data());
  return out;
}

TEST(Add, SameShapeAndScalarBroadcast) {
  expect_exact(add({2, 2}, {1, 2, 3, 4}, {2, 2}, {10, 20, 30, 40}, {2, 2}), {11, 22, 33, 44});
  expect_exact(add({1, 2, 2, 1}, {1, 2, 3, 4}, {1, 1, 1, 1}, {10}, {1, 2, 2, 1}), {11, 12, 13, 14});
  // Either side may broadcast; rank-0 works as a scalar.
  expect_exact(add({1, 1, 1, 1}, {10}, {1, 2, 2, 1}, {1, 2, 3, 4}, {1, 2, 2, 1}), {11, 12, 13, 14});
  expect_exact(add({}, {0.5f}, {3}, {1, 2, 3}, {3}), {1.5f, 2.5f, 3.5f});
}

TEST(Add, TwoWayBroadcast) {
  // [1, 2, 1, 3] + [1, 1, 2, 1] -> [1, 2, 2, 3]: out(h, w, c) = a(h, c) + b(w).
  expect_exact(add({1, 2, 1, 3}, {1, 2, 3, 4, 5, 6}, {1, 1, 2, 1}, {10, 20}, {1, 2, 2, 3}),
               {11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26});
  // Different ranks: [2, 1] + [3] -> [2, 3].
  expect_exact(add({2, 1}, {100, 200}, {3}, {1, 2, 3}, {2, 3}), {101, 102, 103, 201, 202, 203});
  // Rank 5 is fine without broadcasting; zero-size broadcast gives an empty output.
  expect_exact(add({1, 1, 1, 1, 2}, {1, 2}, {1, 1, 1, 1, 2}, {3, 4}, {1, 1, 1, 1, 2}), {4, 6});
  expect_exact(add({0, 3}, {}, {1, 3}, {1, 2, 3}, {0, 3}), {});
}

TEST(Add, ActivationsAndSpecialValues) {
  expect_exact(add({4}, {-3, 1, 5, 8}, {1}, {1}, {4}, Activation::kRelu6), {0, 2, 6, 6});
  expect_exact(add({3}, {kInf, -kInf, kNaN}, {3}, {1, 1, 1}, {3}),
               {std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest(), kNaN});
  expect_exact(add({1}, {kInf}, {1}, {-kInf}, {1}), {kNaN});
}

TEST(Mul, BroadcastAndActivation) {
  expect_exact(mul({3}, {1, 2, 3}, {2, 3}, {1, 1, 1, 2, 2, 2}, {2, 3}), {1, 2, 3, 2, 4, 6});
  expect_exact(mul({2, 2}, {0.5f, -3, 2, -0.25f}, {1}, {2}, {2, 2}, Activation::kReluN1To1),
               {1, -1, 1, -0.5f});
  expect_exact(mul({1, 2, 1, 3}, {1, 2, 3, 4, 5, 6}, {1, 1, 2, 1}, {-1, 2}, {1, 2, 2, 3},
                   Activation::kRelu),
               {0, 0, 0, 2, 4, 6, 0, 0, 0, 8, 10, 12});
  expect_exact(mul({2}, {kInf, 0}, {2}, {0, 3}, {2}), {kNaN, 0});
}

TEST(Binary, InPlace) {
  std::vector<float> a = {1, 2, 3, 4};
  const std::vector<float> b = {10, 20};
  const BinaryParams p = prepare_add({2, 2}, {2}, Activation::kNone);
  eval_add(p, a.data(), b.data(), a.data());
  expect_exact(a, {11, 22, 13, 24});
}

TEST(Binary, PrepareErrors) {
  expect_error([] { prepare_add({1, 2, 3}, {1, 3, 3}, Activation::kNone); },
               "ADD: shapes [1, 2, 3] and [1, 3, 3] cannot be broadcast (dimension 2 vs 3)");
  expect_error([] { prepare_mul({2, 1, 1, 1, 1}, {1, 1, 1, 1, 1}, Activation::kNone); },
               "MUL: broadcasting supports at most 4 dimensions");
  expect_error([] { prepare_mul({2}, {2}, Activation::kTanh); },
               "MUL: fused activation TANH is not supported");
  expect_error([] { prepare_add({2, -2}, {2}, Activation::kNone); }, "ADD input1: dimensions");
}

std::vector<float> unary(void (*fn)(const UnaryParams&, const float*, float*),
                         const std::vector<float>& in) {
  const UnaryParams p = prepare_unary({static_cast<int32_t>(in.size())}, "UNARY");
  std::vector<float> out = output_for(p);
  fn(p, in.data(), out.data());
  return out;
}

TEST(Unary, ReluAndRelu6) {
  expect_exact(unary(eval_relu, {-2, -0.0f, 0, 3, kInf, -kInf, kNaN}), {0, 0, 0, 3, kInf, 0, kNaN});
  expect_exact(unary(eval_relu6, {-1, 3, 6, 7, kInf, -kInf, 5.5f, kNaN}), {0, 3, 6, 6, 6, 0, 5.5f, kNaN});
  // In place, any rank.
  std::vector<float> v = {-1, 2, -3, 4};
  const UnaryParams p = prepare_unary({2, 1, 2}, "RELU");
  EXPECT_EQ(p.output_dims, (Dims{2, 1, 2}));
  eval_relu(p, v.data(), v.data());
  expect_exact(v, {0, 2, 0, 4});
}

TEST(Unary, Logistic) {
  const float cutoff = 16.619047164916992188f;
  const std::vector<float> out =
      unary(eval_logistic, {0, 1, -1, 20, cutoff, -9, -10, -100, kInf, -kInf, kNaN});
  EXPECT_EQ(out[0], 0.5f);
  EXPECT_EQ(out[1], 1.0f / (1.0f + std::exp(-1.0f)));
  EXPECT_NEAR(out[1], 0.7310585786f, 1e-7);
  EXPECT_NEAR(out[2], 0.2689414214f, 1e-7);
  EXPECT_EQ(out[3], 1.0f);                                   // above the cutoff
  EXPECT_EQ(out[4], 1.0f / (1.0f + std::exp(-cutoff)));      // at the cutoff: formula
  EXPECT_EQ(out[5], 1.0f / (1.0f + std::exp(9.0f)));         // -9 is not below -9
  EXPECT_EQ(out[6], std::exp(-10.0f));                       // below -9: exp(x)
  EXPECT_EQ(out[7], std::exp(-100.0f));
  EXPECT_EQ(out[8], 1.0f);
  EXPECT_EQ(out[9], 0.0f);
  EXPECT_TRUE(std::isnan(out[10]));
}

TEST(Unary, Tanh) {
  const std::vector<float> out = unary(eval_tanh, {0, 1, -2, 30, -kInf, kNaN});
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], std::tanh(1.0f));
  EXPECT_NEAR(out[1], 0.7615941560f, 1e-7);
  EXPECT_NEAR(out[2], -0.9640275801f, 1e-7);
  EXPECT_EQ(out[3], 1.0f);
  EXPECT_EQ(out[4], -1.0f);
  EXPECT_TRUE(std::isnan(out[5]));
}

}  // namespace
}  // namespace lq::kernels
