// Optimized int8 RELU / RELU6 / LOGISTIC / TANH (256-byte tables), SOFTMAX, PAD and MEAN
// (int8_optimized_ops.h) against the reference kernels, byte for byte, on every code path
// this CPU runs (parameter: the forced path; unavailable ones skip).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "litequant/core/error.h"
#include "litequant/kernels/int8_optimized_ops.h"

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
  // Uniform int8, or only a narrow band / the extremes.
  std::vector<int8_t> values(size_t n) {
    std::vector<int8_t> v(n);
    const int mode = pick(0, 3);
    const int center = pick(-128, 127);
    for (auto& x : v) {
      if (mode == 0) x = static_cast<int8_t>(pick(0, 1) ? -128 : 127);
      else if (mode == 1) x = static_cast<int8_t>(std::clamp(center + pick(-3, 3), -128, 127));
      else x = static_cast<int8_t>(pick(-128, 127));
    }
    return v;
  }
};

// Compares got (with guard bytes) against want.
void expect_bytes(const std::vector<int8_t>& got, const std::vector<int8_t>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size() + kGuardBytes);
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_EQ(got[i], want[i]) << what << ": output " << i;
  for (size_t i = want.size(); i < got.size(); ++i) ASSERT_EQ(got[i], kGuard) << what << ": wrote past the output";
}

class PathSweep : public ::testing::TestWithParam<OpPath> {
 protected:
  void SetUp() override {
    if (!op_path_available(GetParam())) GTEST_SKIP() << op_path_name(GetParam()) << " not available";
  }
};

// ---- RELU, RELU6, LOGISTIC, TANH ----------------------------------------------------------
TEST_P(PathSweep, UnaryTablesMatchReference) {
  Rand r(11u + static_cast<uint32_t>(GetParam()));
  for (int iter = 0; iter < 400; ++iter) {
    const int kind = iter % 4;
    const QuantParams qi{r.log_uniform(1e-3f, 1.0f), r.pick(-128, 127)};
    QuantParams qo{qi.scale * r.log_uniform(0.05f, 20.0f), r.pick(-128, 127)};
    if (kind == 2) qo.scale = 1.0f / 256.0f;
    const int n = r.pick(0, 1) ? r.pick(0, 70) : r.pick(0, 2000);
    const std::vector<int8_t> x = r.values(static_cast<size_t>(n));
    std::vector<int8_t> want(x.size()), got(x.size() + kGuardBytes, kGuard);
    ByteTableOptimized opt;
    try {
      if (kind < 2) {
        const ReluInt8Params p = kind == 0 ? prepare_relu_int8({n}, qi, qo) : prepare_relu6_int8({n}, qi, qo);
        eval_relu_int8(p, x.data(), want.data());
        opt = prepare_relu_int8_optimized(p, GetParam());
      } else {
        const LookupTableInt8Params p = kind == 2 ? prepare_logistic_int8({n}, qi, qo) : prepare_tanh_int8({n}, qi, qo);
        eval_lookup_table_int8(p, x.data(), want.data());
        opt = prepare_lookup_table_int8_optimized(p, GetParam());
      }
    } catch (const Error&) {
      continue;
    }
    EXPECT_EQ(opt.path, GetParam());
    eval_byte_table_optimized(opt, x.data(), got.data());
    expect_bytes(got, want, "kind " + std::to_string(kind) + " iteration " + std::to_string(iter));
    if (HasFailure()) return;
  }
}

// ---- SOFTMAX -----------------------------------------------------------------------------
TEST_P(PathSweep, SoftmaxMatchesReference) {
  Rand r(21u + static_cast<uint32_t>(GetParam()));
  for (int iter = 0; iter < 300; ++iter) {
    const int depth = iter % 3 == 0 ? r.pick(1, 20) : r.pick(1, 300);
    const Dims dims = {r.pick(1, 4), r.pick(1, 5), depth};
    const QuantParams qi{r.log_uniform(1e-3f, 2.0f), r.pick(-128, 127)};
    const QuantParams qo{(1.0f / 256.0f) * (1.0f + 0.0009f * static_cast<float>(r.pick(-1, 1))), -128};
    // beta: usually 1; sometimes tiny, huge (exp overflows: inf / NaN probabilities) or negative.
    const float betas[] = {1.0f, 1.0f, 0.5f, 3.0f, 1e-6f, 1e4f, -1.0f, 1e30f};
    const float beta = betas[r.pick(0, 7)];
    const SoftmaxInt8Params p = prepare_softmax_int8(dims, qi, qo, beta);
    const std::vector<int8_t> x = r.values(static_cast<size_t>(flat_size(dims)));
    std::vector<int8_t> want(x.size()), got(x.size() + kGuardBytes, kGuard);
    eval_softmax_int8(p, x.data(), want.data());
    const auto opt = prepare_softmax_int8_optimized(p, GetParam());
    eval_softmax_int8_optimized(opt, x.data(), got.data());
    expect_bytes(got, want, "depth " + std::to_string(depth) + " beta " + std::to_string(beta));
    if (HasFailure()) return;
  }
}

// ---- PAD -----------------------------------------------------------------------------------
TEST(PadOptimized, MatchesReference) {
  Rand r(31u);
  for (int iter = 0; iter < 400; ++iter) {
    Dims dims;
    for (int d = r.pick(1, 5); d > 0; --d) dims.push_back(r.pick(iter % 10 == 0 ? 0 : 1, 6));
    std::vector<int32_t> paddings;
    for (size_t d = 0; d < dims.size(); ++d)
      for (int side = 0; side < 2; ++side) paddings.push_back(r.pick(0, 2) ? 0 : r.pick(0, 3));
    const QuantParams q{0.1f, r.pick(-128, 127)};
    const auto type = r.pick(0, 1) ? QuantizedType::kInt8 : QuantizedType::kUInt8;
    const QuantParams qt{q.scale, type == QuantizedType::kInt8 ? q.zero_point : q.zero_point + 128};
    const PadInt8Params p =
        prepare_pad_int8(dims, {static_cast<int32_t>(dims.size()), 2}, paddings, qt, qt, type);
    const std::vector<int8_t> x = r.values(static_cast<size_t>(p.input_size));
    std::vector<int8_t> want(static_cast<size_t>(p.output_size)), got(want.size() + kGuardBytes, kGuard);
    eval_pad_int8(p, x.data(), want.data());
    eval_pad_int8_optimized(prepare_pad_int8_optimized(p), x.data(), got.data());
    expect_bytes(got, want, "iteration " + std::to_string(iter));
    if (HasFailure()) return;
  }
}

// ---- MEAN ----------------------------------------------------------------------------------
TEST_P(PathSweep, MeanMatchesReference) {
  Rand r(41u + static_cast<uint32_t>(GetParam()));
  int optimized = 0;
  for (int iter = 0; iter < 600; ++iter) {
    Dims dims;
    const int rank = iter % 2 == 0 ? 4 : r.pick(1, 5);
    for (int d = 0; d < rank; ++d) dims.push_back(r.pick(iter % 25 == 0 ? 0 : 1, d == rank - 1 ? 150 : 7));
    std::vector<int32_t> axes;
    if (iter % 2 == 0) {
      axes = r.pick(0, 1) ? std::vector<int32_t>{1, 2} : std::vector<int32_t>{2, 1};
      if (r.pick(0, 4) == 0) axes = {-3, -2};
    } else {
      for (int d = 0; d < rank; ++d)
        if (r.pick(0, 1)) axes.push_back(r.pick(0, 3) ? d : d - rank);
      if (axes.empty()) axes.push_back(r.pick(0, rank - 1));
      if (r.pick(0, 5) == 0) axes.push_back(axes[0]);  // a duplicate
    }
    const bool keep_dims = r.pick(0, 1) == 1;
    const QuantParams qi{r.log_uniform(1e-3f, 1.0f), r.pick(-128, 127)};
    const int mode = r.pick(0, 2);  // same params, other scale, other zero point
    const QuantParams qo = mode == 0 ? qi : QuantParams{qi.scale * r.log_uniform(0.2f, 5.0f), r.pick(-128, 127)};
    MeanInt8Params p;
    try {
      p = prepare_mean_int8(dims, axes, keep_dims, qi, qo);
    } catch (const Error&) {
      continue;
    }
    const std::vector<int8_t> x = r.values(static_cast<size_t>(flat_size(dims)));
    std::vector<int8_t> want(static_cast<size_t>(p.output_size)), got(want.size() + kGuardBytes, kGuard);
    eval_mean_int8(p, x.data(), want.data());
    MeanInt8Optimized opt = prepare_mean_int8_optimized(p, GetParam());
    EXPECT_EQ(opt.path, GetParam());
    if (!opt.uses_reference()) ++optimized;
    eval_mean_int8_optimized(opt, x.data(), got.data());
    std::string what = "dims";
    for (int64_t d : dims) what += " " + std::to_string(d);
    what += " axes";
    for (int32_t a : axes) what += " " + std::to_string(a);
    expect_bytes(got, want, what);
    if (HasFailure()) return;
  }
  EXPECT_GT(optimized, 300);
}

INSTANTIATE_TEST_SUITE_P(Paths, PathSweep, ::testing::Values(OpPath::kPortable, OpPath::kAvx2, OpPath::kAvx512),
                         [](const ::testing::TestParamInfo<OpPath>& i) { return std::string(op_path_name(i.param)); });

}  // namespace
}  // namespace lq::kernels
