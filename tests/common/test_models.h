#pragma once
// Models shared by the conversion tests.
#include "litequant/core/rng.h"
#include "litequant/nn/layers.h"
#include "litequant/nn/model.h"

namespace lq::test {

// Add, Concatenate, DepthwiseConv2D, BatchNormalization (folded and standalone), both
// paddings, strides, ReLU6, average pooling, global pooling, softmax. Initialised with
// `seed`; BatchNormalization statistics randomised so folding matters.
inline Model functional_test_model(uint64_t seed = 7) {
  using namespace lq::layers;
  auto in = Input({28, 28, 1}, "image");
  auto c1 = Conv2D(8, {3, 3}, {.padding = "same", .name = "c1"})(in);
  auto r1 = ReLU("r1")(BatchNormalization({.name = "bn1"})(c1));
  auto dw = DepthwiseConv2D({3, 3}, {.padding = "same", .depth_multiplier = 2, .activation = "relu6", .name = "dw"})(r1);
  auto c2 = Conv2D(16, {1, 1}, {.name = "c2"})(r1);
  auto sum = Add("sum")({dw, c2});
  auto c3 = Conv2D(8, {3, 3}, {.strides = {2, 2}, .padding = "valid", .name = "c3"})(sum);
  auto p1 = AveragePooling2D({2, 2}, {.padding = "same"})(c3);
  auto p2 = MaxPooling2D({4, 4}, {.strides = {4, 4}})(in);
  auto cat = Concatenate(-1, "cat")({p1, p2});
  auto bn = BatchNormalization({.name = "bn_cat"})(cat);
  auto out = Dense(10, "softmax", {.name = "head"})(GlobalAveragePooling2D("gap")(bn));
  Model m({in}, {out}, "functional");
  m.initialize(seed);
  Rng rng(2);
  for (Layer* l : m.layers())
    for (Weight* w : l->weights()) {
      if (w->name == "moving_mean" || w->name == "beta")
        for (int64_t i = 0; i < w->value.size(); ++i) w->value[i] = rng.uniform(-0.3f, 0.3f);
      else if (w->name == "moving_variance" || w->name == "gamma")
        for (int64_t i = 0; i < w->value.size(); ++i) w->value[i] = rng.uniform(0.5f, 1.5f);
    }
  return m;
}

}  // namespace lq::test
