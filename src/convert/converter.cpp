#include "litequant/convert/converter.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "litequant/core/error.h"
#include "litequant/nn/layers.h"
#include "litequant/quant/ptq.h"
#include "litequant/quant/qat.h"

namespace lq {
namespace {
using tflite::Op;

// Builds a tflite::Model: tensors, constant buffers and operators.
class GraphWriter {
 public:
  GraphWriter() { model_.buffers.emplace_back(); }  // buffers[0]: the empty sentinel

  int tensor(const std::string& name, std::vector<int32_t> shape,
             tflite::TensorType type = tflite::TensorType::kFloat32, uint32_t buffer = 0) {
    tflite::Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    t.type = type;
    t.buffer = buffer;
    model_.tensors.push_back(std::move(t));
    return static_cast<int>(model_.tensors.size() - 1);
  }
  int constant(const std::string& name, std::vector<int32_t> shape, const std::vector<float>& values) {
    return tensor(name, std::move(shape), tflite::TensorType::kFloat32, buffer(values.data(), values.size() * 4));
  }
  int constant_i32(const std::string& name, const std::vector<int32_t>& values) {
    return tensor(name, {static_cast<int32_t>(values.size())}, tflite::TensorType::kInt32,
                  buffer(values.data(), values.size() * 4));
  }
  int op(Op code, int version, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
         tflite::Options options = {}) {
    tflite::Operator o;
    o.opcode = static_cast<int32_t>(code);
    o.version = version;
    o.inputs = std::move(inputs);
    o.outputs = std::move(outputs);
    o.options = std::move(options);
    model_.operators.push_back(std::move(o));
    return static_cast<int>(model_.operators.size() - 1);
  }
  // Float data of a constant tensor, editable (for BatchNormalization folding).
  float* data_of(int tensor_index) {
    tflite::Buffer& b = model_.buffers[model_.tensors[static_cast<size_t>(tensor_index)].buffer];
    return reinterpret_cast<float*>(b.owned.data());
  }
  tflite::Model& model() { return model_; }

 private:
  uint32_t buffer(const void* data, size_t bytes) {
    tflite::Buffer b;
    b.owned.resize(bytes);
    if (bytes) std::memcpy(b.owned.data(), data, bytes);
    b.view = std::span<const uint8_t>(b.owned.data(), b.owned.size());
    model_.buffers.push_back(std::move(b));
    return static_cast<uint32_t>(model_.buffers.size() - 1);
  }
  tflite::Model model_;
};

std::vector<int32_t> batch_shape(const Shape& s) {
  std::vector<int32_t> out{1};
  for (int64_t d : s) out.push_back(static_cast<int32_t>(d));
  return out;
}

const Tensor& weight(const Layer& layer, const std::string& name) {
  for (const Weight* w : layer.weights())
    if (w->name == name) return w->value;
  throw Error("layer '" + layer.name() + "' has no weight '" + name + "'");
}

tflite::Padding padding_of(Padding p) { return p == Padding::kSame ? tflite::Padding::kSame : tflite::Padding::kValid; }

// Activations TFLite can fuse into an op.
bool fusable(Activation a) {
  return a == Activation::kLinear || a == Activation::kReLU || a == Activation::kReLU6;
}
tflite::Activation fused_of(Activation a) {
  switch (a) {
    case Activation::kReLU: return tflite::Activation::kRelu;
    case Activation::kReLU6: return tflite::Activation::kRelu6;
    default: return tflite::Activation::kNone;
  }
}

// Reads / sets the fused activation of an operator's options (NONE for others).
tflite::Activation* fused_activation(tflite::Operator& op) {
  return std::visit(
      [](auto& o) -> tflite::Activation* {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, tflite::Conv2DOptions> || std::is_same_v<T, tflite::DepthwiseConv2DOptions> ||
                      std::is_same_v<T, tflite::FullyConnectedOptions> || std::is_same_v<T, tflite::ActivationOptions>)
          return &o.activation;
        else
          return nullptr;
      },
      op.options);
}

class Conversion {
 public:
  explicit Conversion(const Model& model) : model_(model), layers_(model.layers()) {
    for (size_t i = 0; i < layers_.size(); ++i) {
      for (const std::string& src : model.inbound_layers(i)) consumers_[src]++;
    }
    const nlohmann::json config = model.to_config();
    if (config.contains("outputs")) {
      for (const auto& o : config["outputs"]) outputs_.push_back(o.get<std::string>());
    } else {
      outputs_.push_back(layers_.back()->name());
    }
  }

  tflite::Model run() {
    for (size_t i = 0; i < layers_.size(); ++i) {
      try {
        convert_layer(i);
      } catch (const Error& e) {
        throw Error("converting layer '" + layers_[i]->name() + "' (" + layers_[i]->type() + "): " + e.what());
      }
    }
    tflite::Model& m = w_.model();
    for (const std::string& o : outputs_) m.outputs.push_back(tensor_of_.at(o));
    m.description = "litequant";
    m.subgraph_name = model_.name();
    return std::move(m);
  }

 private:
  bool exclusive_use(const std::string& name) const {
    auto it = consumers_.find(name);
    const int uses = it == consumers_.end() ? 0 : it->second;
    return uses == 1 && std::find(outputs_.begin(), outputs_.end(), name) == outputs_.end();
  }
  // The operator whose output the layer `name` is, when that operator's result is used
  // by exactly one layer (so it may absorb an activation or a BatchNormalization).
  tflite::Operator* exclusive_producer(const std::string& name) {
    const int t = tensor_of_.at(name);
    auto it = producer_.find(t);
    if (it == producer_.end() || !exclusive_[t]) return nullptr;
    return &w_.model().operators[static_cast<size_t>(it->second)];
  }
  void define(const std::string& name, int tensor, int op_index) {
    tensor_of_[name] = tensor;
    if (op_index >= 0) producer_[tensor] = op_index;
    exclusive_[tensor] = exclusive_use(name);
  }
  // Alias: `name` is the same tensor as its input (Dropout, folded layers).
  void alias(const std::string& name, const std::string& input) {
    const int t = tensor_of_.at(input);
    tensor_of_[name] = t;
    exclusive_[t] = exclusive_[t] && exclusive_use(name);
  }

  // A constant bias of `n` values: the layer's "bias" weight, or zeros without one.
  int bias_constant(const Layer& layer, int64_t n, bool use_bias);
  // Emits a weighted op (FC / CONV_2D / DEPTHWISE_CONV_2D) producing layer i's output,
  // with its activation fused when TFLite can, else as a following op.
  void emit_weighted(size_t i, Op code, int version, std::vector<int32_t> inputs, tflite::Options options,
                     Activation a);
  void convert_layer(size_t i);
  void convert_activation(size_t i, Activation a, const std::string& input);
  void convert_batch_norm(size_t i, const BatchNormalizationLayer& bn, const std::string& input);

  const Model& model_;
  std::vector<Layer*> layers_;
  std::map<std::string, int> consumers_;
  std::vector<std::string> outputs_;
  GraphWriter w_;
  std::map<std::string, int> tensor_of_;
  std::map<int, int> producer_;    // tensor -> operator index
  std::map<int, bool> exclusive_;  // tensor -> used by exactly one layer, not an output
};

void Conversion::convert_activation(size_t i, Activation a, const std::string& input) {
  const std::string& name = layers_[i]->name();
  if (a == Activation::kLinear) return alias(name, input);
  if (a == Activation::kReLU || a == Activation::kReLU6) {
    if (tflite::Operator* p = exclusive_producer(input)) {
      tflite::Activation* act = fused_activation(*p);
      if (act && *act == tflite::Activation::kNone) {
        *act = fused_of(a);
        const int t = tensor_of_.at(input);
        w_.model().tensors[static_cast<size_t>(t)].name = name;
        tensor_of_[name] = t;
        exclusive_[t] = exclusive_use(name);
        return;
      }
    }
  }
  const int in = tensor_of_.at(input);
  const int out = w_.tensor(name, w_.model().tensors[static_cast<size_t>(in)].shape);
  int op = -1;
  switch (a) {
    case Activation::kReLU: op = w_.op(Op::kRelu, 1, {in}, {out}); break;
    case Activation::kReLU6: op = w_.op(Op::kRelu6, 1, {in}, {out}); break;
    case Activation::kSigmoid: op = w_.op(Op::kLogistic, 1, {in}, {out}); break;
    case Activation::kTanh: op = w_.op(Op::kTanh, 1, {in}, {out}); break;
    case Activation::kSoftmax: op = w_.op(Op::kSoftmax, 1, {in}, {out}, tflite::SoftmaxOptions{1.0f}); break;
    default: break;
  }
  define(name, out, op);
}

void Conversion::convert_batch_norm(size_t i, const BatchNormalizationLayer& bn, const std::string& input) {
  const std::string& name = layers_[i]->name();
  const Tensor& gamma = weight(bn, "gamma");
  const Tensor& beta = weight(bn, "beta");
  const Tensor& mean = weight(bn, "moving_mean");
  const Tensor& var = weight(bn, "moving_variance");
  const int64_t c = gamma.size();
  std::vector<float> scale(static_cast<size_t>(c)), shift(static_cast<size_t>(c));
  for (int64_t k = 0; k < c; ++k) {
    scale[k] = gamma[k] / std::sqrt(var[k] + bn.epsilon());
    shift[k] = beta[k] - mean[k] * scale[k];
  }
  // Fold into the producing CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED.
  if (tflite::Operator* p = exclusive_producer(input)) {
    const Op code = static_cast<Op>(p->opcode);
    tflite::Activation* act = fused_activation(*p);
    if ((code == Op::kConv2D || code == Op::kDepthwiseConv2D || code == Op::kFullyConnected) && act &&
        *act == tflite::Activation::kNone) {
      float* kernel = w_.data_of(p->inputs[1]);
      float* bias = w_.data_of(p->inputs[2]);
      const auto& kshape = w_.model().tensors[static_cast<size_t>(p->inputs[1])].shape;
      int64_t total = 1;
      for (int32_t d : kshape) total *= d;
      // Output channel = first dim (OHWI, [units, in]) or last dim (depthwise [1,h,w,C*M]).
      const bool channel_last = code == Op::kDepthwiseConv2D;
      for (int64_t e = 0; e < total; ++e) kernel[e] *= scale[static_cast<size_t>(channel_last ? e % c : e / (total / c))];
      for (int64_t k = 0; k < c; ++k) bias[k] = bias[k] * scale[k] + shift[k];
      return alias(name, input);
    }
  }
  const int in = tensor_of_.at(input);
  const auto shape = w_.model().tensors[static_cast<size_t>(in)].shape;
  const int s = w_.constant(name + "/scale", {static_cast<int32_t>(c)}, scale);
  const int b = w_.constant(name + "/shift", {static_cast<int32_t>(c)}, shift);
  const int mid = w_.tensor(name + "/scaled", shape);
  w_.op(Op::kMul, 1, {in, s}, {mid}, tflite::ActivationOptions{});
  const int out = w_.tensor(name, shape);
  define(name, out, w_.op(Op::kAdd, 1, {mid, b}, {out}, tflite::ActivationOptions{}));
}

int Conversion::bias_constant(const Layer& layer, int64_t n, bool use_bias) {
  std::vector<float> bias(static_cast<size_t>(n), 0.0f);
  if (use_bias) {
    const Tensor& b = weight(layer, "bias");
    std::copy(b.data(), b.data() + n, bias.begin());
  }
  return w_.constant(layer.name() + "/bias", {static_cast<int32_t>(n)}, bias);
}

void Conversion::emit_weighted(size_t i, Op code, int version, std::vector<int32_t> inputs,
                               tflite::Options options, Activation a) {
  const std::string& name = layers_[i]->name();
  const std::string out_name = fusable(a) ? name : name + "/linear";
  const int out = w_.tensor(out_name, batch_shape(layers_[i]->output_shape()));
  define(out_name, out, w_.op(code, version, std::move(inputs), {out}, std::move(options)));
  if (!fusable(a)) convert_activation(i, a, out_name);
}

template <typename Options>
Options window_options(const Window2D& win, Activation a) {
  Options o;
  o.padding = padding_of(win.padding);
  o.stride_h = static_cast<int32_t>(win.strides[0]);
  o.stride_w = static_cast<int32_t>(win.strides[1]);
  o.dilation_h = static_cast<int32_t>(win.dilation[0]);
  o.dilation_w = static_cast<int32_t>(win.dilation[1]);
  o.activation = fused_of(a);
  return o;
}

void Conversion::convert_layer(size_t i) {
  const Layer& layer = *layers_[i];
  const std::string& name = layer.name();
  const std::vector<std::string> in_names = model_.inbound_layers(i);
  std::vector<int32_t> ins;
  for (const auto& n : in_names) ins.push_back(tensor_of_.at(n));
  const std::vector<int32_t> shape = batch_shape(layer.output_shape());

  if (layer.type() == "InputLayer") {
    const int t = w_.tensor(name, shape);
    w_.model().inputs.push_back(t);
    return define(name, t, -1);
  }
  if (auto* d = dynamic_cast<const DenseLayer*>(&layer)) {
    const Tensor& k = weight(layer, "kernel");
    const int64_t in = k.dim(0), units = k.dim(1);
    std::vector<float> wt(static_cast<size_t>(in * units));
    for (int64_t r = 0; r < in; ++r)
      for (int64_t u = 0; u < units; ++u) wt[static_cast<size_t>(u * in + r)] = k[r * units + u];
    const int kt = w_.constant(name + "/kernel", {static_cast<int32_t>(units), static_cast<int32_t>(in)}, wt);
    const int bt = bias_constant(layer, units, d->use_bias());
    const bool keep_dims = layer.input_shapes()[0].size() > 1;
    tflite::FullyConnectedOptions o;
    o.activation = fused_of(d->activation());
    o.keep_num_dims = keep_dims;
    return emit_weighted(i, Op::kFullyConnected, keep_dims ? 5 : 1, {ins[0], kt, bt}, o, d->activation());
  }
  if (auto* c = dynamic_cast<const Conv2DLayer*>(&layer)) {
    const Tensor& k = weight(layer, "kernel");  // [kh, kw, in, out]
    const int64_t kh = k.dim(0), kw = k.dim(1), cin = k.dim(2), cout = k.dim(3);
    std::vector<float> ohwi(static_cast<size_t>(k.size()));
    for (int64_t y = 0; y < kh; ++y)
      for (int64_t x = 0; x < kw; ++x)
        for (int64_t ci = 0; ci < cin; ++ci)
          for (int64_t co = 0; co < cout; ++co)
            ohwi[static_cast<size_t>(((co * kh + y) * kw + x) * cin + ci)] = k[((y * kw + x) * cin + ci) * cout + co];
    const int kt = w_.constant(name + "/kernel", {static_cast<int32_t>(cout), static_cast<int32_t>(kh),
                                                  static_cast<int32_t>(kw), static_cast<int32_t>(cin)}, ohwi);
    const int bt = bias_constant(layer, cout, c->use_bias());
    return emit_weighted(i, Op::kConv2D, 1, {ins[0], kt, bt},
                         window_options<tflite::Conv2DOptions>(c->window(), c->activation()), c->activation());
  }
  if (auto* dw = dynamic_cast<const DepthwiseConv2DLayer*>(&layer)) {
    const Tensor& k = weight(layer, "depthwise_kernel");  // [kh, kw, C, M] = [1, kh, kw, C*M] in memory
    const int64_t oc = k.dim(2) * k.dim(3);
    std::vector<float> data(k.data(), k.data() + k.size());
    const int kt = w_.constant(name + "/depthwise_kernel",
                               {1, static_cast<int32_t>(k.dim(0)), static_cast<int32_t>(k.dim(1)), static_cast<int32_t>(oc)}, data);
    const int bt = bias_constant(layer, oc, dw->use_bias());
    auto o = window_options<tflite::DepthwiseConv2DOptions>(dw->window(), dw->activation());
    o.depth_multiplier = static_cast<int32_t>(dw->depth_multiplier());
    const bool dilated = o.dilation_h != 1 || o.dilation_w != 1;
    return emit_weighted(i, Op::kDepthwiseConv2D, dilated ? 2 : 1, {ins[0], kt, bt}, o, dw->activation());
  }
  if (auto* p = dynamic_cast<const Pooling2DLayer*>(&layer)) {
    const Window2D& win = p->window();
    tflite::Pool2DOptions o;
    o.padding = padding_of(win.padding);
    o.stride_h = static_cast<int32_t>(win.strides[0]);
    o.stride_w = static_cast<int32_t>(win.strides[1]);
    o.filter_height = static_cast<int32_t>(win.kernel[0]);
    o.filter_width = static_cast<int32_t>(win.kernel[1]);
    const int out = w_.tensor(name, shape);
    return define(name, out, w_.op(p->is_max() ? Op::kMaxPool2D : Op::kAveragePool2D, 1, {ins[0]}, {out}, o));
  }
  if (layer.type() == "GlobalAveragePooling2D") {
    const int axes = w_.constant_i32(name + "/axes", {1, 2});
    const int out = w_.tensor(name, shape);
    return define(name, out, w_.op(Op::kMean, 1, {ins[0], axes}, {out}, tflite::ReducerOptions{false}));
  }
  if (layer.type() == "Flatten" || layer.type() == "Reshape") {
    std::vector<int32_t> target = shape;
    target[0] = -1;
    const int st = w_.constant_i32(name + "/shape", target);
    const int out = w_.tensor(name, shape);
    return define(name, out, w_.op(Op::kReshape, 1, {ins[0], st}, {out}, tflite::ReshapeOptions{target}));
  }
  if (layer.type() == "Dropout") return alias(name, in_names[0]);
  if (auto* a = dynamic_cast<const ActivationLayer*>(&layer)) return convert_activation(i, a->activation(), in_names[0]);
  if (auto* bn = dynamic_cast<const BatchNormalizationLayer*>(&layer)) return convert_batch_norm(i, *bn, in_names[0]);
  if (layer.type() == "Add") {
    int acc = ins[0];
    for (size_t k = 1; k < ins.size(); ++k) {
      const bool last = k + 1 == ins.size();
      const int out = w_.tensor(last ? name : name + "/partial_" + std::to_string(k), shape);
      const int op = w_.op(Op::kAdd, 1, {acc, ins[k]}, {out}, tflite::ActivationOptions{});
      if (last) define(name, out, op);
      acc = out;
    }
    return;
  }
  if (auto* cat = dynamic_cast<const ConcatenateLayer*>(&layer)) {
    const int out = w_.tensor(name, shape);
    return define(name, out, w_.op(Op::kConcatenation, 1, ins, {out}, tflite::ConcatenationOptions{cat->axis() + 1}));
  }
  throw Error("no TensorFlow Lite conversion for this layer type");
}

}  // namespace

tflite::Model TFLiteConverter::convert_float() const { return Conversion(*model_).run(); }

std::string TFLiteConverter::mode() const {
  const bool int8_only_ops = std::find(target_spec.supported_ops.begin(), target_spec.supported_ops.end(),
                                       OpsSet::kBuiltinsInt8) != target_spec.supported_ops.end() &&
                             std::find(target_spec.supported_ops.begin(), target_spec.supported_ops.end(),
                                       OpsSet::kBuiltins) == target_spec.supported_ops.end();
  if (quant::is_quantization_aware(*model_)) return int8_only_ops ? "int8 only" : "int8";
  if (optimizations.empty()) return "float32";
  const bool int8_only = std::find(target_spec.supported_ops.begin(), target_spec.supported_ops.end(),
                                   OpsSet::kBuiltinsInt8) != target_spec.supported_ops.end() &&
                         std::find(target_spec.supported_ops.begin(), target_spec.supported_ops.end(),
                                   OpsSet::kBuiltins) == target_spec.supported_ops.end();
  if (int8_only) return "int8 only";
  if (!representative_dataset.empty()) return "int8";
  const auto& types = target_spec.supported_types;
  if (std::find(types.begin(), types.end(), tflite::TensorType::kFloat16) != types.end()) return "float16";
  return "dynamic range";
}

tflite::Model TFLiteConverter::convert_to_model() const {
  const std::string m = mode();
  auto io_of = [&](tflite::TensorType t, const char* what) {
    switch (t) {
      case tflite::TensorType::kFloat32: return quant::IoType::kFloat32;
      case tflite::TensorType::kInt8: return quant::IoType::kInt8;
      case tflite::TensorType::kUInt8: return quant::IoType::kUInt8;
      default: throw Error(std::string(what) + " must be float32, int8 or uint8, got " + tflite::type_name(t));
    }
  };
  const quant::IoType in = io_of(inference_input_type, "inference_input_type");
  const quant::IoType out = io_of(inference_output_type, "inference_output_type");
  if ((in != quant::IoType::kFloat32 || out != quant::IoType::kFloat32) && m != "int8" && m != "int8 only")
    throw Error("int8/uint8 model inputs and outputs need int8 quantization (a representative dataset), mode is " + m);
  if (!float_layers.empty() && m != "int8")
    throw Error("float_layers needs int8 quantization with float fallback, mode is " + m);
  if (quant::is_quantization_aware(*model_)) return convert_quantization_aware(in, out, m == "int8 only");
  tflite::Model float_model = Conversion(*model_).run();
  if (m == "float32") return float_model;
  if (m == "float16") return quant::quantize_float16(float_model);
  if (m == "dynamic range") return quant::quantize_dynamic_range(float_model, per_channel);
  if (representative_dataset.empty()) throw Error("int8-only conversion needs a representative dataset");
  quant::Int8Options o;
  o.per_channel = per_channel;
  o.integer_only = m == "int8 only";
  o.input = in;
  o.output = out;
  for (const std::string& layer : float_layers) {
    bool found = false;
    for (size_t i = 0; i < float_model.operators.size(); ++i)
      if (quant::layer_of(float_model, i) == layer) o.float_operators.insert(i), found = true;
    if (!found) throw Error("float_layers: no operator computes layer '" + layer + "'");
  }
  const auto ranges = quant::calibrate(float_model, representative_dataset, num_threads);
  return quant::quantize_int8(float_model, ranges, o);
}

// The stripped float model, quantized with the learned ranges and weight grids. Ops of
// layers the model does not quantize stay float; a representative dataset, when given,
// supplies ranges the model did not learn.
tflite::Model TFLiteConverter::convert_quantization_aware(quant::IoType in, quant::IoType out, bool integer_only) const {
  const Model stripped = quant::strip_quantization(*model_);
  const quant::QatExport info = quant::qat_export_info(*model_);
  tflite::Model float_model = Conversion(stripped).run();
  quant::Int8Options o;
  o.per_channel = per_channel;
  o.integer_only = integer_only;
  o.input = in;
  o.output = out;
  o.weight_bits = info.weight_bits;
  o.per_tensor_layers = info.per_tensor_layers;
  o.pack_int4 = pack_int4;
  for (const auto& [name, a] : info.activations) {
    int t = -1;
    for (size_t k = 0; k < float_model.tensors.size() && t < 0; ++k)
      if (float_model.tensors[k].name == name) t = static_cast<int>(k);
    if (t < 0) throw Error("quantization-aware model: the learned range of '" + name + "' has no tensor in the converted model");
    o.activation_params[t] = tflite::Quantization{{a.scale}, {a.zero_point}, 0};
  }
  // Fake-quant layers placed by hand (no wrappers): every op is int8, their ranges
  // override calibrated ones.
  const bool by_hand = info.quantized_layers.empty();
  for (size_t i = 0; i < float_model.operators.size(); ++i) {
    const std::string layer = quant::layer_of(float_model, i);
    if ((!by_hand && !info.quantized_layers.count(layer)) ||
        std::find(float_layers.begin(), float_layers.end(), layer) != float_layers.end())
      o.float_operators.insert(i);
  }
  const auto ranges = representative_dataset.empty()
                          ? std::vector<quant::TensorRange>(float_model.tensors.size())
                          : quant::calibrate(float_model, representative_dataset, num_threads);
  try {
    return quant::quantize_int8(float_model, ranges, o);
  } catch (const Error& e) {
    if (!representative_dataset.empty()) throw;
    throw Error(std::string(e.what()) +
                ": the model's fake-quant layers do not cover it; give a representative dataset for the rest "
                "(litequant convert --quantize int8) or quantize it with quantize_model");
  }
}

std::vector<uint8_t> TFLiteConverter::convert() const { return tflite::write_model(convert_to_model()); }

}  // namespace lq
