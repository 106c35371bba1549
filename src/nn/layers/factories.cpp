#include "litequant/core/error.h"
#include "litequant/nn/layers.h"

namespace lq::layers {
namespace {
Window2D window(Pair kernel, Pair strides, const std::string& padding, Pair dilation) {
  Window2D w;
  w.kernel = kernel;
  w.strides = strides;
  w.padding = parse_padding(padding);
  w.dilation = dilation;
  return w;
}
}  // namespace

LayerRef InputLayer(const Shape& shape, const std::string& name) {
  return std::make_shared<ModelInput>(shape, name);
}

LayerRef Dense(int64_t units, const std::string& activation, const DenseOptions& o) {
  return std::make_shared<DenseLayer>(units, parse_activation(activation), o.use_bias, o.name);
}

LayerRef Conv2D(int64_t filters, Pair kernel_size, const Conv2DOptions& o) {
  return std::make_shared<Conv2DLayer>(filters,
                                       window(kernel_size, o.strides, o.padding, o.dilation_rate),
                                       parse_activation(o.activation), o.use_bias, o.name);
}

LayerRef DepthwiseConv2D(Pair kernel_size, const DepthwiseConv2DOptions& o) {
  return std::make_shared<DepthwiseConv2DLayer>(
      window(kernel_size, o.strides, o.padding, o.dilation_rate), o.depth_multiplier,
      parse_activation(o.activation), o.use_bias, o.name);
}

LayerRef MaxPooling2D(Pair pool_size, const PoolOptions& o) {
  Pair strides = o.strides == Pair{0, 0} ? pool_size : o.strides;
  return std::make_shared<Pooling2DLayer>(true, window(pool_size, strides, o.padding, {1, 1}), o.name);
}

LayerRef AveragePooling2D(Pair pool_size, const PoolOptions& o) {
  Pair strides = o.strides == Pair{0, 0} ? pool_size : o.strides;
  return std::make_shared<Pooling2DLayer>(false, window(pool_size, strides, o.padding, {1, 1}), o.name);
}

LayerRef GlobalAveragePooling2D(const std::string& name) {
  return std::make_shared<GlobalAveragePooling2DLayer>(name);
}

LayerRef BatchNormalization(const BatchNormalizationOptions& o) {
  return std::make_shared<BatchNormalizationLayer>(o.momentum, o.epsilon, o.name);
}

LayerRef Flatten(const std::string& name) { return std::make_shared<FlattenLayer>(name); }

LayerRef Reshape(const Shape& target_shape, const std::string& name) {
  return std::make_shared<ReshapeLayer>(target_shape, name);
}

LayerRef Dropout(float rate, const std::string& name) {
  return std::make_shared<DropoutLayer>(rate, name);
}

LayerRef Activation(const std::string& activation, const std::string& name) {
  return std::make_shared<ActivationLayer>("Activation", parse_activation(activation), name);
}

LayerRef ReLU(const std::string& name) {
  return std::make_shared<ActivationLayer>("ReLU", lq::Activation::kReLU, name);
}

LayerRef ReLU6(const std::string& name) {
  return std::make_shared<ActivationLayer>("ReLU", lq::Activation::kReLU6, name);
}

LayerRef Softmax(const std::string& name) {
  return std::make_shared<ActivationLayer>("Softmax", lq::Activation::kSoftmax, name);
}

LayerRef Add(const std::string& name) { return std::make_shared<AddLayer>(name); }

LayerRef Concatenate(int axis, const std::string& name) {
  return std::make_shared<ConcatenateLayer>(axis, name);
}

LayerRef FakeQuantWithMinMaxArgs(float min, float max, int num_bits, bool narrow_range, const std::string& name) {
  QuantizerSpec spec;
  spec.num_bits = num_bits;
  spec.narrow_range = narrow_range;
  spec.range = RangeMode::kFixed;
  spec.min = min;
  spec.max = max;
  return std::make_shared<FakeQuantLayer>("FakeQuantWithMinMaxArgs", spec, name);
}

LayerRef FakeQuantWithMinMaxVars(const QuantizerSpec& spec, const std::string& name) {
  return std::make_shared<FakeQuantLayer>("FakeQuantWithMinMaxVars", spec, name);
}

}  // namespace lq::layers
