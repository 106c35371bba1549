// Finite-difference gradient checks for every layer type, every activation, every loss,
// and a whole functional Model.
//
// Method. For a layer we take fixed random inputs and weights, a fixed random tensor R
// shaped like the output, and the scalar objective L = sum(output * R) (accumulated in
// double). backward(grad_output = R) must then give dL/d(input) and dL/d(weight). Each
// of those is compared element by element with the central difference
//   (L(v + h) - L(v - h)) / ((v + h) - (v - h))
// where the denominator uses the float values actually stored; h = 1e-2 for layers,
// 1e-3 for losses (computed in double) and 3e-3 for the whole model (small enough for
// the ReLU margin below, large enough that float rounding in the forward stays small).
//
// Tolerance: |analytic - numeric| <= rtol * max(|analytic|, |numeric|) + atol with
// rtol = 1e-2 (relative) and a small absolute floor atol for entries that are ~0
// (1e-3 for layers, where gradients are O(1); 1e-4 for losses and the model, whose
// gradients are divided by the batch size).
//
// Non-smooth points are avoided by construction: ReLU/ReLU6 inputs keep a margin from
// 0 and 6 (directly, or by choosing a seed whose pre-activations keep it), max-pool
// inputs are distinct values at least 0.1 apart (no ties, no argmax switch within +-h),
// Dropout reseeds its Rng before every forward so the mask never changes, and
// BatchNormalization's moving statistics (updated by each training forward) are restored
// before every forward.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "litequant/core/error.h"
#include "litequant/core/rng.h"
#include "litequant/core/thread_pool.h"
#include "litequant/nn/layers.h"
#include "litequant/nn/losses.h"
#include "litequant/nn/model.h"

namespace lq {
namespace {

// ---------------------------------------------------------------------------------------
// Helpers

Tensor random_tensor(const Shape& shape, Rng& rng, float lo = -1.0f, float hi = 1.0f) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.uniform(lo, hi);
  return t;
}

// Random values with |v| in [0.1, 1.5]: at least 0.1 away from the ReLU kink.
Tensor away_from_zero(const Shape& shape, Rng& rng) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) {
    const float mag = rng.uniform(0.1f, 1.5f);
    t[i] = rng.uniform() < 0.5f ? -mag : mag;
  }
  return t;
}

// Random values in [-2, -0.1] U [0.1, 5.9] U [6.1, 8]: away from both ReLU6 kinks.
Tensor relu6_safe(const Shape& shape, Rng& rng) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) {
    const float u = rng.uniform();
    if (u < 0.3f)
      t[i] = rng.uniform(-2.0f, -0.1f);
    else if (u < 0.7f)
      t[i] = rng.uniform(0.1f, 5.9f);
    else
      t[i] = rng.uniform(6.1f, 8.0f);
  }
  return t;
}

// Distinct values spaced 0.1 apart in random order (plus tiny jitter): no max-pool ties,
// and a +-1e-2 step never changes which element is the maximum.
Tensor distinct_values(const Shape& shape, Rng& rng) {
  Tensor t(shape);
  std::vector<int64_t> order(static_cast<size_t>(t.size()));
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  rng.shuffle(order);
  const float mid = static_cast<float>(t.size()) / 2.0f;
  for (int64_t i = 0; i < t.size(); ++i)
    t[i] =
        (static_cast<float>(order[static_cast<size_t>(i)]) - mid) * 0.1f + rng.uniform(0.0f, 0.01f);
  return t;
}

// Random trainable and non-trainable weights (gammas and variances stay positive).
void randomize_weights(Layer& layer, Rng& rng) {
  for (Weight* w : layer.weights()) {
    if (w->name == "gamma")
      w->value = random_tensor(w->value.shape(), rng, 0.5f, 1.5f);
    else if (w->name == "moving_variance")
      w->value = random_tensor(w->value.shape(), rng, 0.5f, 2.0f);
    else
      w->value = random_tensor(w->value.shape(), rng);
  }
}

void copy_weights(Layer& from, Layer& to) {
  auto a = from.weights();
  auto b = to.weights();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) b[i]->value = a[i]->value;
}

std::vector<Shape> batchless(const std::vector<Tensor>& inputs) {
  std::vector<Shape> shapes;
  for (const Tensor& t : inputs) shapes.emplace_back(t.shape().begin() + 1, t.shape().end());
  return shapes;
}

struct Tolerance {
  double rtol = 1e-2;
  double atol = 1e-3;
};

// Compares an analytic gradient with numeric values element by element; reports at most
// a few mismatches per tensor.
void expect_close(const std::string& what, const Tensor& analytic,
                  const std::vector<double>& numeric, const Tolerance& tol) {
  ASSERT_EQ(analytic.size(), static_cast<int64_t>(numeric.size())) << what;
  int reported = 0;
  for (int64_t i = 0; i < analytic.size(); ++i) {
    const double a = analytic[i], n = numeric[static_cast<size_t>(i)];
    const double bound = tol.rtol * std::max(std::fabs(a), std::fabs(n)) + tol.atol;
    if (!(std::fabs(a - n) <= bound) && reported++ < 5)
      ADD_FAILURE() << what << "[" << i << "]: analytic " << a << " vs numeric " << n;
  }
}

// Central difference of `objective` with respect to every element of `t`.
std::vector<double> numeric_gradient(Tensor& t, float h, const std::function<double()>& objective) {
  std::vector<double> g(static_cast<size_t>(t.size()));
  for (int64_t i = 0; i < t.size(); ++i) {
    const float v = t[i];
    t[i] = v + h;
    const float up = t[i];
    const double lp = objective();
    t[i] = v - h;
    const float down = t[i];
    const double lm = objective();
    t[i] = v;
    g[static_cast<size_t>(i)] = (lp - lm) / (static_cast<double>(up) - static_cast<double>(down));
  }
  return g;
}

struct LayerCheck {
  bool training = false;
  float h = 1e-2f;
  Tolerance tol;
  uint64_t dropout_seed = 99;  // the Rng is reseeded with this before every forward
};

// Checks backward() of a built layer against finite differences of sum(output * R), for
// every input and every trainable weight.
void check_layer_gradients(Layer& layer, std::vector<Tensor> inputs, const LayerCheck& opt = {}) {
  ASSERT_TRUE(layer.built());
  // Non-trainable state (BatchNormalization moving statistics) is restored before every
  // forward, so each forward sees exactly the same layer.
  std::vector<std::pair<Weight*, Tensor>> frozen;
  for (Weight* w : layer.weights())
    if (!w->trainable) frozen.emplace_back(w, w->value);
  ThreadPool pool(2);
  auto run = [&](Tensor& out, ThreadPool* p) {
    for (auto& [w, v] : frozen) w->value = v;
    Rng rng(opt.dropout_seed);
    RunContext ctx{p, opt.training, &rng};
    std::vector<const Tensor*> ins;
    for (const Tensor& t : inputs) ins.push_back(&t);
    layer.forward(ins, out, ctx);
  };

  // Analytic gradients (with a thread pool, to exercise the parallel paths too).
  Tensor out;
  run(out, &pool);
  ASSERT_EQ(out.shape(), with_batch(inputs[0].dim(0), layer.output_shape()));
  Rng r_rng(4242);
  const Tensor R = random_tensor(out.shape(), r_rng);
  std::vector<Tensor> grad_in(inputs.size());
  std::vector<Tensor*> grad_ptrs;
  for (Tensor& g : grad_in) {
    g = Tensor({3});
    g.fill(1e30f);  // garbage of the wrong shape: the layer must resize and overwrite
    grad_ptrs.push_back(&g);
  }
  for (Weight* w : layer.weights())
    if (w->trainable) w->grad.fill(1e30f);  // must be overwritten, not accumulated
  {
    Rng rng(opt.dropout_seed);
    RunContext ctx{&pool, opt.training, &rng};
    std::vector<const Tensor*> ins;
    for (const Tensor& t : inputs) ins.push_back(&t);
    layer.backward(ins, out, R, grad_ptrs, ctx);
  }
  std::vector<std::pair<Weight*, Tensor>> weight_grads;
  for (Weight* w : layer.weights())
    if (w->trainable) weight_grads.emplace_back(w, w->grad);

  auto objective = [&]() {
    Tensor o;
    run(o, nullptr);
    double s = 0.0;
    for (int64_t i = 0; i < o.size(); ++i) s += static_cast<double>(o[i]) * R[i];
    return s;
  };
  for (size_t k = 0; k < inputs.size(); ++k) {
    const std::string what = layer.name() + " input " + std::to_string(k);
    ASSERT_EQ(grad_in[k].shape(), inputs[k].shape()) << what;
    expect_close(what, grad_in[k], numeric_gradient(inputs[k], opt.h, objective), opt.tol);
  }
  for (auto& [w, g] : weight_grads) {
    const std::string what = layer.name() + " weight " + w->name;
    expect_close(what, g, numeric_gradient(w->value, opt.h, objective), opt.tol);
  }
  for (auto& [w, v] : frozen) w->value = v;
}

// Builds `layer` for the inputs' shapes, gives it random weights, checks gradients.
void check(const std::shared_ptr<Layer>& layer, std::vector<Tensor> inputs, uint64_t seed = 1,
           const LayerCheck& opt = {}) {
  SCOPED_TRACE(layer->name());
  layer->build(batchless(inputs));
  Rng rng(seed);
  randomize_weights(*layer, rng);
  check_layer_gradients(*layer, std::move(inputs), opt);
}

// For layers with a fused ReLU/ReLU6: tries seeds until every pre-activation (computed by
// a linear twin with the same weights) keeps `margin` from the kinks, then checks.
void check_fused_kink(const std::function<std::shared_ptr<Layer>(Activation)>& make,
                      const std::vector<Shape>& input_shapes, Activation act,
                      float margin = 0.05f) {
  for (uint64_t seed = 1; seed < 500; ++seed) {
    Rng rng(seed);
    std::vector<Tensor> inputs;
    for (const Shape& s : input_shapes) inputs.push_back(random_tensor(s, rng, -2.0f, 2.0f));
    auto linear = make(Activation::kLinear);
    linear->build(batchless(inputs));
    randomize_weights(*linear, rng);
    if (act == Activation::kReLU6)  // make some pre-activations exceed 6
      for (Weight* w : linear->weights())
        for (int64_t i = 0; i < w->value.size(); ++i) w->value[i] *= 3.0f;
    Tensor pre;
    RunContext ctx;
    std::vector<const Tensor*> ins;
    for (const Tensor& t : inputs) ins.push_back(&t);
    linear->forward(ins, pre, ctx);
    bool ok = true, above6 = false;
    for (int64_t i = 0; i < pre.size(); ++i) {
      ok = ok && std::fabs(pre[i]) > margin;
      if (act == Activation::kReLU6) ok = ok && std::fabs(pre[i] - 6.0f) > margin;
      above6 = above6 || pre[i] > 6.0f;
    }
    if (!ok || (act == Activation::kReLU6 && !above6)) continue;
    auto layer = make(act);
    layer->build(batchless(inputs));
    copy_weights(*linear, *layer);
    SCOPED_TRACE(layer->name() + " seed " + std::to_string(seed));
    check_layer_gradients(*layer, std::move(inputs));
    return;
  }
  FAIL() << "no seed gave pre-activations away from the kinks";
}

Window2D win(std::array<int64_t, 2> k, std::array<int64_t, 2> s, Padding p,
             std::array<int64_t, 2> d = {1, 1}) {
  Window2D w;
  w.kernel = k;
  w.strides = s;
  w.dilation = d;
  w.padding = p;
  return w;
}

constexpr Padding kSame = Padding::kSame;
constexpr Padding kValid = Padding::kValid;

std::vector<Tensor> rand_inputs(const std::vector<Shape>& shapes, uint64_t seed) {
  Rng rng(seed);
  std::vector<Tensor> v;
  for (const Shape& s : shapes) v.push_back(random_tensor(s, rng));
  return v;
}

// ---------------------------------------------------------------------------------------
// The checker itself: it must catch a wrong input gradient and a weight gradient that is
// accumulated instead of overwritten.

// y = w * x (one scalar weight); `input_error` scales the input gradient, `accumulate`
// adds to the weight gradient instead of overwriting it.
class ScaleLayer final : public Layer {
 public:
  ScaleLayer(float input_error, bool accumulate)
      : Layer("scale"), input_error_(input_error), accumulate_(accumulate) {}
  std::string type() const override { return "Scale"; }
  void forward(const std::vector<const Tensor*>& in, Tensor& out, RunContext&) override {
    out = *in[0];
    for (int64_t i = 0; i < out.size(); ++i) out[i] *= w_->value[0];
  }
  void backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& g,
                const std::vector<Tensor*>& grad_in, RunContext&) override {
    double dw = 0.0;
    for (int64_t i = 0; i < g.size(); ++i) dw += static_cast<double>(g[i]) * (*in[0])[i];
    w_->grad[0] = static_cast<float>(dw) + (accumulate_ ? w_->grad[0] : 0.0f);
    if (!grad_in[0]) return;
    *grad_in[0] = g;
    for (int64_t i = 0; i < g.size(); ++i) (*grad_in[0])[i] *= w_->value[0] * input_error_;
  }

 protected:
  Shape do_build(const std::vector<Shape>& inputs) override {
    w_ = &add_weight("w", {1});
    return inputs[0];
  }

 private:
  float input_error_;
  bool accumulate_;
  Weight* w_ = nullptr;
};

// Failures reported while running fn, intercepted (they do not fail this test).
template <typename Fn>
std::vector<std::string> failures_of(Fn&& fn) {
  testing::TestPartResultArray results;
  {
    testing::ScopedFakeTestPartResultReporter reporter(
        testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    fn();
  }
  std::vector<std::string> messages;
  for (int i = 0; i < results.size(); ++i)
    messages.push_back(results.GetTestPartResult(i).message());
  return messages;
}

TEST(GradientCheck, CheckerCatchesWrongGradients) {
  check(std::make_shared<ScaleLayer>(1.0f, false), rand_inputs({{2, 3}}, 1));
  auto wrong_input = failures_of([] {
    check(std::make_shared<ScaleLayer>(1.05f, false), rand_inputs({{2, 3}}, 1));
  });
  ASSERT_FALSE(wrong_input.empty());
  EXPECT_NE(wrong_input[0].find("scale input 0"), std::string::npos) << wrong_input[0];
  auto accumulated = failures_of([] {
    check(std::make_shared<ScaleLayer>(1.0f, true), rand_inputs({{2, 3}}, 1));
  });
  ASSERT_EQ(accumulated.size(), 1u);
  EXPECT_NE(accumulated[0].find("scale weight w"), std::string::npos) << accumulated[0];
}

// ---------------------------------------------------------------------------------------
// Dense

TEST(GradientCheck, DenseRank3Input) {
  check(std::make_shared<DenseLayer>(5, Activation::kLinear, true, "dense_rank3"),
        rand_inputs({{2, 3, 4}}, 11));
}

TEST(GradientCheck, DenseNoBias) {
  check(std::make_shared<DenseLayer>(3, Activation::kLinear, false, "dense_nobias"),
        rand_inputs({{4, 6}}, 12));
}

TEST(GradientCheck, DenseSmoothFusedActivations) {
  for (Activation a : {Activation::kSigmoid, Activation::kTanh, Activation::kSoftmax}) {
    check(std::make_shared<DenseLayer>(4, a, true, "dense_" + activation_name(a)),
          rand_inputs({{2, 3, 5}}, 13));
  }
}

TEST(GradientCheck, DenseFusedReluAndRelu6) {
  for (Activation a : {Activation::kReLU, Activation::kReLU6}) {
    check_fused_kink(
        [&](Activation act) {
          return std::make_shared<DenseLayer>(5, act, true, "dense_" + activation_name(act));
        },
        {{2, 3, 4}}, a);
  }
}

// ---------------------------------------------------------------------------------------
// Conv2D

std::shared_ptr<Layer> conv(const std::string& name, int64_t filters, Window2D w, bool bias = true,
                            Activation a = Activation::kLinear) {
  return std::make_shared<Conv2DLayer>(filters, w, a, bias, name);
}

TEST(GradientCheck, Conv2DStride2Valid) {
  check(conv("conv_s2_valid", 4, win({3, 3}, {2, 2}, kValid)), rand_inputs({{2, 5, 5, 3}}, 21));
}

TEST(GradientCheck, Conv2DStride2SameAsymmetricPad) {
  // 6 -> 3 with a 3x3 window: pad_total 1, all of it after.
  check(conv("conv_s2_same_even", 3, win({3, 3}, {2, 2}, kSame)), rand_inputs({{2, 6, 6, 2}}, 22));
  // 5 -> 3: pad 1 before and 1 after.
  check(conv("conv_s2_same_odd", 2, win({3, 3}, {2, 2}, kSame)), rand_inputs({{1, 5, 5, 2}}, 23));
}

TEST(GradientCheck, Conv2DSameEvenKernel) {
  check(conv("conv_2x2_same", 3, win({2, 2}, {1, 1}, kSame)), rand_inputs({{2, 4, 3, 2}}, 24));
}

TEST(GradientCheck, Conv2DDilation2) {
  check(conv("conv_d2_same", 3, win({3, 3}, {1, 1}, kSame, {2, 2})),
        rand_inputs({{2, 6, 7, 2}}, 25));
  check(conv("conv_d2_valid_nobias", 2, win({2, 2}, {1, 1}, kValid, {2, 2}), false),
        rand_inputs({{1, 5, 6, 3}}, 26));
}

TEST(GradientCheck, Conv2DNoBiasMultiChannel) {
  check(conv("conv_nobias", 4, win({3, 3}, {1, 1}, kSame), false), rand_inputs({{2, 4, 4, 3}}, 27));
}

TEST(GradientCheck, Conv2DPointwise) {
  // 1x1 stride 1 skips im2col; 1x1 stride 2 goes through it.
  check(conv("conv_1x1", 4, win({1, 1}, {1, 1}, kValid)), rand_inputs({{2, 3, 3, 3}}, 28));
  check(conv("conv_1x1_s2_same", 2, win({1, 1}, {2, 2}, kSame)), rand_inputs({{1, 5, 4, 2}}, 29));
}

TEST(GradientCheck, Conv2DNonSquare) {
  check(conv("conv_2x3", 3, win({2, 3}, {1, 2}, kSame)), rand_inputs({{2, 5, 6, 2}}, 30));
}

TEST(GradientCheck, Conv2DFusedActivations) {
  check(conv("conv_tanh", 3, win({3, 3}, {1, 1}, kSame), true, Activation::kTanh),
        rand_inputs({{2, 4, 4, 2}}, 31));
  check(conv("conv_softmax", 3, win({2, 2}, {1, 1}, kValid), true, Activation::kSoftmax),
        rand_inputs({{1, 3, 3, 2}}, 32));
  check_fused_kink(
      [](Activation a) {
        return conv("conv_relu", 3, win({3, 3}, {2, 2}, kSame), true, a);
      },
      {{2, 4, 4, 2}}, Activation::kReLU);
}

// The im2col scratch is split into chunks of images once it exceeds its budget; the
// kernel gradient must then accumulate over chunks. With 64x64x64 images a 3x3 window
// makes one image per chunk, so a batch of 2 runs two chunks: its gradients must equal
// the sums of the per-image gradients.
TEST(GradientCheck, Conv2DChunkedBatchAccumulates) {
  Rng rng(33);
  auto layer = conv("conv_chunked", 2, win({3, 3}, {1, 1}, kSame));
  layer->build({{64, 64, 64}});
  randomize_weights(*layer, rng);
  const int64_t image = 64 * 64 * 64, out_image = 64 * 64 * 2;
  Tensor x = random_tensor({2, 64, 64, 64}, rng);
  Tensor g = random_tensor({2, 64, 64, 2}, rng);
  RunContext ctx;
  struct Grads {
    Tensor out, dx, dk, db;
  };
  auto run = [&](const Tensor& in, const Tensor& grad_out) {
    Grads r;
    layer->forward({&in}, r.out, ctx);
    layer->backward({&in}, r.out, grad_out, {&r.dx}, ctx);
    r.dk = layer->weights()[0]->grad;
    r.db = layer->weights()[1]->grad;
    return r;
  };
  const Grads batch = run(x, g);
  Tensor sum_k(batch.dk.shape()), sum_b(batch.db.shape());
  auto near = [](float a, float b) { return std::fabs(a - b) <= 1e-4f * (1.0f + std::fabs(b)); };
  for (int64_t img = 0; img < 2; ++img) {
    Tensor xi({1, 64, 64, 64}), gi({1, 64, 64, 2});
    std::copy(x.data() + img * image, x.data() + (img + 1) * image, xi.data());
    std::copy(g.data() + img * out_image, g.data() + (img + 1) * out_image, gi.data());
    const Grads one = run(xi, gi);
    int bad = 0;
    for (int64_t i = 0; i < out_image; ++i)
      bad += !near(batch.out[img * out_image + i], one.out[i]);
    for (int64_t i = 0; i < image; ++i) bad += !near(batch.dx[img * image + i], one.dx[i]);
    EXPECT_EQ(bad, 0) << "image " << img;
    for (int64_t i = 0; i < sum_k.size(); ++i) sum_k[i] += one.dk[i];
    for (int64_t i = 0; i < sum_b.size(); ++i) sum_b[i] += one.db[i];
  }
  for (int64_t i = 0; i < sum_k.size(); ++i)
    EXPECT_NEAR(batch.dk[i], sum_k[i], 1e-3f * (1.0f + std::fabs(sum_k[i]))) << "kernel grad " << i;
  for (int64_t i = 0; i < sum_b.size(); ++i)
    EXPECT_NEAR(batch.db[i], sum_b[i], 1e-3f * (1.0f + std::fabs(sum_b[i]))) << "bias grad " << i;
}

// ---------------------------------------------------------------------------------------
// DepthwiseConv2D

std::shared_ptr<Layer> dwconv(const std::string& name, Window2D w, int64_t m, bool bias = true,
                              Activation a = Activation::kLinear) {
  return std::make_shared<DepthwiseConv2DLayer>(w, m, a, bias, name);
}

TEST(GradientCheck, DepthwiseMultiplier2SameStride2) {
  check(dwconv("dw_m2_s2_same", win({3, 3}, {2, 2}, kSame), 2), rand_inputs({{2, 5, 6, 3}}, 41));
}

TEST(GradientCheck, DepthwiseDilatedValidNoBias) {
  check(dwconv("dw_d2_valid", win({3, 3}, {1, 1}, kValid, {2, 2}), 1, false),
        rand_inputs({{1, 6, 6, 2}}, 42));
}

TEST(GradientCheck, DepthwiseNonSquareMultiplier3Sigmoid) {
  check(dwconv("dw_2x3_m3", win({2, 3}, {1, 1}, kSame), 3, true, Activation::kSigmoid),
        rand_inputs({{2, 4, 5, 2}}, 43));
}

TEST(GradientCheck, DepthwiseFusedRelu6) {
  check_fused_kink(
      [](Activation a) {
        return dwconv("dw_relu6", win({2, 2}, {1, 1}, kValid), 2, true, a);
      },
      {{1, 3, 3, 2}}, Activation::kReLU6);
}

// ---------------------------------------------------------------------------------------
// Pooling

std::shared_ptr<Layer> pool(const std::string& name, bool is_max, Window2D w) {
  return std::make_shared<Pooling2DLayer>(is_max, w, name);
}

std::vector<Tensor> pool_input(const Shape& s, uint64_t seed) {
  Rng rng(seed);
  return {distinct_values(s, rng)};
}

TEST(GradientCheck, MaxPoolingSamePaddingStridesNotPoolSize) {
  check(pool("max_3x3_s2_same", true, win({3, 3}, {2, 2}, kSame)), pool_input({2, 6, 6, 2}, 51));
  check(pool("max_3x3_s2_same_odd", true, win({3, 3}, {2, 2}, kSame)),
        pool_input({1, 5, 5, 3}, 52));
  check(pool("max_2x2_s3_same", true, win({2, 2}, {3, 3}, kSame)), pool_input({1, 7, 7, 2}, 53));
  check(pool("max_2x3_s1x2_same", true, win({2, 3}, {1, 2}, kSame)), pool_input({2, 4, 5, 2}, 54));
}

TEST(GradientCheck, MaxPoolingValid) {
  check(pool("max_2x2_s1_valid", true, win({2, 2}, {1, 1}, kValid)), pool_input({2, 4, 4, 2}, 55));
  check(pool("max_2x2_valid", true, win({2, 2}, {2, 2}, kValid)), pool_input({1, 5, 5, 1}, 56));
}

TEST(GradientCheck, AveragePoolingSamePaddingStridesNotPoolSize) {
  check(pool("avg_3x3_s2_same", false, win({3, 3}, {2, 2}, kSame)),
        rand_inputs({{2, 6, 6, 2}}, 57));
  check(pool("avg_3x3_s2_same_odd", false, win({3, 3}, {2, 2}, kSame)),
        rand_inputs({{1, 5, 5, 3}}, 58));
  check(pool("avg_2x2_s3_same", false, win({2, 2}, {3, 3}, kSame)),
        rand_inputs({{1, 7, 7, 2}}, 59));
  check(pool("avg_2x3_s1x2_same", false, win({2, 3}, {1, 2}, kSame)),
        rand_inputs({{2, 4, 5, 2}}, 60));
  check(pool("avg_2x2_s1_valid", false, win({2, 2}, {1, 1}, kValid)),
        rand_inputs({{2, 4, 4, 2}}, 61));
}

TEST(GradientCheck, GlobalAveragePooling2D) {
  check(std::make_shared<GlobalAveragePooling2DLayer>("gap"), rand_inputs({{2, 3, 4, 5}}, 62));
}

// ---------------------------------------------------------------------------------------
// BatchNormalization

TEST(GradientCheck, BatchNormalizationTrainingUsesBatchStatistics) {
  LayerCheck opt;
  opt.training = true;
  auto bn = std::make_shared<BatchNormalizationLayer>(0.99f, 1e-3f, "bn_train_4d");
  // Inputs with a non-zero mean and non-unit spread per channel.
  Rng rng(71);
  Tensor x = random_tensor({4, 2, 2, 3}, rng, -1.0f, 3.0f);
  check(bn, {x}, 72, opt);
  // Every training forward moves the moving statistics; the check restored them.
  const Tensor mean_before = bn->moving_mean().value;
  Tensor out;
  Rng drop(0);
  RunContext ctx{nullptr, true, &drop};
  bn->forward({&x}, out, ctx);
  bool moved = false;
  for (int64_t i = 0; i < mean_before.size(); ++i)
    moved |= bn->moving_mean().value[i] != mean_before[i];
  EXPECT_TRUE(moved);

  check(std::make_shared<BatchNormalizationLayer>(0.9f, 1e-3f, "bn_train_2d"),
        rand_inputs({{6, 3}}, 73), 74, opt);
}

TEST(GradientCheck, BatchNormalizationInference) {
  check(std::make_shared<BatchNormalizationLayer>(0.99f, 1e-3f, "bn_infer"),
        rand_inputs({{3, 2, 4}}, 75), 76);
}

// ---------------------------------------------------------------------------------------
// Shape layers, Dropout, merges

TEST(GradientCheck, FlattenAndReshape) {
  check(std::make_shared<FlattenLayer>("flatten"), rand_inputs({{2, 3, 2, 2}}, 81));
  check(std::make_shared<ReshapeLayer>(Shape{3, -1}, "reshape"), rand_inputs({{2, 2, 3, 2}}, 82));
}

TEST(GradientCheck, DropoutTrainingWithFixedMask) {
  LayerCheck opt;
  opt.training = true;
  auto drop = std::make_shared<DropoutLayer>(0.4f, "dropout_train");
  Rng rng(83);
  Tensor x = random_tensor({3, 4, 5}, rng);
  check(drop, {x}, 1, opt);
  // The mask is non-trivial: some values dropped, the others scaled by 1 / (1 - rate).
  Tensor out;
  Rng mask_rng(opt.dropout_seed);
  RunContext ctx{nullptr, true, &mask_rng};
  drop->forward({&x}, out, ctx);
  int zeros = 0;
  for (int64_t i = 0; i < x.size(); ++i) {
    if (out[i] == 0.0f)
      ++zeros;
    else
      EXPECT_FLOAT_EQ(out[i], x[i] / 0.6f);
  }
  EXPECT_GT(zeros, 0);
  EXPECT_LT(zeros, x.size());
}

TEST(GradientCheck, DropoutInferenceIsIdentity) {
  check(std::make_shared<DropoutLayer>(0.5f, "dropout_infer"), rand_inputs({{2, 5}}, 84));
}

TEST(GradientCheck, AddThreeInputs) {
  check(std::make_shared<AddLayer>("add3"), rand_inputs({{2, 3, 4}, {2, 3, 4}, {2, 3, 4}}, 85));
}

TEST(GradientCheck, ConcatenateAxes) {
  check(std::make_shared<ConcatenateLayer>(0, "concat_axis0"),
        rand_inputs({{2, 2, 3, 4}, {2, 1, 3, 4}}, 86));
  check(std::make_shared<ConcatenateLayer>(1, "concat_axis1"),
        rand_inputs({{2, 2, 3, 4}, {2, 2, 2, 4}}, 87));
  check(std::make_shared<ConcatenateLayer>(-1, "concat_axis_last"),
        rand_inputs({{2, 2, 3, 4}, {2, 2, 3, 1}, {2, 2, 3, 2}}, 88));
}

TEST(GradientCheck, MergeLayersSkipInputsWithoutGradient) {
  // grad_inputs[i] == nullptr: the layer must leave that input alone.
  for (auto layer : {std::shared_ptr<Layer>(std::make_shared<AddLayer>("add_null")),
                     std::shared_ptr<Layer>(std::make_shared<ConcatenateLayer>(-1, "cat_null"))}) {
    auto in = rand_inputs({{2, 3}, {2, 3}}, 89);
    layer->build(batchless(in));
    RunContext ctx;
    Tensor out, g1;
    layer->forward({&in[0], &in[1]}, out, ctx);
    Tensor go(out.shape());
    go.fill(1.0f);
    layer->backward({&in[0], &in[1]}, out, go, {nullptr, &g1}, ctx);
    EXPECT_EQ(g1.shape(), in[1].shape());
  }
}

// ---------------------------------------------------------------------------------------
// Activations (the Activation / ReLU / Softmax layer)

std::shared_ptr<Layer> act_layer(Activation a) {
  return std::make_shared<ActivationLayer>("Activation", a, "act_" + activation_name(a));
}

TEST(GradientCheck, ActivationLinear) {
  check(act_layer(Activation::kLinear), rand_inputs({{2, 3, 4}}, 91));
}

TEST(GradientCheck, ActivationRelu) {
  Rng rng(92);
  check(act_layer(Activation::kReLU), {away_from_zero({2, 3, 4}, rng)});
}

TEST(GradientCheck, ActivationRelu6) {
  Rng rng(93);
  check(act_layer(Activation::kReLU6), {relu6_safe({3, 4, 5}, rng)});
}

TEST(GradientCheck, ActivationSigmoidTanh) {
  Rng rng(94);
  check(act_layer(Activation::kSigmoid), {random_tensor({2, 3, 4}, rng, -4.0f, 4.0f)});
  check(act_layer(Activation::kTanh), {random_tensor({2, 3, 4}, rng, -2.5f, 2.5f)});
}

TEST(GradientCheck, ActivationSoftmaxLastAxis) {
  Rng rng(95);
  check(act_layer(Activation::kSoftmax), {random_tensor({2, 3, 5}, rng, -3.0f, 3.0f)});
  // Large logits: softmax must stay finite and its gradient correct.
  Tensor big = random_tensor({2, 4}, rng, 500.0f, 502.0f);
  check(std::make_shared<ActivationLayer>("Softmax", Activation::kSoftmax, "softmax_big"), {big});
}

// ---------------------------------------------------------------------------------------
// Losses: d(loss)/d(pred) against finite differences of Loss::compute.

void check_loss(const Loss& loss, Tensor pred, const Tensor& target, const std::string& what) {
  SCOPED_TRACE(what);
  Tensor grad;
  const double value = loss.compute(pred, target, &grad);
  ASSERT_TRUE(std::isfinite(value));
  ASSERT_EQ(grad.shape(), pred.shape());
  Tolerance tol;
  tol.atol = 1e-4;
  expect_close(what, grad,
               numeric_gradient(pred, 1e-3f, [&] { return loss.compute(pred, target, nullptr); }),
               tol);
}

Tensor labels(const std::vector<float>& v) { return Tensor({static_cast<int64_t>(v.size())}, v); }

TEST(GradientCheck, SparseCategoricalCrossentropy) {
  Rng rng(101);
  check_loss(*SparseCategoricalCrossentropy(true), random_tensor({4, 5}, rng, -2.0f, 2.0f),
             labels({0, 3, 4, 1}), "sparse_ce_logits");
  // Probabilities (not normalised: Keras divides by the row sum first).
  check_loss(*SparseCategoricalCrossentropy(false), random_tensor({4, 5}, rng, 0.05f, 1.0f),
             labels({2, 0, 4, 4}), "sparse_ce_probs");
  // Targets shaped [N, 1].
  check_loss(*SparseCategoricalCrossentropy(true), random_tensor({3, 4}, rng, -2.0f, 2.0f),
             Tensor({3, 1}, {1, 0, 3}), "sparse_ce_logits_n1");
}

TEST(GradientCheck, CategoricalCrossentropy) {
  Rng rng(102);
  Tensor one_hot({3, 4}, {0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1});
  Tensor soft({3, 4}, {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.5f, 0, 0, 0.25f, 0.25f, 0.25f, 0.25f});
  for (const Tensor* t : {&one_hot, &soft}) {
    check_loss(*CategoricalCrossentropy(true), random_tensor({3, 4}, rng, -2.0f, 2.0f), *t,
               "ce_logits");
    check_loss(*CategoricalCrossentropy(false), random_tensor({3, 4}, rng, 0.05f, 1.0f), *t,
               "ce_probs");
  }
}

TEST(GradientCheck, MeanSquaredError) {
  Rng rng(103);
  check_loss(*MeanSquaredError(), random_tensor({3, 4}, rng), random_tensor({3, 4}, rng), "mse");
  check_loss(*MeanSquaredError(), random_tensor({5, 1}, rng), random_tensor({5, 1}, rng), "mse_1");
}

// A loss after a layer: Dense(softmax) + CE on probabilities, checked end to end through
// Layer::backward with the loss gradient as grad_output.
TEST(GradientCheck, SoftmaxDenseWithProbabilityCrossentropy) {
  Rng rng(104);
  DenseLayer dense(4, Activation::kSoftmax, true, "dense_softmax_ce");
  dense.build({{3}});
  randomize_weights(dense, rng);
  Tensor x = random_tensor({5, 3}, rng);
  Tensor y = labels({0, 1, 2, 3, 1});
  auto loss = SparseCategoricalCrossentropy(false);
  RunContext ctx;
  auto objective = [&] {
    Tensor out;
    dense.forward({&x}, out, ctx);
    return loss->compute(out, y, nullptr);
  };
  Tensor out, g, dx;
  dense.forward({&x}, out, ctx);
  loss->compute(out, y, &g);
  dense.backward({&x}, out, g, {&dx}, ctx);
  const Tensor dk = dense.kernel().grad;
  Tolerance tol;
  tol.atol = 1e-4;
  expect_close("dx", dx, numeric_gradient(x, 1e-3f, objective), tol);
  expect_close("kernel", dk, numeric_gradient(dense.kernel().value, 1e-3f, objective), tol);
}

// ---------------------------------------------------------------------------------------
// Whole model: Model::forward(training) + Model::backward against finite differences of
// Loss::compute, for every trainable weight.

void check_model_gradients(Model& model, const Tensor& x, const Tensor& y, const Loss& loss,
                           float h = 3e-3f) {
  Tensor grad;
  loss.compute(model.forward(x, true), y, &grad);
  for (Weight* w : model.trainable_weights()) w->grad.fill(1e30f);
  model.backward(grad);
  std::vector<Tensor> analytic;
  for (Weight* w : model.trainable_weights()) analytic.push_back(w->grad);
  auto objective = [&] { return loss.compute(model.forward(x, true), y, nullptr); };
  Tolerance tol;
  tol.atol = 1e-4;
  size_t i = 0;
  for (Weight* w : model.trainable_weights()) {
    expect_close("weight " + std::to_string(i) + " (" + w->name + ")", analytic[i],
                 numeric_gradient(w->value, h, objective), tol);
    ++i;
  }
}

TEST(ModelGradient, FunctionalGraphWithBranchesAndSharedSources) {
  using namespace lq::layers;
  for (uint64_t seed = 1; seed < 200; ++seed) {
    auto in = Input({4, 4, 2}, "image");
    auto c = Conv2D(3, {3, 3}, {.padding = "same", .name = "conv"})(in);
    auto b = BatchNormalization({.name = "bn"})(c);
    auto r = ReLU("relu")(b);
    auto d = DepthwiseConv2D({3, 3}, {.padding = "same", .name = "dw"})(r);
    auto a = Add("add")({r, d});
    auto twice = Add("add_twice")({a, a});  // the same source feeds both inputs
    auto cat = Concatenate(-1, "cat")({twice, r});
    auto g = GlobalAveragePooling2D("gap")(cat);
    auto out = Dense(3, "", {.name = "logits"})(g);
    Model model({in}, {out}, "gradcheck");
    model.set_num_threads(2);

    Rng rng(seed);
    for (Layer* l : model.layers()) randomize_weights(*l, rng);
    Tensor x = random_tensor({2, 4, 4, 2}, rng);
    Tensor y = labels({2, 0});

    // Keep the ReLU inputs (the BatchNormalization outputs) away from 0.
    Tensor conv_out, bn_out;
    RunContext ctx{nullptr, true, &rng};
    model.get_layer("conv")->forward({&x}, conv_out, ctx);
    model.get_layer("bn")->forward({&conv_out}, bn_out, ctx);
    bool ok = true;
    for (int64_t i = 0; i < bn_out.size(); ++i) ok = ok && std::fabs(bn_out[i]) > 0.03f;
    if (!ok) continue;
    SCOPED_TRACE("seed " + std::to_string(seed));
    EXPECT_EQ(model.trainable_weights().size(), 8u);  // conv k,b; bn gamma,beta; dw k,b; dense k,b
    check_model_gradients(model, x, y, *SparseCategoricalCrossentropy(true));
    return;
  }
  FAIL() << "no seed kept the ReLU inputs away from 0";
}

TEST(ModelGradient, SameSourceTwiceAccumulates) {
  using namespace lq::layers;
  auto in = Input({3}, "x");
  auto d = Dense(2, "", {.name = "d"})(in);
  auto sum = Add("double")({d, d});
  auto cat = Concatenate(-1, "cat")({sum, d, d});
  auto out = Dense(2, "", {.name = "head"})(cat);
  Model model({in}, {out}, "twice");
  Rng rng(5);
  for (Layer* l : model.layers()) randomize_weights(*l, rng);
  Tensor x = random_tensor({4, 3}, rng);
  Tensor y = random_tensor({4, 2}, rng);
  check_model_gradients(model, x, y, *MeanSquaredError());

  // Directly: Add()({x, x}) on a Dense output doubles the Dense gradient.
  auto in2 = Input({3}, "x2");
  auto d2 = Dense(2, "", {.name = "d2"})(in2);
  auto out2 = Add("add2")({d2, d2});
  Model m2({in2}, {out2}, "add_twice");
  auto* dense = static_cast<DenseLayer*>(m2.get_layer("d2"));
  Rng rng2(6);
  randomize_weights(*dense, rng2);
  Tensor g({4, 2});
  g.fill(1.0f);
  m2.forward(x, true);
  m2.backward(g);
  // d(sum(2 * (x W + b)))/db = 2 * batch; /dW[i][j] = 2 * sum_n x[n][i].
  for (int j = 0; j < 2; ++j) EXPECT_FLOAT_EQ(dense->bias()->grad[j], 8.0f);
  for (int i = 0; i < 3; ++i) {
    float s = 0.0f;
    for (int n = 0; n < 4; ++n) s += x[n * 3 + i];
    for (int j = 0; j < 2; ++j) EXPECT_NEAR(dense->kernel().grad[i * 2 + j], 2.0f * s, 1e-5f);
  }
}

}  // namespace
}  // namespace lq
