// MEAN over axes with keep_dims.
#include "test_util.h"

namespace lq::kernels {
namespace {

using test::expect_error;
using test::expect_exact;
using test::output_for;

// [1, 2, 2, 3] holding 1..12: (h, w) -> 3 channels.
const std::vector<float> k1to12 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

std::vector<float> mean(const Dims& dims, const std::vector<float>& in,
                        const std::vector<int32_t>& axes, bool keep, Dims expected_dims) {
  const MeanParams p = prepare_mean(dims, axes, keep);
  EXPECT_EQ(p.output_dims, expected_dims);
  std::vector<float> out = output_for(p);
  eval_mean(p, in.data(), out.data());
  return out;
}

TEST(Mean, SpatialAxesKeepDims) {
  // Channel c averages c+1, c+4, c+7, c+10.
  expect_exact(mean({1, 2, 2, 3}, k1to12, {1, 2}, true, {1, 1, 1, 3}), {5.5f, 6.5f, 7.5f});
  expect_exact(mean({1, 2, 2, 3}, k1to12, {1, 2}, false, {1, 3}), {5.5f, 6.5f, 7.5f});
  // Negative and duplicate axes.
  expect_exact(mean({1, 2, 2, 3}, k1to12, {-3, 2, 1}, false, {1, 3}), {5.5f, 6.5f, 7.5f});
}

TEST(Mean, OtherAxes) {
  expect_exact(mean({1, 2, 2, 3}, k1to12, {-1}, false, {1, 2, 2}), {2, 5, 8, 11});
  expect_exact(mean({1, 2, 2, 3}, k1to12, {0, 1, 2, 3}, false, {}), {6.5f});
  expect_exact(mean({1, 2, 2, 3}, k1to12, {0, 1, 2, 3}, true, {1, 1, 1, 1}), {6.5f});
  // Non-adjacent axes {0, 2} of [2, 3, 2]: b = 0 averages 1, 2, 7, 8.
  expect_exact(mean({2, 3, 2}, k1to12, {0, 2}, false, {3}), {4.5f, 6.5f, 8.5f});
  expect_exact(mean({2, 3, 2}, k1to12, {0, 2}, true, {1, 3, 1}), {4.5f, 6.5f, 8.5f});
  // No axes: a copy.
  expect_exact(mean({2, 3, 2}, k1to12, {}, false, {2, 3, 2}), k1to12);
  // Empty reduced axis: 0 (TFLite leaves the zeroed sums).
  expect_exact(mean({2, 0}, {}, {1}, false, {2}), {0, 0});
}

TEST(Mean, FloatSumOrder) {
  // Sum in float in input order: 1e8 + 3 + 3 + 3 stays 1e8 (each +3 rounds away); a
  // double sum or another order would give 1e8 + 8 -> 25000002.
  const std::vector<float> in = {1e8f, 3, 3, 3};
  expect_exact(mean({4}, in, {0}, false, {}), {1e8f / 4.0f});
}

TEST(Mean, PrepareErrors) {
  expect_error([] { prepare_mean({1, 2, 2, 3}, std::vector<int32_t>{4}, false); },
               "MEAN: axis 4 is out of range for input [1, 2, 2, 3] of rank 4");
  expect_error([] { prepare_mean({1, 2, 2, 3}, std::vector<int32_t>{-5}, true); },
               "axis -5 is out of range");
  expect_error([] { prepare_mean({1, 1, 1, 1, 1, 1, 1, 1, 1}, std::vector<int32_t>{0}, true); },
               "more than 8 dimensions");
}

}  // namespace
}  // namespace lq::kernels
