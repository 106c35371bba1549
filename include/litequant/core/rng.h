#pragma once
// Deterministic random numbers: the same seed gives the same sequence on every platform
// (xoshiro256** seeded through splitmix64; no std:: distributions, whose output is
// implementation-defined).
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace lq {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0);
  uint64_t next_u64();
  // Uniform in [0, 1), 24 random bits.
  float uniform();
  // Uniform in [lo, hi).
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n), n > 0, unbiased.
  uint64_t below(uint64_t n);
  // Standard normal (Box-Muller).
  float normal();
  // Fisher-Yates shuffle.
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) {
      size_t j = static_cast<size_t>(below(i));
      std::swap(v[i - 1], v[j]);
    }
  }

 private:
  uint64_t s_[4];
};

}  // namespace lq
