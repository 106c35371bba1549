#pragma once
// Helpers shared by the nn tests.
#include <cstring>
#include <vector>

#include "litequant/core/rng.h"
#include "litequant/core/tensor.h"
#include "litequant/nn/model.h"

namespace lq::test {

inline Tensor random_tensor(const Shape& shape, uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
  Tensor t(shape);
  Rng rng(seed);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.uniform(lo, hi);
  return t;
}

// A small separable classification problem: class = argmax of fixed projections.
inline void toy_classification(int64_t n, const Shape& sample, int64_t classes, uint64_t seed,
                               Tensor& x, Tensor& y) {
  x = random_tensor(with_batch(n, sample), seed, 0.0f, 1.0f);
  const int64_t d = num_elements(sample);
  Tensor proj = random_tensor({d, classes}, seed + 1);
  y = Tensor({n});
  for (int64_t i = 0; i < n; ++i) {
    int64_t best = 0;
    float best_v = -1e30f;
    for (int64_t c = 0; c < classes; ++c) {
      float v = 0;
      for (int64_t k = 0; k < d; ++k) v += x[i * d + k] * proj[k * classes + c];
      if (v > best_v) best_v = v, best = c;
    }
    y[i] = static_cast<float>(best);
  }
}

// Every weight value of the model, concatenated.
inline std::vector<float> all_weights(const Model& m) {
  std::vector<float> out;
  for (Layer* l : m.layers())
    for (const Weight* w : std::as_const(*l).weights())
      out.insert(out.end(), w->value.data(), w->value.data() + w->value.size());
  return out;
}

inline bool bytes_equal(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace lq::test
