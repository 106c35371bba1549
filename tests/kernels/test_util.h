#pragma once
// Helpers for the reference kernel tests: exact comparisons and error checks.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "litequant/core/error.h"
#include "litequant/core/thread_pool.h"
#include "litequant/kernels/float_optimized.h"
#include "litequant/kernels/float_reference.h"

namespace lq::kernels::test {

// An output buffer sized for params.output_dims.
template <typename Params>
std::vector<float> output_for(const Params& p) {
  return std::vector<float>(static_cast<size_t>(flat_size(p.output_dims)), -12345.0f);
}

// Element-wise exact equality (NaN matches NaN).
inline void expect_exact(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) EXPECT_TRUE(std::isnan(got[i])) << "at " << i << ": " << got[i];
    else EXPECT_EQ(got[i], want[i]) << "at " << i;
  }
}

// fn() must throw lq::Error whose message contains `needle`.
template <typename Fn>
void expect_error(Fn&& fn, const std::string& needle) {
  try {
    fn();
    ADD_FAILURE() << "no lq::Error; expected one containing \"" << needle << "\"";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
        << "message \"" << e.what() << "\" lacks \"" << needle << "\"";
  }
}

// n values uniform in [lo, hi).
inline std::vector<float> random_values(size_t n, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

inline std::vector<float> abs_of(std::vector<float> v) {
  for (float& x : v) x = std::fabs(x);
  return v;
}

// The optimized float kernels' tolerance (float_optimized.h):
// |got - want| <= 1e-5 * (1 + magnitude), magnitude = sum |x * w| (+ |bias|) of the output,
// i.e. the reference kernel run on absolute values.
inline void expect_within_tolerance(const std::vector<float>& got, const std::vector<float>& want,
                                    const std::vector<float>& magnitude, const std::string& label) {
  ASSERT_EQ(got.size(), want.size()) << label;
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_LE(std::fabs(got[i] - want[i]), 1e-5f * (1.0f + magnitude[i])) << label << " at " << i;
}

// A prepared optimized float conv-like kernel, Kernel(params, filter, bias, path,
// max_threads), on every float path this CPU has: uses_reference() as expected, within the
// tolerance of `want` (magnitude `mag`, see above), the same bytes with a 2-thread pool and
// for a second eval (the scratch reused).
template <typename Kernel, typename Params>
void expect_every_path_matches(const Params& p, const float* filter, const float* bias, const std::vector<float>& x,
                               const std::vector<float>& want, const std::vector<float>& mag,
                               const std::string& label, bool expect_optimized) {
  ThreadPool pool(2);
  for (FloatPath path : {FloatPath::kPortable, FloatPath::kAvx2, FloatPath::kAvx512}) {
    if (!float_path_available(path)) continue;
    const std::string where = label + " path " + float_path_name(path);
    Kernel one(p, filter, bias, path, 1);
    Kernel two(p, filter, bias, path, 2);
    ASSERT_EQ(one.uses_reference(), !expect_optimized) << where;
    std::vector<float> got(want.size(), -7.0f), got2(want.size(), -9.0f);
    one.eval(x.data(), got.data(), nullptr);
    two.eval(x.data(), got2.data(), &pool);
    expect_within_tolerance(got, want, mag, where);
    ASSERT_EQ(got, got2) << where << ": thread count changed the result";
    two.eval(x.data(), got2.data(), &pool);
    ASSERT_EQ(got, got2) << where << ": second eval differs";
  }
}

}  // namespace lq::kernels::test
