// Activation ranges of a float model over a representative dataset.
#include <algorithm>
#include <cmath>

#include "litequant/core/error.h"
#include "litequant/quant/ptq.h"
#include "litequant/runtime/interpreter.h"
#include "model_edit.h"

namespace lq::quant {
namespace {

void check_dataset(const tflite::Model& m, const std::vector<Tensor>& dataset) {
  if (dataset.size() != m.inputs.size())
    throw Error("representative dataset: the model has " + std::to_string(m.inputs.size()) + " input(s), got " +
                std::to_string(dataset.size()) + " tensor(s)");
  int64_t samples = -1;
  for (size_t i = 0; i < dataset.size(); ++i) {
    const Tensor& d = dataset[i];
    const auto& want = m.tensors[static_cast<size_t>(m.inputs[i])].shape;
    const std::string what = "representative dataset input " + std::to_string(i);
    if (d.rank() == 0 || d.dim(0) == 0) throw Error(what + " is empty");
    bool same = static_cast<size_t>(d.rank()) == want.size();
    for (size_t k = 1; same && k < want.size(); ++k) same = d.dim(static_cast<int>(k)) == want[k];
    if (!same) {
      std::string got = "[";
      for (int k = 0; k < d.rank(); ++k) got += (k ? ", " : "") + std::to_string(d.dim(k));
      std::string expected = "[N";
      for (size_t k = 1; k < want.size(); ++k) expected += ", " + std::to_string(want[k]);
      throw Error(what + " has shape " + got + "], the model takes " + expected + "]");
    }
    if (samples >= 0 && d.dim(0) != samples)
      throw Error("representative dataset: inputs have different sample counts");
    samples = d.dim(0);
    for (int64_t e = 0; e < d.size(); ++e)
      if (!std::isfinite(d[e]))
        throw Error(what + " holds a non-finite value (" + std::to_string(d[e]) + ") at element " + std::to_string(e));
  }
}

}  // namespace

std::vector<TensorRange> calibrate(const tflite::Model& float_model, const std::vector<Tensor>& dataset,
                                   int num_threads, int64_t batch) {
  check_dataset(float_model, dataset);
  // Every computed tensor becomes an output, so the memory plan keeps them all.
  tflite::Model probe = float_model;
  probe.outputs.clear();
  for (const auto& op : probe.operators)
    for (int32_t t : op.outputs) probe.outputs.push_back(t);
  runtime::Interpreter it(probe, {num_threads});
  std::vector<TensorRange> ranges(float_model.tensors.size());
  auto observe = [&](int t, const float* v, size_t n) {
    TensorRange& r = ranges[static_cast<size_t>(t)];
    for (size_t i = 0; i < n; ++i) {
      if (!std::isfinite(v[i]))
        throw Error("calibration: tensor " + std::to_string(t) + " ('" + float_model.tensors[static_cast<size_t>(t)].name +
                    "') took a non-finite value");
      if (!r.seen) r.min = r.max = v[i], r.seen = true;
      r.min = std::min(r.min, v[i]);
      r.max = std::max(r.max, v[i]);
    }
  };
  const int64_t n = dataset[0].dim(0);
  int64_t current = -1;
  for (int64_t start = 0; start < n; start += batch) {
    const int64_t count = std::min(batch, n - start);
    if (count != current) {
      for (size_t i = 0; i < dataset.size(); ++i) {
        auto shape = float_model.tensors[static_cast<size_t>(float_model.inputs[i])].shape;
        shape[0] = static_cast<int32_t>(count);
        it.resize_input_tensor(i, shape);
      }
      it.allocate_tensors();
      current = count;
    }
    for (size_t i = 0; i < dataset.size(); ++i) {
      const int64_t per = dataset[i].size() / n;
      const float* x = dataset[i].data() + start * per;
      it.set_tensor<float>(float_model.inputs[i], std::span<const float>(x, static_cast<size_t>(count * per)));
      observe(float_model.inputs[i], x, static_cast<size_t>(count * per));
    }
    it.invoke();
    for (int32_t t : probe.outputs) {
      if (float_model.tensors[static_cast<size_t>(t)].type != tflite::TensorType::kFloat32) continue;
      const auto v = it.get_tensor<float>(t);
      observe(t, v.data(), v.size());
    }
  }
  return ranges;
}

tflite::Quantization asymmetric_int8(float min, float max) {
  min = std::min(min, 0.0f);
  max = std::max(max, 0.0f);
  float scale = (max - min) / 255.0f;
  if (!(max - min >= 1e-8f)) scale = 1.0f / 255.0f;
  const double zero_from_min = -128.0 - static_cast<double>(min) / scale;
  const int64_t zp = static_cast<int64_t>(std::clamp(std::round(zero_from_min), -128.0, 127.0));
  return {{scale}, {zp}, 0};
}

}  // namespace lq::quant
