// quantize_model / quantize_annotate_layer / quantize_apply / strip_quantization: rewrites
// of the model's architecture (Model::to_config) followed by a copy of the weights.
#include "litequant/quant/qat.h"

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "litequant/core/error.h"

namespace lq::quant {
namespace {

using nlohmann::json;

// The model as a list of layer configs with explicit inputs.
struct Graph {
  std::string name;
  bool sequential = false;
  std::vector<json> layers;                     // configs without "inputs"
  std::vector<std::vector<std::string>> inputs;  // per layer
  std::vector<std::string> outputs;

  explicit Graph(const Model& model) {
    const json c = model.to_config();
    name = c.value("name", "model");
    sequential = c.value("sequential", false);
    const auto all = model.layers();
    for (size_t i = 0; i < all.size(); ++i) {
      json l = c["layers"][i];
      l.erase("inputs");
      layers.push_back(std::move(l));
      inputs.push_back(model.inbound_layers(i));
    }
    if (c.contains("outputs")) {
      for (const auto& o : c["outputs"]) outputs.push_back(o.get<std::string>());
    } else {
      outputs.push_back(all.back()->name());
    }
  }
  Graph() = default;

  std::string type(size_t i) const { return layers[i].value("type", ""); }
  std::string layer_name(size_t i) const { return layers[i].value("name", ""); }
  int consumers(const std::string& n) const {
    int k = 0;
    for (const auto& ins : inputs) k += static_cast<int>(std::count(ins.begin(), ins.end(), n));
    return k;
  }
  // Read by exactly one layer and not a model output (what the converter may fuse).
  bool exclusive(const std::string& n) const {
    return consumers(n) == 1 && std::find(outputs.begin(), outputs.end(), n) == outputs.end();
  }
  std::optional<size_t> index_of(const std::string& n) const {
    for (size_t i = 0; i < layers.size(); ++i)
      if (layer_name(i) == n) return i;
    return std::nullopt;
  }

  json to_config() const {
    json ls = json::array();
    for (size_t i = 0; i < layers.size(); ++i) {
      json l = layers[i];
      if (type(i) != "InputLayer") l["inputs"] = inputs[i];
      ls.push_back(std::move(l));
    }
    return json{{"name", name}, {"sequential", sequential}, {"layers", ls}, {"outputs", outputs}};
  }
};

json config_json(const QuantizeConfig& q) {
  return {{"weight_bits", q.weight_bits},
          {"weight_per_channel", q.weight_per_channel},
          {"activation_bits", q.activation_bits},
          {"activation_range", range_mode_name(q.activation_range)},
          {"ema_decay", q.ema_decay}};
}

// The layer an annotation marks (or the layer itself).
const json& unannotated(const json& l) { return l.value("type", "") == "QuantizeAnnotate" ? l["layer"] : l; }

bool has_kernel(const std::string& type) { return type == "Dense" || type == "Conv2D" || type == "DepthwiseConv2D"; }

bool is_relu_layer(const json& l) {
  const std::string t = l.value("type", "");
  if (t == "ReLU") return true;
  if (t != "Activation") return false;
  const std::string a = l.value("activation", "");
  return a == "relu" || a == "relu6";
}

// Copies every weight of `from` into the layer of `to` that now holds it, matched by
// (layer, weight name); `home` maps a layer name of `from` to its layer in `to`.
void copy_weights(const Model& from, Model& to, const std::function<std::string(const std::string&)>& home) {
  for (Layer* src : from.layers()) {
    const auto weights = std::as_const(*src).weights();
    if (weights.empty()) continue;
    Layer* dst = to.get_layer(home(src->name()));
    for (const Weight* w : weights) {
      bool done = false;
      for (Weight* d : dst->weights()) {
        if (d->name != w->name || d->value.shape() != w->value.shape()) continue;
        d->value = w->value;
        done = true;
        break;
      }
      if (!done) throw Error("weight " + src->name() + "/" + w->name + " has no place in layer '" + dst->name() + "'");
    }
  }
}

Model build(const Graph& g, const std::string& what) {
  try {
    return Model::from_config(g.to_config());
  } catch (const Error& e) {
    throw Error(what + ": " + e.what());
  }
}

// The rewrite shared by quantize_model and quantize_apply: layer i is quantized with
// config(i) when it returns a value.
Model apply(const Model& model, const std::function<std::optional<QuantizeConfig>(size_t)>& config_of,
            const std::string& what) {
  if (is_quantization_aware(model)) throw Error(what + ": the model is already quantization-aware");
  const Graph in(model);
  Graph out;
  out.name = in.name;
  out.sequential = in.sequential;
  std::map<std::string, std::string> renamed;  // old layer name -> new producer of its value
  std::map<std::string, std::string> home;     // old layer name -> new layer holding its weights
  std::set<std::string> quantized;             // new names whose output is quantized
  std::map<std::string, std::string> quantize_layer_of;  // float producer -> its QuantizeLayer
  std::set<std::string> taken;
  for (size_t i = 0; i < in.layers.size(); ++i) taken.insert(in.layer_name(i));
  auto unique = [&](const std::string& base) {
    std::string n = base;
    for (int k = 1; taken.count(n); ++k) n = base + "_" + std::to_string(k);
    taken.insert(n);
    return n;
  };
  for (size_t i = 0; i < in.layers.size(); ++i) {
    const std::string name = in.layer_name(i), type = in.type(i);
    home[name] = renamed[name] = name;
    std::vector<std::string> ins;
    for (const auto& s : in.inputs[i]) ins.push_back(renamed.at(s));
    const std::optional<QuantizeConfig> qc = type == "InputLayer" ? std::nullopt : config_of(i);
    if (!qc) {
      json l = in.layers[i];
      if (type == "QuantizeAnnotate") l = l["layer"];  // annotation without quantize_apply effect
      out.layers.push_back(l);
      out.inputs.push_back(ins);
      continue;
    }
    // A BatchNormalization folded into the wrapper of the layer it alone follows.
    if (type == "BatchNormalization" && in.inputs[i].size() == 1) {
      const auto p = in.index_of(in.inputs[i][0]);
      const std::string producer = renamed.at(in.inputs[i][0]);
      const auto q = out.index_of(producer);
      const json& pl = p ? unannotated(in.layers[*p]) : in.layers[i];
      if (p && q && in.exclusive(in.inputs[i][0]) && has_kernel(pl.value("type", "")) &&
          pl.value("activation", "linear") == "linear" && out.layers[*q].value("type", "") == "QuantizeWrapperV2" &&
          !out.layers[*q].contains("batch_norm")) {
        out.layers[*q]["batch_norm"] = in.layers[i];
        renamed[name] = producer;
        home[name] = producer;
        continue;
      }
    }
    // Inputs from float layers (or the model input) get a QuantizeLayer.
    for (std::string& s : ins) {
      if (quantized.count(s)) continue;
      auto it = quantize_layer_of.find(s);
      if (it == quantize_layer_of.end()) {
        const std::string qn = unique("quantize_layer");
        out.layers.push_back(json{{"type", "QuantizeLayer"}, {"name", qn}, {"num_bits", 8}, {"range", "all_values"}});
        out.inputs.push_back({s});
        quantized.insert(qn);
        it = quantize_layer_of.emplace(s, qn).first;
      }
      s = it->second;
    }
    json inner = type == "QuantizeAnnotate" ? in.layers[i]["layer"] : in.layers[i];
    const std::string inner_name = inner.value("name", name);
    const std::string wn = unique("quant_" + inner_name);
    out.layers.push_back(json{{"type", "QuantizeWrapperV2"}, {"name", wn}, {"layer", inner}, {"quantize_config", config_json(*qc)}});
    out.inputs.push_back(ins);
    renamed[name] = home[name] = wn;
    quantized.insert(wn);
  }
  for (const auto& o : in.outputs) out.outputs.push_back(renamed.at(o));
  // No fake quantization between an op and the ReLU that alone reads it (TFLite fuses them).
  for (size_t i = 0; i < out.layers.size(); ++i) {
    json& l = out.layers[i];
    if (l.value("type", "") != "QuantizeWrapperV2") continue;
    const std::string inner_type = l["layer"].value("type", "");
    const bool fusable = (has_kernel(inner_type) && l["layer"].value("activation", "linear") == "linear") ||
                         inner_type == "Add";
    if (!fusable || !out.exclusive(l.value("name", ""))) continue;
    for (size_t j = i + 1; j < out.layers.size(); ++j) {
      if (out.inputs[j].size() != 1 || out.inputs[j][0] != l.value("name", "")) continue;
      const json& c = out.layers[j];
      if (c.value("type", "") == "QuantizeWrapperV2" && is_relu_layer(c["layer"])) l["quantize_config"]["activation_bits"] = 0;
    }
  }
  Model result = build(out, what);
  copy_weights(model, result, [&](const std::string& n) { return home.at(n); });
  return result;
}

QuantizeConfig read_config(const json& j) {
  QuantizeConfig q;
  q.weight_bits = j.value("weight_bits", 8);
  q.weight_per_channel = j.value("weight_per_channel", true);
  q.activation_bits = j.value("activation_bits", 8);
  q.activation_range = parse_range_mode(j.value("activation_range", "moving_average"));
  q.ema_decay = j.value("ema_decay", 0.999f);
  return q;
}

}  // namespace

bool is_quantization_aware(const Model& model) {
  for (Layer* l : model.layers()) {
    if (dynamic_cast<FakeQuantLayer*>(l)) return true;
    if (auto* w = dynamic_cast<QuantizeWrapper*>(l); w && !w->annotate_only()) return true;
  }
  return false;
}

Model quantize_model(const Model& model, const QuantizeConfig& config) {
  for (Layer* l : model.layers())
    if (l->type() == "QuantizeAnnotate")
      throw Error("quantize_model: the model has annotated layers; use quantize_apply");
  return apply(model, [&](size_t) { return std::optional<QuantizeConfig>(config); }, "quantize_model");
}

LayerRef quantize_annotate_layer(const LayerRef& layer, const QuantizeConfig& config) {
  if (dynamic_cast<QuantizeWrapper*>(layer.ptr().get()) || dynamic_cast<FakeQuantLayer*>(layer.ptr().get()))
    throw Error("quantize_annotate_layer: layer '" + layer->name() + "' is already a quantization layer");
  if (layer->built()) throw Error("quantize_annotate_layer: layer '" + layer->name() + "' is already part of a model");
  return LayerRef(std::make_shared<QuantizeWrapper>(layer.ptr(), config, "", true));
}

Model quantize_apply(const Model& annotated) {
  const Graph g(annotated);
  bool any = false;
  for (size_t i = 0; i < g.layers.size(); ++i) any = any || g.type(i) == "QuantizeAnnotate";
  if (!any) throw Error("quantize_apply: no layer is annotated (use quantize_annotate_layer or quantize_model)");
  return apply(
      annotated,
      [&](size_t i) -> std::optional<QuantizeConfig> {
        if (g.type(i) == "QuantizeAnnotate") return read_config(g.layers[i]["quantize_config"]);
        // A BatchNormalization right after an annotated layer is folded into it.
        if (g.type(i) == "BatchNormalization" && g.inputs[i].size() == 1) {
          const auto p = g.index_of(g.inputs[i][0]);
          if (p && g.type(*p) == "QuantizeAnnotate") return read_config(g.layers[*p]["quantize_config"]);
        }
        return std::nullopt;
      },
      "quantize_apply");
}

Model strip_quantization(const Model& model) {
  const Graph in(model);
  Graph out;
  out.name = in.name;
  out.sequential = in.sequential;
  std::map<std::string, std::string> renamed, home;
  for (size_t i = 0; i < in.layers.size(); ++i) {
    const std::string name = in.layer_name(i), type = in.type(i);
    std::vector<std::string> ins;
    for (const auto& s : in.inputs[i]) ins.push_back(renamed.at(s));
    if (type == "QuantizeLayer" || type == "FakeQuantWithMinMaxArgs" || type == "FakeQuantWithMinMaxVars") {
      renamed[name] = ins.at(0);
      home[name] = "";
      continue;
    }
    if (type == "QuantizeWrapperV2" || type == "QuantizeAnnotate") {
      const json& l = in.layers[i];
      const std::string inner = l["layer"].value("name", "");
      out.layers.push_back(l["layer"]);
      out.inputs.push_back(ins);
      renamed[name] = home[name] = inner;
      if (l.contains("batch_norm")) {
        const std::string bn = l["batch_norm"].value("name", "");
        out.layers.push_back(l["batch_norm"]);
        out.inputs.push_back({inner});
        renamed[name] = bn;
      }
      continue;
    }
    out.layers.push_back(in.layers[i]);
    out.inputs.push_back(ins);
    renamed[name] = home[name] = name;
  }
  for (const auto& o : in.outputs) out.outputs.push_back(renamed.at(o));
  Model result = build(out, "strip_quantization");
  // Weights: each float layer takes its weights from the wrapper (or itself).
  for (Layer* src : model.layers()) {
    if (home.count(src->name()) && home.at(src->name()).empty()) continue;
    std::vector<Layer*> targets{result.get_layer(home.at(src->name()))};
    if (auto* w = dynamic_cast<QuantizeWrapper*>(src); w && w->batch_norm())
      targets.push_back(result.get_layer(w->batch_norm()->name()));
    for (const Weight* wt : std::as_const(*src).weights()) {
      for (Layer* t : targets)
        for (Weight* d : t->weights())
          if (d->name == wt->name && d->value.shape() == wt->value.shape()) d->value = wt->value;
    }
  }
  return result;
}

QatExport qat_export_info(const Model& model) {
  QatExport info;
  std::map<std::string, std::string> tensor;  // qat layer name -> tensor name in the stripped model
  const auto layers = model.layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    Layer* l = layers[i];
    const auto ins = model.inbound_layers(i);
    auto grid_entry = [&](const std::vector<fq::Grid>& grids, int bits, const std::string& key) {
      if (grids.size() != 1)
        throw Error("layer '" + l->name() + "': per-channel activation ranges cannot be exported (TFLite activations are per tensor)");
      info.activations[key] = {grids[0].scale, grids[0].int8_zero_point(bits), bits};
    };
    if (auto* f = dynamic_cast<FakeQuantLayer*>(l)) {
      tensor[l->name()] = tensor.at(ins.at(0));
      grid_entry(f->grids(), f->spec().num_bits, tensor[l->name()]);
    } else if (auto* w = dynamic_cast<QuantizeWrapper*>(l); w && !w->annotate_only()) {
      const std::string inner = w->layer().name();
      // Values that pass through (Dropout) keep their input's tensor.
      tensor[l->name()] = w->layer().type() == "Dropout" ? tensor.at(ins.at(0)) : inner;
      info.quantized_layers.insert(inner);
      if (w->batch_norm()) info.quantized_layers.insert(w->batch_norm()->name());
      if (w->quantizes_weights()) {
        info.weight_bits[inner] = w->config().weight_bits;
        if (!w->config().weight_per_channel) info.per_tensor_layers.insert(inner);
      }
      if (w->quantizes_output()) grid_entry(w->output_grids(), w->output_bits(), tensor[l->name()]);
    } else if (auto* a = dynamic_cast<QuantizeWrapper*>(l)) {
      tensor[l->name()] = a->layer().name();
    } else {
      tensor[l->name()] = l->type() == "Dropout" ? tensor.at(ins.at(0)) : l->name();
    }
  }
  return info;
}

}  // namespace lq::quant
