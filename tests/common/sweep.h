#pragma once
// Random choices shared by the randomized one-op oracle sweeps.
#include <cmath>
#include <cstdint>
#include <vector>

#include "litequant/core/rng.h"
#include "litequant/tflite/model.h"

namespace lq::test {

// Uniform integer in [lo, hi].
inline int pick(Rng& rng, int lo, int hi) { return lo + static_cast<int>(rng.below(static_cast<uint64_t>(hi - lo + 1))); }
// Uniform in [lo, hi) on a grid of 10^4 steps (scales that print short).
inline float uniform_in(Rng& rng, float lo, float hi) {
  return lo + (hi - lo) * static_cast<float>(rng.below(10000)) / 10000.0f;
}
// Log-uniform in [lo, hi): scales over several orders of magnitude.
inline float log_uniform(Rng& rng, float lo, float hi) { return lo * std::pow(hi / lo, rng.uniform()); }
// NONE, RELU, RELU6 or RELU_N1_TO_1.
inline tflite::Activation pick_activation(Rng& rng) {
  const tflite::Activation all[] = {tflite::Activation::kNone, tflite::Activation::kRelu, tflite::Activation::kRelu6,
                                    tflite::Activation::kReluN1To1};
  return all[rng.below(4)];
}
// n int8 weights in [-127, 127] (symmetric narrow range).
inline std::vector<int8_t> random_weights(Rng& rng, size_t n) {
  std::vector<int8_t> w(n);
  for (auto& v : w) v = static_cast<int8_t>(pick(rng, -127, 127));
  return w;
}

}  // namespace lq::test
