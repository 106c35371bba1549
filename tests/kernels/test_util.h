#pragma once
// Helpers for the reference kernel tests: exact comparisons and error checks.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "litequant/core/error.h"
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

}  // namespace lq::kernels::test
