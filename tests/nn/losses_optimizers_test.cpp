// Exact loss values (Keras semantics), probability clipping, accuracy counting, and the
// optimizers' update rules checked step by step against the Keras formulas written out
// in the tests.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "litequant/core/error.h"
#include "litequant/core/thread_pool.h"
#include "litequant/nn/losses.h"
#include "litequant/nn/optimizers.h"

namespace lq {
namespace {

Tensor t2(int64_t rows, int64_t cols, const std::vector<float>& v) {
  return Tensor({rows, cols}, v);
}
Tensor labels(const std::vector<float>& v) { return Tensor({static_cast<int64_t>(v.size())}, v); }

void expect_grad(const Tensor& g, const std::vector<double>& want, double tol = 1e-6) {
  ASSERT_EQ(g.size(), static_cast<int64_t>(want.size()));
  for (int64_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], want[static_cast<size_t>(i)], tol) << i;
}

// log(1 + e^-1 + e^-2): -log softmax([1, 2, 3])[2]
constexpr double kLse123 = 0.40760596444438;

// ---------------------------------------------------------------------------------------
// Losses

TEST(Losses, SparseCrossentropyFromLogits) {
  auto loss = SparseCategoricalCrossentropy(true);
  EXPECT_EQ(loss->name(), "sparse_categorical_crossentropy");
  const Tensor x = t2(1, 3, {1, 2, 3});
  Tensor g;
  EXPECT_NEAR(loss->compute(x, labels({2}), &g), kLse123, 1e-9);
  // d/dx = softmax(x) - onehot
  expect_grad(g, {0.09003057317, 0.24472847105, 0.66524095577 - 1.0});
  EXPECT_NEAR(loss->compute(x, labels({0}), nullptr), 2.0 + kLse123, 1e-9);
  EXPECT_NEAR(loss->compute(x, labels({1}), nullptr), 1.0 + kLse123, 1e-9);
  // Mean over the batch: row 2 is uniform over 3 classes (log 3). Targets may be [N, 1].
  const Tensor batch = t2(2, 3, {1, 2, 3, 0, 0, 0});
  EXPECT_NEAR(loss->compute(batch, labels({2, 1}), &g), (kLse123 + std::log(3.0)) / 2, 1e-9);
  expect_grad(g, {0.09003057317 / 2, 0.24472847105 / 2, (0.66524095577 - 1.0) / 2,  //
                  1.0 / 6, (1.0 / 3 - 1.0) / 2, 1.0 / 6});
  EXPECT_NEAR(loss->compute(batch, Tensor({2, 1}, {2, 1}), nullptr), (kLse123 + std::log(3.0)) / 2,
              1e-9);
  // Large logits stay finite: [1000, 0] with label 1 costs 1000.
  EXPECT_NEAR(loss->compute(t2(1, 2, {1000, 0}), labels({1}), &g), 1000.0, 1e-3);
  expect_grad(g, {1, -1});
}

TEST(Losses, SparseCrossentropyFromProbabilities) {
  auto loss = SparseCategoricalCrossentropy(false);
  EXPECT_NEAR(loss->compute(t2(1, 3, {0.2f, 0.3f, 0.5f}), labels({1}), nullptr), -std::log(0.3),
              1e-6);
  // Rows are normalised to sum 1 first (Keras): [1, 1, 2] -> [0.25, 0.25, 0.5].
  Tensor g;
  EXPECT_NEAR(loss->compute(t2(1, 3, {1, 1, 2}), labels({2}), &g), std::log(2.0), 1e-7);
  // d/dx_j of -log(x_2 / s) = 1 / s - [j == 2] / x_2 with s = 4.
  expect_grad(g, {0.25, 0.25, 0.25 - 0.5});
}

TEST(Losses, CategoricalCrossentropy) {
  auto probs = CategoricalCrossentropy(false);
  EXPECT_EQ(probs->name(), "categorical_crossentropy");
  const Tensor p = t2(2, 3, {0.2f, 0.3f, 0.5f, 0.7f, 0.2f, 0.1f});
  const Tensor onehot = t2(2, 3, {0, 0, 1, 1, 0, 0});
  EXPECT_NEAR(probs->compute(p, onehot, nullptr), (-std::log(0.5) - std::log(0.7)) / 2, 1e-6);
  // From logits with soft labels: softmax([0, ln 3]) = [1/4, 3/4], targets [1/2, 1/2].
  auto logits = CategoricalCrossentropy(true);
  Tensor g;
  const Tensor x = t2(1, 2, {0.0f, static_cast<float>(std::log(3.0))});
  EXPECT_NEAR(logits->compute(x, t2(1, 2, {0.5f, 0.5f}), &g),
              -0.5 * std::log(0.25) - 0.5 * std::log(0.75), 1e-6);
  // softmax * sum(t) - t
  expect_grad(g, {0.25 - 0.5, 0.75 - 0.5});
  // One-hot targets agree with the sparse loss.
  EXPECT_NEAR(logits->compute(t2(1, 3, {1, 2, 3}), t2(1, 3, {0, 0, 1}), nullptr), kLse123, 1e-9);
}

TEST(Losses, KerasClipsProbabilities) {
  // Keras clips probabilities to [1e-7, 1 - 1e-7]: a zero probability for the true class
  // costs -log(1e-7), a certain one -log(1 - 1e-7).
  auto ce = CategoricalCrossentropy(false);
  auto sparse = SparseCategoricalCrossentropy(false);
  const double max_loss = -std::log(1e-7);  // 16.118095650958...
  Tensor g;
  EXPECT_NEAR(ce->compute(t2(1, 3, {0, 1, 0}), t2(1, 3, {1, 0, 0}), &g), max_loss, 1e-6);
  // Clipped values pass no gradient (tf.clip_by_value).
  expect_grad(g, {0, 0, 0});
  EXPECT_NEAR(sparse->compute(t2(1, 3, {0, 1, 0}), labels({0}), nullptr), max_loss, 1e-6);
  EXPECT_NEAR(sparse->compute(t2(1, 2, {1, 0}), labels({0}), &g), -std::log1p(-1e-7), 1e-12);
  expect_grad(g, {0, 0});
  // Nothing is ever infinite.
  EXPECT_TRUE(std::isfinite(ce->compute(t2(2, 2, {0, 1, 1, 0}), t2(2, 2, {1, 0, 0, 1}), nullptr)));
}

TEST(Losses, MeanSquaredError) {
  auto mse = MeanSquaredError();
  EXPECT_EQ(mse->name(), "mean_squared_error");
  Tensor g;
  // differences 1, 0, -2, 0
  EXPECT_NEAR(mse->compute(t2(2, 2, {1, 2, 3, 4}), t2(2, 2, {0, 2, 5, 4}), &g), 1.25, 1e-12);
  expect_grad(g, {0.5, 0, -1, 0});
}

TEST(Losses, BadTargetsThrow) {
  auto sparse = SparseCategoricalCrossentropy(true);
  const Tensor x = t2(2, 3, {1, 2, 3, 4, 5, 6});
  EXPECT_THROW(sparse->compute(x, labels({0, 3}), nullptr), Error);  // class 3 of 3
  EXPECT_THROW(sparse->compute(x, labels({0, -1}), nullptr), Error);
  EXPECT_THROW(sparse->compute(x, labels({0, 1.5f}), nullptr), Error);  // not an integer
  EXPECT_THROW(sparse->compute(x, labels({0, 1, 2}), nullptr), Error);  // 3 targets, 2 rows
  EXPECT_THROW(sparse->compute(x, labels({std::numeric_limits<float>::quiet_NaN(), 0}), nullptr),
               Error);
  EXPECT_THROW(CategoricalCrossentropy(true)->compute(x, t2(2, 2, {1, 0, 0, 1}), nullptr), Error);
  EXPECT_THROW(MeanSquaredError()->compute(x, t2(2, 2, {1, 0, 0, 1}), nullptr), Error);
}

TEST(Losses, FromConfig) {
  EXPECT_EQ(loss_from_config("mse")->name(), "mean_squared_error");
  EXPECT_EQ(loss_from_config("mean_squared_error")->name(), "mean_squared_error");
  EXPECT_EQ(loss_from_config("categorical_crossentropy")->name(), "categorical_crossentropy");
  auto logits = loss_from_config(
      nlohmann::json{{"name", "sparse_categorical_crossentropy"}, {"from_logits", true}});
  EXPECT_NEAR(logits->compute(t2(1, 3, {1, 2, 3}), labels({2}), nullptr), kLse123, 1e-9);
  EXPECT_EQ(logits->config()["from_logits"], true);
  // A bare name means from_logits = false: [1, 2, 3] are then unnormalised probabilities.
  auto probs = loss_from_config("sparse_categorical_crossentropy");
  EXPECT_NEAR(probs->compute(t2(1, 3, {1, 2, 3}), labels({2}), nullptr), std::log(2.0), 1e-7);
  // Round trip.
  EXPECT_EQ(loss_from_config(logits->config())->config(), logits->config());
  try {
    loss_from_config("hinge");
    ADD_FAILURE() << "unknown loss accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("hinge"), std::string::npos) << e.what();
  }
  EXPECT_THROW(loss_from_config(42), Error);
  EXPECT_THROW(loss_from_config(nlohmann::json::object()), Error);
}

// ---------------------------------------------------------------------------------------
// Accuracy

TEST(Accuracy, SparseOneHotAndBinary) {
  const Tensor p = t2(3, 3, {0.1f, 0.8f, 0.1f, 0.6f, 0.3f, 0.1f, 0.2f, 0.2f, 0.6f});
  EXPECT_EQ(count_correct(p, labels({1, 1, 2})), 2);  // rows 0 and 2
  EXPECT_EQ(count_correct(p, labels({1, 0, 2})), 3);
  EXPECT_EQ(count_correct(p, Tensor({3, 1}, {0, 1, 0})), 0);
  EXPECT_EQ(count_correct(p, t2(3, 3, {0, 1, 0, 0, 1, 0, 0, 0, 1})), 2);
  // Single output unit: prediction > 0.5 against target > 0.5.
  EXPECT_EQ(count_correct(Tensor({4, 1}, {0.7f, 0.2f, 0.6f, 0.4f}), Tensor({4, 1}, {1, 0, 0, 1})),
            2);
  // Ties go to the first maximum (argmax).
  EXPECT_EQ(count_correct(t2(1, 2, {0.5f, 0.5f}), labels({0})), 1);
  EXPECT_EQ(count_correct(t2(1, 2, {0.5f, 0.5f}), labels({1})), 0);
}

// ---------------------------------------------------------------------------------------
// Optimizers: one weight of one element, fixed gradients, Keras rules by hand.

struct OneWeight {
  Weight w;
  explicit OneWeight(float v = 1.0f)
      : w{std::string(1, 'w'), Tensor({1}, {v}), Tensor({1}), true} {}
  float step(Optimizer& opt, float g) {
    w.grad[0] = g;
    opt.apply({&w}, nullptr);
    return w.value[0];
  }
};

TEST(Optimizers, SgdPlain) {
  auto sgd = SGD(0.1f);
  EXPECT_EQ(sgd->name(), "sgd");
  OneWeight w;
  // w -= 0.1 * g
  EXPECT_NEAR(w.step(*sgd, 0.5f), 0.95f, 1e-7f);
  EXPECT_NEAR(w.step(*sgd, -1.0f), 1.05f, 1e-7f);
  EXPECT_NEAR(w.step(*sgd, 2.0f), 0.85f, 1e-7f);
  EXPECT_EQ(sgd->iterations(), 3);
  EXPECT_EQ(sgd->slots_per_weight(), 0);
}

TEST(Optimizers, SgdMomentum) {
  auto sgd = SGD(0.1f, 0.9f);
  OneWeight w;
  // v = 0.9 v - 0.1 g; w += v
  // v1 = -0.05 -> 0.95; v2 = -0.045 + 0.1 = 0.055 -> 1.005; v3 = 0.0495 - 0.2 = -0.1505 -> 0.8545
  EXPECT_NEAR(w.step(*sgd, 0.5f), 0.95f, 1e-6f);
  EXPECT_NEAR(w.step(*sgd, -1.0f), 1.005f, 1e-6f);
  EXPECT_NEAR(w.step(*sgd, 2.0f), 0.8545f, 1e-6f);
  ASSERT_EQ(sgd->slots().size(), 1u);
  EXPECT_NEAR((*sgd->slots()[0])[0], -0.1505f, 1e-6f);
}

TEST(Optimizers, SgdNesterov) {
  auto sgd = SGD(0.1f, 0.9f, true);
  OneWeight w;
  // v = 0.9 v - 0.1 g; w += 0.9 v - 0.1 g
  // v1 = -0.05:   w += -0.045 - 0.05 = -0.095     -> 0.905
  // v2 = 0.055:   w += 0.0495 + 0.1 = 0.1495      -> 1.0545
  // v3 = -0.1505: w += -0.13545 - 0.2 = -0.33545  -> 0.71905
  EXPECT_NEAR(w.step(*sgd, 0.5f), 0.905f, 1e-6f);
  EXPECT_NEAR(w.step(*sgd, -1.0f), 1.0545f, 1e-6f);
  EXPECT_NEAR(w.step(*sgd, 2.0f), 0.71905f, 1e-6f);
}

// Keras (TF >= 2.11) Adam, in double with the float32 hyper-parameters Keras would use.
struct AdamReference {
  double lr, b1, b2, eps, w, m = 0, v = 0;
  int t = 0;
  double step(double g) {
    ++t;
    const double alpha = lr * std::sqrt(1.0 - std::pow(b2, t)) / (1.0 - std::pow(b1, t));
    m += (g - m) * (1.0 - b1);
    v += (g * g - v) * (1.0 - b2);
    w -= alpha * m / (std::sqrt(v) + eps);
    return w;
  }
};

TEST(Optimizers, AdamMatchesKerasRule) {
  auto adam = Adam(0.1f, 0.9f, 0.999f, 1e-7f);
  EXPECT_EQ(adam->name(), "adam");
  OneWeight w;
  AdamReference ref{0.1, 0.9f, 0.999f, 1e-7f, 1.0};
  // Step 1 by hand: m = 0.05, v = 0.00025, alpha = 0.1 * sqrt(0.001) / 0.1;
  // w = 1 - alpha * 0.05 / (sqrt(0.00025) + 1e-7) = 0.90000063.
  EXPECT_NEAR(w.step(*adam, 0.5f), 0.90000063f, 1e-6f);
  EXPECT_NEAR(ref.step(0.5), 0.90000063, 1e-7);
  for (float g : {-1.0f, 2.0f}) {
    const double want = ref.step(g);
    EXPECT_NEAR(w.step(*adam, g), want, 2e-6) << "step " << ref.t;
  }
  EXPECT_EQ(adam->iterations(), 3);
  ASSERT_EQ(adam->slots().size(), 2u);  // m, v
  EXPECT_NEAR((*adam->slots()[0])[0], ref.m, 1e-6);
  EXPECT_NEAR((*adam->slots()[1])[0], ref.v, 1e-8);
}

TEST(Optimizers, AdamDefaultsAndEpsilon) {
  // Keras defaults: lr 1e-3, beta_1 0.9, beta_2 0.999, epsilon 1e-7. At step 1 the bias
  // corrections cancel and w moves by lr * a g / (a |g| + eps) with a = sqrt(1 - beta_2):
  // for a g = eps, exactly lr / 2. So epsilon matters for gradients near 3e-6.
  const float g = 1e-7f / std::sqrt(1.0f - 0.999f);  // 3.1623e-6
  OneWeight w1(0.0f);
  auto adam = Adam();
  EXPECT_FLOAT_EQ(adam->learning_rate(), 1e-3f);
  EXPECT_NEAR(w1.step(*adam, g), -0.0005, 1e-8);
  OneWeight w(0.0f);
  auto adam2 = Adam();
  AdamReference ref{1e-3f, 0.9f, 0.999f, 1e-7f, 0.0};
  for (float gi : {g, g, -3.0f * g, 1e-9f}) {
    const double want = ref.step(gi);
    EXPECT_NEAR(w.step(*adam2, gi), want, 1e-9) << "step " << ref.t;
  }
}

TEST(Optimizers, SeveralWeightsAndThreadChunks) {
  // Two weights (slots kept per weight, in order) and a large weight split across
  // threads: every element must follow the scalar rule with its own gradient.
  const int64_t big = 70000;
  Weight a, b;
  a.value = Tensor({1}, {1.0f});
  a.grad = Tensor({1}, {0.3f});
  b.value = Tensor({big});
  b.grad = Tensor({big});
  for (int64_t i = 0; i < big; ++i) {
    b.value[i] = static_cast<float>(i % 7) * 0.1f;
    b.grad[i] = static_cast<float>(i % 11) * 0.2f - 1.0f;
  }
  ThreadPool pool(2);
  auto adam = Adam(0.01f);
  std::vector<AdamReference> ref_b;
  for (int64_t i = 0; i < 11 * 7; ++i)
    ref_b.push_back({0.01f, 0.9f, 0.999f, 1e-7f, (i % 7) * 0.1f});
  AdamReference ref_a{0.01f, 0.9f, 0.999f, 1e-7f, 1.0};
  for (int s = 0; s < 2; ++s) {
    adam->apply({&a, &b}, &pool);
    ref_a.step(0.3f);
    for (int64_t i = 0; i < 77; ++i)
      ref_b[static_cast<size_t>(i)].step(static_cast<float>(i % 11) * 0.2f - 1.0f);
  }
  EXPECT_NEAR(a.value[0], ref_a.w, 1e-6);
  int bad = 0;
  for (int64_t i = 0; i < big; ++i)
    bad += std::fabs(b.value[i] - ref_b[static_cast<size_t>(i % 77)].w) > 1e-6;
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(adam->slots().size(), 4u);
}

TEST(Optimizers, BadConfigsThrow) {
  EXPECT_THROW(SGD(-0.1f), Error);
  EXPECT_THROW(SGD(0.0f), Error);
  EXPECT_THROW(SGD(std::numeric_limits<float>::quiet_NaN()), Error);
  EXPECT_THROW(SGD(std::numeric_limits<float>::infinity()), Error);
  EXPECT_THROW(SGD(0.01f, -0.1f), Error);
  EXPECT_THROW(SGD(0.01f, 1.5f), Error);
  EXPECT_THROW(Adam(-1e-3f), Error);
  EXPECT_THROW(Adam(1e-3f, 1.0f), Error);
  EXPECT_THROW(Adam(1e-3f, 0.9f, 1.0f), Error);
  EXPECT_THROW(Adam(1e-3f, 0.9f, 0.999f, 0.0f), Error);
  auto sgd = SGD();
  EXPECT_THROW(sgd->set_learning_rate(-1.0f), Error);
  sgd->set_learning_rate(0.5f);
  EXPECT_FLOAT_EQ(sgd->learning_rate(), 0.5f);
}

TEST(Optimizers, FromConfig) {
  auto adam = optimizer_from_config("adam");
  EXPECT_EQ(adam->name(), "adam");
  EXPECT_FLOAT_EQ(adam->learning_rate(), 1e-3f);
  auto sgd = optimizer_from_config(nlohmann::json{
      {"name", "sgd"}, {"learning_rate", 0.5}, {"momentum", 0.9}, {"nesterov", true}});
  EXPECT_EQ(sgd->name(), "sgd");
  EXPECT_FLOAT_EQ(sgd->learning_rate(), 0.5f);
  EXPECT_EQ(sgd->config()["nesterov"], true);
  EXPECT_EQ(optimizer_from_config(sgd->config())->config(), sgd->config());
  EXPECT_FLOAT_EQ(optimizer_from_config("sgd")->learning_rate(), 0.01f);
  try {
    optimizer_from_config("rmsprop");
    ADD_FAILURE() << "unknown optimizer accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rmsprop"), std::string::npos) << e.what();
  }
  EXPECT_THROW(optimizer_from_config(nlohmann::json{{"name", "adam"}, {"learning_rate", -1.0}}),
               Error);
  EXPECT_THROW(optimizer_from_config(nlohmann::json{{"name", "sgd"}, {"momentum", 2.0}}), Error);
  EXPECT_THROW(optimizer_from_config(nlohmann::json::object()), Error);
  EXPECT_THROW(optimizer_from_config(nlohmann::json::array()), Error);
}

}  // namespace
}  // namespace lq
