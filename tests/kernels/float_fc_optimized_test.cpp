// FullyConnectedFloatOptimized (float_fully_connected_optimized.h): within the stated
// tolerance of the reference kernel over random shapes (several k blocks, column blocks,
// ragged tiles), bias / no bias and activations, on every GEMM path; bit-identical with
// lq::sgemm on the same path for batch >= 4, and for any thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/gemm_internal.h"
#include "litequant/core/thread_pool.h"
#include "litequant/kernels/float_fully_connected_optimized.h"
#include "litequant/kernels/float_reference.h"

namespace lq::kernels {
namespace {

gemm_internal::Isa isa_of(FloatFcPath path) {
  switch (path) {
    case FloatFcPath::kAvx512: return gemm_internal::Isa::kAvx512;
    case FloatFcPath::kAvx2: return gemm_internal::Isa::kAvx2;
    case FloatFcPath::kPortable: return gemm_internal::Isa::kPortable;
    default: return gemm_internal::best_isa();
  }
}

class FloatFcOptimizedTest : public ::testing::TestWithParam<FloatFcPath> {
 protected:
  void SetUp() override {
    if (!float_fc_path_available(GetParam())) GTEST_SKIP() << "path not available";
  }
};

TEST_P(FloatFcOptimizedTest, MatchesReferenceAndSgemm) {
  std::mt19937 rng(21);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  ThreadPool pool3(3);
  const Activation acts[] = {Activation::kNone, Activation::kRelu, Activation::kRelu6, Activation::kReluN1To1};
  for (int trial = 0; trial < 40; ++trial) {
    const int32_t batch = trial % 4 == 0 ? pick(1, 3) : pick(4, 40);
    const int32_t in = trial == 5 ? 1000 : pick(1, 500);
    const int32_t out = trial == 7 ? 1100 : pick(1, 150);
    const bool has_bias = pick(0, 3) != 0;
    const auto p = prepare_fully_connected({batch, in}, {out, in}, has_bias ? std::optional<Dims>(Dims{out}) : std::nullopt,
                                           {acts[pick(0, 3)], false});
    std::vector<float> x(static_cast<size_t>(batch) * in), w(static_cast<size_t>(out) * in), bias(static_cast<size_t>(out));
    for (auto& v : x) v = value(rng);
    for (auto& v : w) v = value(rng);
    for (auto& v : bias) v = value(rng);
    const float* b = has_bias ? bias.data() : nullptr;
    std::vector<float> want(static_cast<size_t>(batch) * out), got(want.size(), -9.0f), got3(want.size(), -9.0f);
    eval_fully_connected(p, x.data(), w.data(), b, want.data());
    const FullyConnectedFloatOptimized fc(p, w.data(), b, GetParam());
    EXPECT_EQ(fc.packed(), batch >= 4);
    fc.eval(x.data(), w.data(), got.data(), nullptr);
    fc.eval(x.data(), w.data(), got3.data(), &pool3);
    const std::string what = "trial " + std::to_string(trial) + " " + std::to_string(batch) + "x" + std::to_string(in) +
                             "->" + std::to_string(out);
    ASSERT_EQ(std::memcmp(got.data(), got3.data(), got.size() * sizeof(float)), 0) << what << ": thread count";
    for (int32_t r = 0; r < batch; ++r)
      for (int32_t o = 0; o < out; ++o) {
        double mass = 0.0;
        for (int32_t i = 0; i < in; ++i) mass += std::fabs(double{x[size_t(r) * in + i]} * w[size_t(o) * in + i]);
        const size_t at = size_t(r) * out + o;
        ASSERT_LE(std::fabs(double{got[at]} - want[at]), 1e-5 * (1.0 + mass)) << what << " at " << at;
      }
    if (batch >= 4) {
      // The same bits as sgemm on this path followed by bias and clamp.
      std::vector<float> ref(want.size());
      gemm_internal::sgemm_with(isa_of(GetParam()), Trans::kNo, Trans::kYes, batch, out, in, 1.0f, x.data(), in, w.data(),
                                in, 0.0f, ref.data(), out, nullptr);
      for (int32_t r = 0; r < batch; ++r)
        for (int32_t o = 0; o < out; ++o) {
          float& v = ref[size_t(r) * out + o];
          v = std::min(std::max(v + (b ? b[o] : 0.0f), p.activation.min), p.activation.max);
        }
      ASSERT_EQ(std::memcmp(got.data(), ref.data(), got.size() * sizeof(float)), 0) << what << ": vs sgemm";
    }
  }
}

std::string path_name(const ::testing::TestParamInfo<FloatFcPath>& param_info) {
  switch (param_info.param) {
    case FloatFcPath::kPortable: return "portable";
    case FloatFcPath::kAvx2: return "avx2";
    case FloatFcPath::kAvx512: return "avx512";
    default: return "auto";
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, FloatFcOptimizedTest,
                         ::testing::Values(FloatFcPath::kPortable, FloatFcPath::kAvx2, FloatFcPath::kAvx512,
                                           FloatFcPath::kAuto),
                         path_name);

}  // namespace
}  // namespace lq::kernels
