// SOFTMAX over the last axis with beta.
#include <cmath>

#include "test_util.h"

namespace lq::kernels {
namespace {

using test::expect_error;
using test::output_for;

// The contract's float steps, written out for one row.
std::vector<float> softmax_row(const std::vector<float>& x, float beta) {
  float max = std::numeric_limits<float>::lowest();
  for (float v : x) max = std::max(max, v);
  std::vector<float> e;
  float sum = 0.0f;
  for (float v : x) {
    e.push_back(std::exp((v - max) * beta));
    sum += e.back();
  }
  for (float& v : e) v = v / sum;
  return e;
}

TEST(Softmax, Beta2TwoRows) {
  const SoftmaxParams p = prepare_softmax({2, 3}, 2.0f);
  EXPECT_EQ(p.outer, 2);
  EXPECT_EQ(p.depth, 3);
  const std::vector<float> in = {1, 2, 3, 1000, 1000.5f, 1001};
  std::vector<float> out = output_for(p);
  eval_softmax(p, in.data(), out.data());
  // Row 0: exp(-4), exp(-2), 1 over their sum 1.1536506...
  EXPECT_NEAR(out[0], 0.0158762f, 1e-7);
  EXPECT_NEAR(out[1], 0.1173104f, 1e-7);
  EXPECT_NEAR(out[2], 0.8668133f, 1e-7);
  // Row 1: beta * (x - max) = -2, -1, 0; the max subtraction avoids overflow.
  EXPECT_NEAR(out[3], 0.0900306f, 1e-7);
  EXPECT_NEAR(out[4], 0.2447285f, 1e-7);
  EXPECT_NEAR(out[5], 0.6652409f, 1e-7);
  // And bit-exact to the contract's float steps.
  const std::vector<float> r0 = softmax_row({1, 2, 3}, 2.0f);
  const std::vector<float> r1 = softmax_row({1000, 1000.5f, 1001}, 2.0f);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(out[i], r0[i]);
    EXPECT_EQ(out[3 + i], r1[i]);
  }
}

TEST(Softmax, UniformSingleAndRank4) {
  SoftmaxParams p = prepare_softmax({1, 1, 1, 4}, 1.0f);
  std::vector<float> out = output_for(p);
  const std::vector<float> in = {7, 7, 7, 7};
  eval_softmax(p, in.data(), out.data());
  for (float v : out) EXPECT_EQ(v, 0.25f);
  p = prepare_softmax({3, 1}, 0.5f);  // one class: always 1
  out = output_for(p);
  const std::vector<float> in1 = {-5, 0, 80};
  eval_softmax(p, in1.data(), out.data());
  for (float v : out) EXPECT_EQ(v, 1.0f);
}

TEST(Softmax, PrepareErrors) {
  expect_error([] { prepare_softmax({}, 1.0f); }, "SOFTMAX: input must have at least 1 dimension");
  expect_error([] { prepare_softmax({2}, std::numeric_limits<float>::infinity()); },
               "SOFTMAX: beta must be finite");
  expect_error([] { prepare_softmax({2, -3}, 1.0f); }, "negative");
}

}  // namespace
}  // namespace lq::kernels
