// Exact forward values of the layers on small cases computed by hand (the expected
// numbers are written out below, never produced by the code under test), and the shape
// errors the layers report.
#include "litequant/nn/layers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "litequant/core/error.h"
#include "litequant/nn/model.h"

namespace lq {
namespace {

// Builds `layer` for the inputs (batch dimension stripped) unless already built, runs one
// forward pass and returns the output.
Tensor run(Layer& layer, const std::vector<Tensor>& inputs, bool training = false) {
  if (!layer.built()) {
    std::vector<Shape> shapes;
    for (const Tensor& t : inputs) shapes.emplace_back(t.shape().begin() + 1, t.shape().end());
    layer.build(shapes);
  }
  std::vector<const Tensor*> ins;
  for (const Tensor& t : inputs) ins.push_back(&t);
  Rng rng(0);
  RunContext ctx{nullptr, training, &rng};
  Tensor out;
  layer.forward(ins, out, ctx);
  return out;
}

void expect_values(const Tensor& t, const Shape& shape, const std::vector<float>& want,
                   float tol = 1e-5f) {
  ASSERT_EQ(t.shape(), shape);
  ASSERT_EQ(t.size(), static_cast<int64_t>(want.size()));
  for (int64_t i = 0; i < t.size(); ++i)
    EXPECT_NEAR(t[i], want[static_cast<size_t>(i)], tol) << "at flat index " << i;
}

void set(Weight& w, const std::vector<float>& values) { w.value = Tensor(w.value.shape(), values); }

Window2D win(std::array<int64_t, 2> k, std::array<int64_t, 2> s, Padding p) {
  Window2D w;
  w.kernel = k;
  w.strides = s;
  w.padding = p;
  return w;
}

// The image 1..9 as [1, 3, 3, 1].
Tensor one_to_nine(float sign = 1.0f) {
  Tensor t({1, 3, 3, 1});
  for (int i = 0; i < 9; ++i) t[i] = sign * static_cast<float>(i + 1);
  return t;
}

// ---------------------------------------------------------------------------------------
// Dense

TEST(LayerValues, Dense2x3) {
  DenseLayer dense(2, Activation::kLinear, true, "dense");
  dense.build({{3}});
  // kernel [in = 3, units = 2]
  set(dense.kernel(), {1, -1,  //
                       0, 2,   //
                       0.5f, 1});
  set(*dense.bias(), {0.5f, -1});
  Tensor x({2, 3}, {1, 2, 3, 4, 5, 6});
  // row 0: 1 + 0 + 1.5 + 0.5 = 3;   -1 + 4 + 3 - 1 = 5
  // row 1: 4 + 0 + 3 + 0.5 = 7.5;   -4 + 10 + 6 - 1 = 11
  expect_values(run(dense, {x}), {2, 2}, {3, 5, 7.5f, 11});
}

TEST(LayerValues, DenseFusedReluAndRank3) {
  DenseLayer dense(2, Activation::kReLU, false, "dense_relu");
  dense.build({{2, 2}});
  set(dense.kernel(), {1, -1, 1, -2});  // [[1, -1], [1, -2]]
  Tensor x({1, 2, 2}, {1, 2, -3, 1});
  // (1, 2): 1 + 2 = 3, -1 - 4 = -5 -> relu 0; (-3, 1): -2 -> 0, 3 - 2 = 1
  expect_values(run(dense, {x}), {1, 2, 2}, {3, 0, 0, 1});
}

// ---------------------------------------------------------------------------------------
// Conv2D: image 1..9, kernel [[1, 2], [3, 4]].

std::unique_ptr<Conv2DLayer> conv_2x2(Window2D w) {
  auto c = std::make_unique<Conv2DLayer>(1, w, Activation::kLinear, false, "conv");
  c->build({{3, 3, 1}});
  set(c->kernel(), {1, 2, 3, 4});
  return c;
}

TEST(LayerValues, Conv2DValid) {
  auto c = conv_2x2(win({2, 2}, {1, 1}, Padding::kValid));
  // 1+4+12+20, 2+6+15+24, 4+10+21+32, 5+12+24+36
  expect_values(run(*c, {one_to_nine()}), {1, 2, 2, 1}, {37, 47, 67, 77});
}

TEST(LayerValues, Conv2DSamePadsAfter) {
  // 3 -> 3 with a 2x2 window: one row/column of padding, after the image (TensorFlow).
  // With the padding before, out[0][0] would be 1 * 4 = 4.
  auto c = conv_2x2(win({2, 2}, {1, 1}, Padding::kSame));
  expect_values(run(*c, {one_to_nine()}), {1, 3, 3, 1},
                {37, 47, 3 + 18,       //
                 67, 77, 6 + 27,       //
                 7 + 16, 8 + 18, 9});  //
}

TEST(LayerValues, Conv2DStride2) {
  auto valid = conv_2x2(win({2, 2}, {2, 2}, Padding::kValid));
  expect_values(run(*valid, {one_to_nine()}), {1, 1, 1, 1}, {37});
  // same: out = ceil(3 / 2) = 2, pad_total = (2 - 1) * 2 + 2 - 3 = 1, after.
  auto same = conv_2x2(win({2, 2}, {2, 2}, Padding::kSame));
  expect_values(run(*same, {one_to_nine()}), {1, 2, 2, 1}, {37, 21, 23, 9});
}

TEST(LayerValues, Conv2DSame3x3PadsBothSides) {
  // 3x3 window, stride 1 on 3x3: one pixel of padding on each side. All-ones kernel:
  // each output is the sum of its in-image 3x3 neighbourhood.
  Conv2DLayer c(1, win({3, 3}, {1, 1}, Padding::kSame), Activation::kLinear, true, "conv3");
  c.build({{3, 3, 1}});
  c.kernel().value.fill(1.0f);
  set(*c.bias(), {0.5f});
  expect_values(run(c, {one_to_nine()}), {1, 3, 3, 1},
                {12.5f, 21.5f, 16.5f,  //
                 27.5f, 45.5f, 33.5f,  //
                 24.5f, 39.5f, 28.5f});
}

TEST(LayerValues, Conv2DDilatedSame) {
  // Image x(r, c) = 4r + c + 1 on 4x4. A 2x2 window with dilation 2 spans 3: "same" pads
  // one row/column on each side. Filter 0 reads only tap (0,0): x(i - 1, j - 1); filter 1
  // only tap (1,1): x(i + 1, j + 1).
  Tensor x({1, 4, 4, 1});
  for (int i = 0; i < 16; ++i) x[i] = static_cast<float>(i + 1);
  Window2D w = win({2, 2}, {1, 1}, Padding::kSame);
  w.dilation = {2, 2};
  Conv2DLayer c(2, w, Activation::kLinear, false, "conv_dilated");
  c.build({{4, 4, 1}});
  set(c.kernel(), {1, 0, 0, 0, 0, 0, 0, 1});  // [2, 2, 1, 2]
  const std::vector<float> f0 = {0, 0, 0, 0, 0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11};
  const std::vector<float> f1 = {6, 7, 8, 0, 10, 11, 12, 0, 14, 15, 16, 0, 0, 0, 0, 0};
  std::vector<float> want;
  for (size_t i = 0; i < 16; ++i) {
    want.push_back(f0[i]);
    want.push_back(f1[i]);
  }
  expect_values(run(c, {x}), {1, 4, 4, 2}, want);
}

TEST(LayerValues, Conv2DChannelsAndFilters) {
  // Pixels (0,0)=[1,2] (0,1)=[3,4] (1,0)=[5,6] (1,1)=[7,8]; kernel HWIO [2,2,2,2].
  Tensor x({1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  Conv2DLayer c(2, win({2, 2}, {1, 1}, Padding::kValid), Activation::kLinear, true, "conv_c");
  c.build({{2, 2, 2}});
  // kernel[ky][kx][ci][f]; filter 0 picks x(0,0,c0) + x(0,1,c1) + x(1,0,c0) + x(1,0,c1)
  // - x(1,1,c0) = 1 + 4 + 5 + 6 - 7 = 9; filter 1 is 1 on every tap of channel 1:
  // 2 + 4 + 6 + 8 = 20.
  set(c.kernel(), {1, 0, 0, 1,     //  (0,0): c0 -> [1, 0], c1 -> [0, 1]
                   0, 0, 1, 1,     //  (0,1): c0 -> [0, 0], c1 -> [1, 1]
                   1, 0, 1, 1,     //  (1,0): c0 -> [1, 0], c1 -> [1, 1]
                   -1, 0, 0, 1});  // (1,1): c0 -> [-1, 0], c1 -> [0, 1]
  set(*c.bias(), {0.25f, -1});
  expect_values(run(c, {x}), {1, 1, 1, 2}, {9.25f, 19});

  // 1x1 (pointwise path): out[f] = 2 * k[0][f] + 3 * k[1][f] + b[f].
  Conv2DLayer p(3, win({1, 1}, {1, 1}, Padding::kValid), Activation::kLinear, true, "conv_1x1");
  p.build({{1, 1, 2}});
  set(p.kernel(), {1, 2, 3, 10, 20, 30});
  set(*p.bias(), {0.5f, 0, -1});
  expect_values(run(p, {Tensor({1, 1, 1, 2}, {2, 3})}), {1, 1, 1, 3}, {32.5f, 64, 95});
}

// ---------------------------------------------------------------------------------------
// DepthwiseConv2D: output channel c * multiplier + m reads input channel c.

TEST(LayerValues, DepthwiseMultiplier2ChannelOrder) {
  DepthwiseConv2DLayer d(win({1, 1}, {1, 1}, Padding::kValid), 2, Activation::kLinear, true, "dw");
  d.build({{1, 1, 2}});
  set(d.kernel(), {1, 10, 100, 1000});  // [1, 1, c = 2, m = 2]
  set(*d.bias(), {0.1f, 0.2f, 0.3f, 0.4f});
  // [c0 * 1, c0 * 10, c1 * 100, c1 * 1000] + bias with c0 = 2, c1 = 3.
  expect_values(run(d, {Tensor({1, 1, 1, 2}, {2, 3})}), {1, 1, 1, 4},
                {2.1f, 20.2f, 300.3f, 3000.4f});
}

TEST(LayerValues, DepthwiseSpatialMultiplier2) {
  Tensor x({1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  DepthwiseConv2DLayer d(win({2, 2}, {1, 1}, Padding::kValid), 2, Activation::kLinear, false,
                         "dw2");
  d.build({{2, 2, 2}});
  // kernel[ky][kx][c][m]: m = 0 is 1 everywhere, m = 1 is the tap number 1..4.
  set(d.kernel(), {1, 1, 1, 1,    // tap (0,0)
                   1, 2, 1, 2,    // tap (0,1)
                   1, 3, 1, 3,    // tap (1,0)
                   1, 4, 1, 4});  // tap (1,1)
  // c0 = [1, 3, 5, 7]: sum 16, weighted 1 + 6 + 15 + 28 = 50
  // c1 = [2, 4, 6, 8]: sum 20, weighted 2 + 8 + 18 + 32 = 60
  expect_values(run(d, {x}), {1, 1, 1, 4}, {16, 50, 20, 60});
}

// ---------------------------------------------------------------------------------------
// Pooling

TEST(LayerValues, MaxPoolingSamePadding) {
  Pooling2DLayer p(true, win({2, 2}, {2, 2}, Padding::kSame), "max_same");
  // Windows: rows {0,1} / {2}, columns {0,1} / {2} (padding after).
  expect_values(run(p, {one_to_nine()}), {1, 2, 2, 1}, {5, 6, 8, 9});
  // Padding never wins a max, even when every value is negative.
  Pooling2DLayer n(true, win({2, 2}, {2, 2}, Padding::kSame), "max_same_neg");
  expect_values(run(n, {one_to_nine(-1.0f)}), {1, 2, 2, 1}, {-1, -3, -7, -9});
}

TEST(LayerValues, AveragePoolingSameDividesByInImageTaps) {
  Pooling2DLayer p(false, win({2, 2}, {2, 2}, Padding::kSame), "avg_same");
  // (1+2+4+5)/4, (3+6)/2, (7+8)/2, 9/1
  expect_values(run(p, {one_to_nine()}), {1, 2, 2, 1}, {3, 4.5f, 7.5f, 9});
  Pooling2DLayer q(false, win({3, 3}, {1, 1}, Padding::kSame), "avg_same_3x3");
  expect_values(run(q, {one_to_nine()}), {1, 3, 3, 1},
                {12.0f / 4, 21.0f / 6, 16.0f / 4,  //
                 27.0f / 6, 45.0f / 9, 33.0f / 6,  //
                 24.0f / 4, 39.0f / 6, 28.0f / 4});
}

TEST(LayerValues, PoolingValidAndChannels) {
  // Two channels: c0 = 1..9, c1 = -(1..9).
  Tensor x({1, 3, 3, 2});
  for (int i = 0; i < 9; ++i) {
    x[2 * i] = static_cast<float>(i + 1);
    x[2 * i + 1] = -static_cast<float>(i + 1);
  }
  Pooling2DLayer m(true, win({2, 2}, {1, 1}, Padding::kValid), "max_valid");
  expect_values(run(m, {x}), {1, 2, 2, 2}, {5, -1, 6, -2, 8, -4, 9, -5});
  Pooling2DLayer a(false, win({2, 2}, {1, 1}, Padding::kValid), "avg_valid");
  expect_values(run(a, {x}), {1, 2, 2, 2}, {3, -3, 4, -4, 6, -6, 7, -7});
}

TEST(LayerValues, GlobalAveragePooling2D) {
  // Image 0: pixels (1,10) (2,20) (3,30) (4,40); image 1: (0,1) (0,1) (0,1) (4,-3).
  Tensor x({2, 2, 2, 2}, {1, 10, 2, 20, 3, 30, 4, 40, 0, 1, 0, 1, 0, 1, 4, -3});
  GlobalAveragePooling2DLayer g("gap");
  expect_values(run(g, {x}), {2, 2}, {2.5f, 25, 1, 0});
}

// ---------------------------------------------------------------------------------------
// BatchNormalization

TEST(LayerValues, BatchNormalizationInferenceUsesMovingStatistics) {
  BatchNormalizationLayer bn(0.99f, 1e-3f, "bn");
  bn.build({{2}});
  set(bn.gamma(), {2, 0.5f});
  set(bn.beta(), {1, -1});
  set(bn.moving_mean(), {1, -2});
  set(bn.moving_variance(), {3.999f, 0.249f});  // + epsilon: sqrt = 2 and 0.5
  Tensor x({2, 2}, {3, -1, -1, 0});
  // c0: 2 * (3 - 1) / 2 + 1 = 3;   2 * (-1 - 1) / 2 + 1 = -1
  // c1: 0.5 * (-1 + 2) / 0.5 - 1 = 0;   0.5 * (0 + 2) / 0.5 - 1 = 1
  expect_values(run(bn, {x}), {2, 2}, {3, 0, -1, 1});
  // Inference leaves the statistics alone.
  expect_values(bn.moving_mean().value, {2}, {1, -2});
}

TEST(LayerValues, BatchNormalizationTrainingMovingStatisticsMomentum) {
  BatchNormalizationLayer bn(0.99f, 1e-3f, "bn_train");
  bn.build({{2}});
  Rng rng(0);
  bn.initialize(rng);  // gamma 1, beta 0, moving mean 0, moving variance 1
  // c0 = {1, 5}: mean 3, biased variance 4.   c1 = {2, 2}: mean 2, variance 0.
  Tensor x({2, 2}, {1, 2, 5, 2});
  const float s = 2.0f / std::sqrt(4.001f);  // 0.99987503
  expect_values(run(bn, {x}, true), {2, 2}, {-s, 0, s, 0});
  // moving = moving * 0.99 + batch * 0.01
  expect_values(bn.moving_mean().value, {2}, {0.03f, 0.02f}, 1e-6f);
  expect_values(bn.moving_variance().value, {2}, {1.03f, 0.99f}, 1e-6f);
  run(bn, {x}, true);
  expect_values(bn.moving_mean().value, {2}, {0.0597f, 0.0398f}, 1e-6f);
  expect_values(bn.moving_variance().value, {2}, {1.0597f, 0.9801f}, 1e-6f);
  // Inference now normalises with the moving statistics.
  Tensor one({1, 2}, {1.0597f, 0.0398f});
  expect_values(run(bn, {one}), {1, 2}, {(1.0597f - 0.0597f) / std::sqrt(1.0597f + 1e-3f), 0},
                1e-5f);
}

// ---------------------------------------------------------------------------------------
// Activations

TEST(LayerValues, SoftmaxRowsSumToOneAndAreStable) {
  ActivationLayer sm("Softmax", Activation::kSoftmax, "softmax");
  Tensor x({4, 3}, {1, 2, 3, 1000, 1000, 1000, 1000, 0, -1000, -1000, -1000, -999});
  Tensor y = run(sm, {x});
  // Row 0: e^k / (e + e^2 + e^3). Row 3: [e^-1, e^-1, 1] / (2 e^-1 + 1).
  expect_values(y, {4, 3},
                {0.09003057f, 0.24472847f, 0.66524096f,  //
                 1.0f / 3, 1.0f / 3, 1.0f / 3,           //
                 1, 0, 0,                                //
                 0.21194156f, 0.21194156f, 0.57611688f});
  for (int r = 0; r < 4; ++r) {
    float sum = 0.0f;
    for (int c = 0; c < 3; ++c) {
      EXPECT_TRUE(std::isfinite(y[r * 3 + c]));
      sum += y[r * 3 + c];
    }
    EXPECT_NEAR(sum, 1.0f, 1e-6f) << "row " << r;
  }
}

TEST(LayerValues, ElementwiseActivations) {
  Tensor x({1, 5}, {-2, 0, 0.5f, 6, 7});
  auto act = [&](Activation a) {
    ActivationLayer l("Activation", a, "act_" + activation_name(a));
    return run(l, {x});
  };
  expect_values(act(Activation::kLinear), {1, 5}, {-2, 0, 0.5f, 6, 7});
  expect_values(act(Activation::kReLU), {1, 5}, {0, 0, 0.5f, 6, 7});
  expect_values(act(Activation::kReLU6), {1, 5}, {0, 0, 0.5f, 6, 6});
  expect_values(act(Activation::kSigmoid), {1, 5},
                {0.11920292f, 0.5f, 0.62245933f, 0.99752738f, 0.99908895f});
  expect_values(act(Activation::kTanh), {1, 5},
                {-0.96402758f, 0, 0.46211716f, 0.99998771f, 0.99999834f});
  EXPECT_EQ(parse_activation(""), Activation::kLinear);
  EXPECT_EQ(parse_activation("relu6"), Activation::kReLU6);
  EXPECT_THROW(parse_activation("swish"), Error);
}

// ---------------------------------------------------------------------------------------
// Merge and shape layers

TEST(LayerValues, ConcatenateValues) {
  // Batch of 2. a: [2, 2] per item, b: [2, 1], c: [1, 2].
  Tensor a({2, 2, 2}, {1, 2, 3, 4, 11, 12, 13, 14});
  Tensor b({2, 2, 1}, {5, 6, 15, 16});
  Tensor c({2, 1, 2}, {7, 8, 17, 18});
  ConcatenateLayer last(-1, "cat_last");
  expect_values(run(last, {a, b}), {2, 2, 3}, {1, 2, 5, 3, 4, 6, 11, 12, 15, 13, 14, 16});
  EXPECT_EQ(last.axis(), 1);
  ConcatenateLayer first(0, "cat_first");
  expect_values(run(first, {a, c}), {2, 3, 2}, {1, 2, 3, 4, 7, 8, 11, 12, 13, 14, 17, 18});
}

TEST(LayerValues, AddValues) {
  AddLayer add("add");
  Tensor a({1, 3}, {1, 2, 3}), b({1, 3}, {10, 20, 30}), c({1, 3}, {-1, 0.5f, 100});
  expect_values(run(add, {a, b, c}), {1, 3}, {10, 22.5f, 133});
}

TEST(LayerValues, ReshapeInfersMinusOne) {
  ReshapeLayer r({3, -1}, "reshape");
  EXPECT_EQ(r.build({{2, 6}}), (Shape{3, 4}));
  Tensor x({2, 2, 6});
  for (int i = 0; i < 24; ++i) x[i] = static_cast<float>(i);
  Tensor y = run(r, {x});
  ASSERT_EQ(y.shape(), (Shape{2, 3, 4}));
  for (int i = 0; i < 24; ++i) EXPECT_EQ(y[i], static_cast<float>(i));
  FlattenLayer f("flatten");
  Tensor z = run(f, {x});
  EXPECT_EQ(z.shape(), (Shape{2, 12}));
}

TEST(LayerValues, DropoutInferenceAndRateZero) {
  DropoutLayer d(0.5f, "dropout");
  Tensor x({1, 4}, {1, -2, 3, -4});
  expect_values(run(d, {x}), {1, 4}, {1, -2, 3, -4});
  DropoutLayer zero(0.0f, "dropout_zero");
  expect_values(run(zero, {x}, true), {1, 4}, {1, -2, 3, -4});
  EXPECT_THROW(DropoutLayer(1.0f, "dropout_one"), Error);
}

// ---------------------------------------------------------------------------------------
// Shape errors: lq::Error naming the layer and the offending shape.

template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no lq::Error thrown";
  return "";
}

void expect_mentions(const std::string& message, const std::vector<std::string>& parts) {
  for (const std::string& p : parts)
    EXPECT_NE(message.find(p), std::string::npos) << "'" << p << "' missing from: " << message;
}

TEST(LayerErrors, ReshapeWrongSize) {
  using namespace lq::layers;
  auto in = Input({2, 3});
  const std::string msg = error_of([&] { Reshape({5}, "bad_reshape")(in); });
  expect_mentions(msg, {"bad_reshape", "(2, 3)", "(5,)"});
  expect_mentions(error_of([&] {
                    Reshape({4, -1}, "bad_reshape_infer")(in);
                  }),
                  {"bad_reshape_infer", "(2, 3)"});
  expect_mentions(error_of([&] { Reshape({-1, -1}, "two_unknown")(in); }), {"two_unknown"});
}

TEST(LayerErrors, Conv2DOnRank2Input) {
  using namespace lq::layers;
  auto in = Input({28, 28});
  expect_mentions(error_of([&] {
                    Conv2D(4, {3, 3}, {.name = "conv_flat"})(in);
                  }),
                  {"conv_flat", "(28, 28)"});
  expect_mentions(error_of([&] {
                    DepthwiseConv2D({3, 3}, {.name = "dw_flat"})(in);
                  }),
                  {"dw_flat", "(28, 28)"});
  expect_mentions(error_of([&] {
                    MaxPooling2D({2, 2}, {.name = "pool_flat"})(in);
                  }),
                  {"pool_flat", "(28, 28)"});
  expect_mentions(error_of([&] { GlobalAveragePooling2D("gap_flat")(in); }),
                  {"gap_flat", "(28, 28)"});
}

TEST(LayerErrors, AddMismatchedShapes) {
  using namespace lq::layers;
  auto a = Input({2, 3});
  auto b = Input({3, 2});
  expect_mentions(error_of([&] { Add("bad_add")({a, b}); }), {"bad_add", "(2, 3)", "(3, 2)"});
  expect_mentions(error_of([&] { Add("lonely_add")({a}); }), {"lonely_add"});
  auto c = Input({2, 4});
  expect_mentions(error_of([&] {
                    Concatenate(0, "bad_cat")({a, c});
                  }),
                  {"bad_cat", "(2, 3)", "(2, 4)"});
  expect_mentions(error_of([&] { Concatenate(2, "bad_axis")({a, a}); }), {"bad_axis"});
}

TEST(LayerErrors, WindowLargerThanInputWithValidPadding) {
  using namespace lq::layers;
  auto in = Input({2, 2, 1});
  expect_mentions(error_of([&] {
                    MaxPooling2D({3, 3}, {.name = "big_pool"})(in);
                  }),
                  {"big_pool", "2x2", "valid"});
  expect_mentions(error_of([&] {
                    Conv2D(1, {3, 3}, {.name = "big_conv"})(in);
                  }),
                  {"big_conv", "2x2"});
  // Dilation makes the window span 5.
  auto in4 = Input({4, 4, 1});
  expect_mentions(error_of([&] {
                    DepthwiseConv2D({3, 3}, {.dilation_rate = {2, 2}, .name = "big_dw"})(in4);
                  }),
                  {"big_dw", "4x4"});
  // The same windows are fine with "same" padding.
  EXPECT_EQ(MaxPooling2D({3, 3}, {.padding = "same", .name = "ok_pool"})(in).shape(),
            (Shape{1, 1, 1}));
}

TEST(LayerErrors, BadOptions) {
  using namespace lq::layers;
  EXPECT_THROW(Conv2D(0, {3, 3}), Error);
  EXPECT_THROW(Conv2D(1, {3, 3}, {.padding = "full"}), Error);
  EXPECT_THROW(Conv2D(1, {3, 3}, {.strides = {2, 2}, .dilation_rate = {2, 2}}), Error);
  EXPECT_THROW(DepthwiseConv2D({3, 3}, {.depth_multiplier = 0}), Error);
  EXPECT_THROW(Dense(0), Error);
  EXPECT_THROW(Dense(3, "gelu"), Error);
  EXPECT_THROW(BatchNormalization({.momentum = 1.5f}), Error);
  EXPECT_THROW(Dropout(-0.1f), Error);
}

}  // namespace
}  // namespace lq
