#pragma once
// Keras-style layer factories. Each returns a LayerRef, usable in Sequential({...}) or
// called on SymbolicTensors (functional API). An empty name gets a Keras default name
// ("dense", "dense_1", ...) when the model is built.
//
//   using namespace lq::layers;
//   auto model = lq::Sequential({
//       InputLayer({28, 28}), Reshape({28, 28, 1}),
//       Conv2D(12, {3, 3}, {.activation = "relu"}), MaxPooling2D({2, 2}),
//       Flatten(), Dense(10)});
#include <array>
#include <string>

#include "litequant/nn/graph.h"
#include "litequant/nn/layers/conv.h"
#include "litequant/nn/layers/core.h"
#include "litequant/nn/layers/merge.h"
#include "litequant/nn/layers/normalization.h"
#include "litequant/nn/layers/pooling.h"
#include "litequant/nn/layers/quantization.h"

namespace lq::layers {

using Pair = std::array<int64_t, 2>;

LayerRef InputLayer(const Shape& shape, const std::string& name = "");

struct DenseOptions {
  bool use_bias = true;
  std::string name;
};
LayerRef Dense(int64_t units, const std::string& activation = "", const DenseOptions& o = {});

struct Conv2DOptions {
  Pair strides{1, 1};
  std::string padding = "valid";
  Pair dilation_rate{1, 1};
  std::string activation;
  bool use_bias = true;
  std::string name;
};
LayerRef Conv2D(int64_t filters, Pair kernel_size, const Conv2DOptions& o = {});

struct DepthwiseConv2DOptions {
  Pair strides{1, 1};
  std::string padding = "valid";
  int64_t depth_multiplier = 1;
  Pair dilation_rate{1, 1};
  std::string activation;
  bool use_bias = true;
  std::string name;
};
LayerRef DepthwiseConv2D(Pair kernel_size, const DepthwiseConv2DOptions& o = {});

struct PoolOptions {
  Pair strides{0, 0};  // {0, 0} = pool_size (Keras default)
  std::string padding = "valid";
  std::string name;
};
LayerRef MaxPooling2D(Pair pool_size = {2, 2}, const PoolOptions& o = {});
LayerRef AveragePooling2D(Pair pool_size = {2, 2}, const PoolOptions& o = {});
LayerRef GlobalAveragePooling2D(const std::string& name = "");

struct BatchNormalizationOptions {
  float momentum = 0.99f;
  float epsilon = 1e-3f;
  std::string name;
};
LayerRef BatchNormalization(const BatchNormalizationOptions& o = {});

LayerRef Flatten(const std::string& name = "");
LayerRef Reshape(const Shape& target_shape, const std::string& name = "");
LayerRef Dropout(float rate, const std::string& name = "");
LayerRef Activation(const std::string& activation, const std::string& name = "");
LayerRef ReLU(const std::string& name = "");
LayerRef ReLU6(const std::string& name = "");  // Keras: ReLU(max_value=6)
LayerRef Softmax(const std::string& name = "");
LayerRef Add(const std::string& name = "");
LayerRef Concatenate(int axis = -1, const std::string& name = "");

// tf.quantization.fake_quant_with_min_max_args as a layer: a fixed range.
LayerRef FakeQuantWithMinMaxArgs(float min = -6.0f, float max = 6.0f, int num_bits = 8, bool narrow_range = false,
                                 const std::string& name = "");
// fake_quant_with_min_max_vars: a tracked (moving average, all values) or trained range,
// per tensor or per channel (spec.range must not be kFixed).
LayerRef FakeQuantWithMinMaxVars(const QuantizerSpec& spec = {}, const std::string& name = "");

}  // namespace lq::layers
