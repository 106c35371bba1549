#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "litequant/core/error.h"
#include "litequant/core/file.h"
#include "litequant/nn/serialization.h"

namespace lq::cli {

Model load_any_model(const std::string& path) {
  if (path.size() >= 5 && path.substr(path.size() - 5) == ".json") {
    const std::vector<uint8_t> bytes = read_file(path, 64u << 20);
    nlohmann::json spec;
    try {
      spec = nlohmann::json::parse(bytes.begin(), bytes.end());
    } catch (const std::exception& e) {
      throw Error(path + ": invalid JSON: " + e.what());
    }
    try {
      return Model::from_config(spec);
    } catch (const Error& e) {
      throw Error(path + ": " + e.what());
    }
  }
  return load_model(path);
}

bool is_tflite_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char head[8] = {};
  f.read(head, 8);
  return f.gcount() == 8 && std::string(head + 4, 4) == "TFL3";
}

std::shared_ptr<Loss> default_loss(const Model& model) {
  const Layer* last = model.layers().back();
  const bool softmax = last->type() == "Softmax" || last->config().value("activation", "") == "softmax";
  return SparseCategoricalCrossentropy(!softmax);
}

Tensor shape_for_model(const Tensor& data, const Shape& model_input, const std::string& what) {
  const Shape sample(data.shape().begin() + 1, data.shape().end());
  Tensor out = data;
  if (sample == model_input) return out;
  if (num_elements(sample) != num_elements(model_input))
    throw Error(what + " samples have shape " + to_string(sample) + " but the model expects " +
                to_string(model_input));
  out.reshape(with_batch(data.dim(0), model_input));
  return out;
}

void print_report(const EvalReport& r, bool json) {
  if (json) {
    nlohmann::json j{{"model", r.model},   {"dataset", r.dataset}, {"samples", r.samples},
                     {"loss", r.loss},     {"accuracy", r.accuracy}, {"seconds", r.seconds}};
    std::cout << j.dump() << "\n";
    return;
  }
  std::printf("%s on %s test set (%lld images): loss %.4f, accuracy %.2f%%\n", r.model.c_str(),
              r.dataset.c_str(), static_cast<long long>(r.samples), r.loss, r.accuracy * 100.0);
}

}  // namespace lq::cli
