// FULLY_CONNECTED: values, flattening, keep_num_dims, prepare errors.
#include <limits>

#include "test_util.h"

namespace lq::kernels {
namespace {

using test::expect_error;
using test::expect_exact;
using test::output_for;

const std::vector<float> kWeights = {1, 0, -1, 0.5f, 0.5f, 0.5f};  // [2, 3]

std::vector<float> run_fc(const FullyConnectedParams& p, const std::vector<float>& in,
                          const std::vector<float>& bias = {}) {
  std::vector<float> out = output_for(p);
  eval_fully_connected(p, in.data(), kWeights.data(), bias.empty() ? nullptr : bias.data(),
                       out.data());
  return out;
}

TEST(FullyConnected, ValuesAndBias) {
  FullyConnectedParams p = prepare_fully_connected({2, 3}, {2, 3}, Dims{2}, {});
  EXPECT_EQ(p.output_dims, (Dims{2, 2}));
  // b0: 1 - 3 + 10 = 8, 0.5 + 1 + 1.5 - 1 = 2; b1: 4 - 6 + 10 = 8, 2 + 2.5 + 3 - 1 = 6.5.
  expect_exact(run_fc(p, {1, 2, 3, 4, 5, 6}, {10, -1}), {8, 2, 8, 6.5f});
  p = prepare_fully_connected({2, 3}, {2, 3}, std::nullopt, {.activation = Activation::kRelu});
  expect_exact(run_fc(p, {1, 2, 3, 4, 5, 6}), {0, 3, 0, 7.5f});
  p = prepare_fully_connected({1, 3}, {2, 3}, std::nullopt, {});
  const float inf = std::numeric_limits<float>::infinity();
  // inf * 0 gives NaN (kept); inf * 0.5 gives inf, which NONE clamps to FLT_MAX.
  expect_exact(run_fc(p, {0, inf, 0}),
               {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::max()});
}

TEST(FullyConnected, FlatteningAndKeepNumDims) {
  // [2, 1, 3] read as [2, 3].
  FullyConnectedParams p = prepare_fully_connected({2, 1, 3}, {2, 3}, std::nullopt, {});
  EXPECT_EQ(p.batch, 2);
  EXPECT_EQ(p.output_dims, (Dims{2, 2}));
  expect_exact(run_fc(p, {1, 2, 3, 4, 5, 6}), {-2, 3, -2, 7.5f});
  p = prepare_fully_connected({2, 1, 3}, {2, 3}, std::nullopt, {.keep_num_dims = true});
  EXPECT_EQ(p.output_dims, (Dims{2, 1, 2}));
  expect_exact(run_fc(p, {1, 2, 3, 4, 5, 6}), {-2, 3, -2, 7.5f});
  // [6] -> batch 2 (elements / I), even though the last dimension is not I.
  p = prepare_fully_connected({6}, {2, 3}, std::nullopt, {});
  EXPECT_EQ(p.output_dims, (Dims{2, 2}));
  // [1, 2, 2, 3] -> batch 4.
  p = prepare_fully_connected({1, 2, 2, 3}, {2, 3}, std::nullopt, {});
  EXPECT_EQ(p.output_dims, (Dims{4, 2}));
  // Empty batch.
  p = prepare_fully_connected({0, 3}, {2, 3}, std::nullopt, {});
  EXPECT_EQ(p.output_dims, (Dims{0, 2}));
}

TEST(FullyConnected, PrepareErrors) {
  expect_error([] { prepare_fully_connected({7}, {2, 3}, std::nullopt, {}); },
               "FULLY_CONNECTED: input [7] has 7 elements, not a multiple of the weights' input "
               "size 3");
  expect_error([] { prepare_fully_connected({2, 3}, {2, 3}, Dims{3}, {}); },
               "FULLY_CONNECTED: bias [3] has 3 elements, expected 2");
  expect_error([] { prepare_fully_connected({2, 3}, {1, 2, 3}, std::nullopt, {}); },
               "weights must have 2 dimensions");
  expect_error([] { prepare_fully_connected({6}, {2, 3}, std::nullopt, {.keep_num_dims = true}); },
               "keep_num_dims needs the input's last dimension to be 3");
  expect_error([] { prepare_fully_connected({2, 3}, {2, 0}, std::nullopt, {}); },
               "have no input columns");
  expect_error([] { prepare_fully_connected({}, {2, 3}, std::nullopt, {}); },
               "at least 1 dimension");
  expect_error([] { prepare_fully_connected({2, 3}, {2, 3}, std::nullopt,
                                            {.activation = Activation::kTanh}); },
               "TANH is not supported");
}

}  // namespace
}  // namespace lq::kernels
