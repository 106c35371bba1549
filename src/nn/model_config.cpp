// Model <-> JSON architecture (the model spec format, docs/MODEL_SPEC.md).
#include <functional>
#include <optional>
#include <map>
#include <nlohmann/json.hpp>

#include "config_reader.h"
#include "litequant/core/error.h"
#include "litequant/nn/layers.h"
#include "model_impl.h"

namespace lq {
namespace {

using Factory = std::function<std::shared_ptr<Layer>(ConfigReader&, const std::string& name)>;

Window2D read_window(ConfigReader& r, const char* kernel_key, bool pool) {
  Window2D w;
  w.kernel = pool ? r.pair(kernel_key, {2, 2}) : r.pair(kernel_key, {0, 0});
  if (!pool && !r.has(kernel_key)) r.required_integer(kernel_key);  // throws "is required"
  w.strides = r.pair("strides", pool ? w.kernel : std::array<int64_t, 2>{1, 1});
  w.padding = parse_padding(r.string("padding", "valid"));
  if (!pool) w.dilation = r.pair("dilation_rate", {1, 1});
  return w;
}

Activation read_activation(ConfigReader& r) { return parse_activation(r.string("activation", "linear")); }

const std::map<std::string, Factory>& factories();

// A layer inside another layer's config (QuantizeWrapper's "layer" / "batch_norm").
std::shared_ptr<Layer> nested_layer(ConfigReader& outer, const std::string& key) {
  const nlohmann::json& j = outer.raw(key);
  const std::string where = outer.where() + key + ": ";
  if (!j.is_object()) throw Error(where + "must be a layer config object");
  ConfigReader r(j, where);
  const std::string type = r.required_string("type");
  const std::string name = r.string("name", "");
  auto it = factories().find(type);
  if (it == factories().end() || type == "QuantizeWrapperV2" || type == "QuantizeAnnotate")
    throw Error(where + "layer type '" + type + "' cannot be wrapped");
  std::shared_ptr<Layer> layer = it->second(r, name);
  r.finish();
  return layer;
}

QuantizerSpec read_quantizer(ConfigReader& r, RangeMode default_range) {
  QuantizerSpec s;
  s.num_bits = static_cast<int>(r.integer("num_bits", 8));
  s.narrow_range = r.boolean("narrow_range", false);
  s.min = r.number("min", -6.0f);
  s.max = r.number("max", 6.0f);
  if (default_range != RangeMode::kFixed) {
    s.range = parse_range_mode(r.string("range", range_mode_name(default_range)));
    if (s.range == RangeMode::kFixed) throw Error(r.where() + "a fixed range needs FakeQuantWithMinMaxArgs");
    s.per_channel = r.boolean("per_channel", false);
    s.ema_decay = r.number("ema_decay", 0.999f);
  } else {
    s.range = RangeMode::kFixed;
  }
  return s;
}

std::shared_ptr<Layer> quantize_wrapper(ConfigReader& r, const std::string& n, bool annotate_only) {
  std::shared_ptr<Layer> inner = nested_layer(r, "layer");
  std::shared_ptr<BatchNormalizationLayer> bn;
  if (r.has("batch_norm")) {
    bn = std::dynamic_pointer_cast<BatchNormalizationLayer>(nested_layer(r, "batch_norm"));
    if (!bn) throw Error(r.where() + "batch_norm must be a BatchNormalization layer");
  }
  QuantizeConfig qc;
  if (r.has("quantize_config")) {
    const nlohmann::json& j = r.raw("quantize_config");
    if (!j.is_object()) throw Error(r.where() + "quantize_config must be an object");
    ConfigReader c(j, r.where() + "quantize_config: ");
    qc.weight_bits = static_cast<int>(c.integer("weight_bits", 8));
    qc.weight_per_channel = c.boolean("weight_per_channel", true);
    qc.activation_bits = static_cast<int>(c.integer("activation_bits", 8));
    qc.activation_range = parse_range_mode(c.string("activation_range", "moving_average"));
    qc.ema_decay = c.number("ema_decay", 0.999f);
    c.finish();
  }
  return std::make_shared<QuantizeWrapper>(std::move(inner), qc, n, annotate_only, std::move(bn));
}

const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> table = {
      {"Dense",
       [](ConfigReader& r, const std::string& n) {
         const int64_t units = r.required_integer("units");
         const Activation a = read_activation(r);
         return std::make_shared<DenseLayer>(units, a, r.boolean("use_bias", true), n);
       }},
      {"Conv2D",
       [](ConfigReader& r, const std::string& n) {
         const int64_t filters = r.required_integer("filters");
         const Window2D w = read_window(r, "kernel_size", false);
         const Activation a = read_activation(r);
         return std::make_shared<Conv2DLayer>(filters, w, a, r.boolean("use_bias", true), n);
       }},
      {"DepthwiseConv2D",
       [](ConfigReader& r, const std::string& n) {
         const Window2D w = read_window(r, "kernel_size", false);
         const int64_t m = r.integer("depth_multiplier", 1);
         const Activation a = read_activation(r);
         return std::make_shared<DepthwiseConv2DLayer>(w, m, a, r.boolean("use_bias", true), n);
       }},
      {"MaxPooling2D",
       [](ConfigReader& r, const std::string& n) {
         return std::make_shared<Pooling2DLayer>(true, read_window(r, "pool_size", true), n);
       }},
      {"AveragePooling2D",
       [](ConfigReader& r, const std::string& n) {
         return std::make_shared<Pooling2DLayer>(false, read_window(r, "pool_size", true), n);
       }},
      {"GlobalAveragePooling2D",
       [](ConfigReader&, const std::string& n) { return std::make_shared<GlobalAveragePooling2DLayer>(n); }},
      {"BatchNormalization",
       [](ConfigReader& r, const std::string& n) {
         const float momentum = r.number("momentum", 0.99f);
         return std::make_shared<BatchNormalizationLayer>(momentum, r.number("epsilon", 1e-3f), n);
       }},
      {"Flatten", [](ConfigReader&, const std::string& n) { return std::make_shared<FlattenLayer>(n); }},
      {"Reshape",
       [](ConfigReader& r, const std::string& n) {
         return std::make_shared<ReshapeLayer>(r.shape("target_shape"), n);
       }},
      {"Dropout",
       [](ConfigReader& r, const std::string& n) {
         if (!r.has("rate")) r.required_integer("rate");
         return std::make_shared<DropoutLayer>(r.number("rate", 0.0f), n);
       }},
      {"Activation",
       [](ConfigReader& r, const std::string& n) {
         return std::make_shared<ActivationLayer>("Activation", parse_activation(r.required_string("activation")), n);
       }},
      {"ReLU",
       [](ConfigReader& r, const std::string& n) {
         const float max_value = r.number("max_value", 0.0f);
         if (max_value != 0.0f && max_value != 6.0f)
           throw Error(r.where() + "only max_value 6 (ReLU6) is supported");
         return std::make_shared<ActivationLayer>(
             "ReLU", max_value == 6.0f ? Activation::kReLU6 : Activation::kReLU, n);
       }},
      {"Softmax",
       [](ConfigReader&, const std::string& n) {
         return std::make_shared<ActivationLayer>("Softmax", Activation::kSoftmax, n);
       }},
      {"Add", [](ConfigReader&, const std::string& n) { return std::make_shared<AddLayer>(n); }},
      {"FakeQuantWithMinMaxArgs",
       [](ConfigReader& r, const std::string& n) {
         return std::make_shared<FakeQuantLayer>("FakeQuantWithMinMaxArgs", read_quantizer(r, RangeMode::kFixed), n);
       }},
      {"FakeQuantWithMinMaxVars",
       [](ConfigReader& r, const std::string& n) {
         return std::make_shared<FakeQuantLayer>("FakeQuantWithMinMaxVars",
                                                 read_quantizer(r, RangeMode::kMovingAverage), n);
       }},
      {"QuantizeLayer",
       [](ConfigReader& r, const std::string& n) {
         return std::make_shared<FakeQuantLayer>("QuantizeLayer", read_quantizer(r, RangeMode::kAllValues), n);
       }},
      {"QuantizeWrapperV2", [](ConfigReader& r, const std::string& n) { return quantize_wrapper(r, n, false); }},
      {"QuantizeAnnotate", [](ConfigReader& r, const std::string& n) { return quantize_wrapper(r, n, true); }},
      {"Concatenate",
       [](ConfigReader& r, const std::string& n) {
         return std::make_shared<ConcatenateLayer>(static_cast<int>(r.integer("axis", -1)), n);
       }},
  };
  return table;
}

std::string known_types() {
  std::string s = "InputLayer";
  for (const auto& [k, v] : factories()) s += ", " + k;
  return s;
}

}  // namespace

nlohmann::json Model::to_config() const {
  nlohmann::json layers = nlohmann::json::array();
  for (size_t i = 0; i < impl_->nodes.size(); ++i) {
    nlohmann::json c = impl_->nodes[i].layer->config();
    if (!sequential_ && !impl_->nodes[i].is_input) c["inputs"] = inbound_layers(i);
    layers.push_back(std::move(c));
  }
  nlohmann::json j{{"name", name_}, {"sequential", sequential_}, {"layers", layers}};
  if (!sequential_) {
    std::vector<std::string> outs;
    for (int o : impl_->outputs) outs.push_back(impl_->node(o).layer->name());
    j["outputs"] = outs;
  }
  return j;
}

Model Model::from_config(const nlohmann::json& config, int64_t max_params) {
  ConfigReader top(config, "model spec: ");
  const std::string name = top.string("name", "model");
  const bool sequential_flag = top.boolean("sequential", false);
  top.ignore("format");
  top.ignore("version");
  const nlohmann::json& layers = top.raw("layers");
  if (!layers.is_array() || layers.empty()) throw Error("model spec: 'layers' must be a non-empty list");
  std::map<std::string, SymbolicTensor> named;
  std::vector<SymbolicTensor> inputs;
  std::optional<SymbolicTensor> previous;
  bool chain = true;
  int64_t params = 0;
  if (top.has("input_shape")) {
    inputs.push_back(Input(top.shape("input_shape")));
    previous = inputs.back();
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string label = "model spec: layer " + std::to_string(i + 1);
    ConfigReader r(layers[i], label + ": ");
    const std::string type = r.required_string("type");
    const std::string lname = r.string("name", "");
    const std::string where = label + (lname.empty() ? "" : " ('" + lname + "')") + " (" + type + "): ";
    ConfigReader lr(layers[i], where);
    lr.ignore("type");
    lr.ignore("name");
    if (!lname.empty() && named.count(lname)) throw Error(where + "the name is used twice");
    std::optional<SymbolicTensor> out;
    if (type == "InputLayer") {
      out = Input(lr.shape("shape"), lname);
      inputs.push_back(*out);
      if (previous) chain = false;
    } else {
      std::vector<SymbolicTensor> ins;
      if (lr.has("inputs")) {
        const auto& names = lr.raw("inputs");
        if (!names.is_array() || names.empty()) throw Error(where + "'inputs' must be a list of layer names");
        for (const auto& n : names) {
          if (!n.is_string() || !named.count(n.get<std::string>()))
            throw Error(where + "input " + n.dump() + " is not the name of an earlier layer");
          ins.push_back(named.at(n.get<std::string>()));
        }
        chain = chain && ins.size() == 1 && previous && ins[0].node() == previous->node();
      } else {
        if (!previous)
          throw Error(where + "has no input: start with an InputLayer or give 'input_shape'");
        ins.push_back(*previous);
      }
      auto it = factories().find(type);
      if (it == factories().end()) throw Error(where + "unknown layer type (known: " + known_types() + ")");
      std::shared_ptr<Layer> layer;
      try {
        layer = it->second(lr, lname);
        out = LayerRef(layer)(ins);
        params += layer->count_params();
        if (max_params >= 0 && params > max_params)
          throw Error(where + "the weights exceed the " + std::to_string(max_params) +
                      " values the file holds");
      } catch (const Error& e) {
        const std::string msg = e.what();
        throw Error(msg.rfind("model spec:", 0) == 0 ? msg : where + msg);
      }
    }
    lr.finish();
    if (!lname.empty()) named.emplace(lname, *out);
    previous = out;
  }
  std::vector<SymbolicTensor> outputs;
  if (top.has("outputs")) {
    const auto& names = top.raw("outputs");
    if (!names.is_array() || names.empty()) throw Error("model spec: 'outputs' must be a list of layer names");
    for (const auto& n : names) {
      if (!n.is_string() || !named.count(n.get<std::string>()))
        throw Error("model spec: output " + n.dump() + " is not the name of a layer");
      outputs.push_back(named.at(n.get<std::string>()));
    }
    chain = chain && outputs.size() == 1 && outputs[0].node() == previous->node();
  } else {
    outputs.push_back(*previous);
  }
  top.finish();
  if (inputs.empty()) throw Error("model spec: no InputLayer and no 'input_shape'");
  Model m(inputs, outputs, name);
  m.sequential_ = sequential_flag || (chain && inputs.size() == 1);
  return m;
}

}  // namespace lq
