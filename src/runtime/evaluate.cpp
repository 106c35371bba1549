#include "litequant/runtime/evaluate.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "litequant/kernels/common.h"

namespace lq::runtime {
namespace {
using tflite::TensorType;

// Writes `count` samples into the input tensor, quantizing when it is integer.
void feed(Interpreter& it, const TensorDetails& in, const float* x, int64_t count) {
  const std::vector<uint8_t> bytes = encode_input(in, x, count);
  it.set_tensor(in.index, bytes.data(), bytes.size(), in.dtype);
}

// The output as floats.
std::vector<float> fetch(const Interpreter& it, const TensorDetails& out) {
  if (out.dtype == TensorType::kFloat32) {
    auto v = it.get_tensor<float>(out.index);
    return {v.begin(), v.end()};
  }
  if ((out.dtype != TensorType::kInt8 && out.dtype != TensorType::kUInt8) || out.quantization.scale.size() != 1)
    throw Error("evaluate: output '" + out.name + "' of type " + tflite::type_name(out.dtype) +
                " is not float32 or per-tensor int8/uint8");
  const float scale = out.quantization.scale[0];
  const int64_t zp = out.quantization.zero_point.empty() ? 0 : out.quantization.zero_point[0];
  auto raw = it.tensor_bytes(out.index);
  std::vector<float> v(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const int q = out.dtype == TensorType::kInt8 ? static_cast<int8_t>(raw[i]) : raw[i];
    v[i] = static_cast<float>(q - zp) * scale;
  }
  return v;
}
}  // namespace

std::vector<uint8_t> encode_input(const TensorDetails& in, const float* x, int64_t count) {
  if (in.dtype == TensorType::kFloat32) {
    std::vector<uint8_t> bytes(static_cast<size_t>(count) * sizeof(float));
    std::memcpy(bytes.data(), x, bytes.size());
    return bytes;
  }
  if ((in.dtype != TensorType::kInt8 && in.dtype != TensorType::kUInt8) || in.quantization.scale.size() != 1)
    throw Error("evaluate: input '" + in.name + "' of type " + tflite::type_name(in.dtype) +
                " is not float32 or per-tensor int8/uint8");
  const float scale = in.quantization.scale[0];
  const int64_t zp = in.quantization.zero_point.empty() ? 0 : in.quantization.zero_point[0];
  const int lo = in.dtype == TensorType::kInt8 ? -128 : 0, hi = in.dtype == TensorType::kInt8 ? 127 : 255;
  std::vector<uint8_t> q(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const long v = std::lround(x[i] / scale) + static_cast<long>(zp);
    // The byte of the clamped value: two's complement for int8, plain for uint8.
    q[static_cast<size_t>(i)] = static_cast<uint8_t>(std::clamp<long>(v, lo, hi) & 0xFF);
  }
  return q;
}

ClassifierResult evaluate_classifier(Interpreter& it, const float* images, int64_t n, int64_t sample_size,
                                     const float* labels, int64_t batch) {
  if (it.get_input_details().size() != 1 || it.get_output_details().size() != 1)
    throw Error("evaluate: the model must have one input and one output");
  if (n <= 0 || batch <= 0) throw Error("evaluate: no samples");
  const auto& ops = it.model().operators;
  const bool softmax = !ops.empty() && ops.back().opcode == static_cast<int32_t>(tflite::Op::kSoftmax);
  std::vector<int32_t> shape = it.get_input_details()[0].shape;
  int64_t per_sample = 1;
  for (size_t d = 1; d < shape.size(); ++d) per_sample *= shape[d];
  if (shape.empty() || per_sample != sample_size)
    throw Error("evaluate: the model input " + kernels::dims_string(shape) + " does not take samples of " +
                std::to_string(sample_size) + " values");
  ClassifierResult r;
  r.samples = n;
  double loss = 0;
  int32_t current = -1;
  for (int64_t b = 0; b < n; b += batch) {
    const int32_t count = static_cast<int32_t>(std::min(batch, n - b));
    if (count != current) {
      shape[0] = count;
      it.resize_input_tensor(0, shape);
      it.allocate_tensors();
      current = count;
    }
    feed(it, it.get_input_details()[0], images + b * sample_size, count * sample_size);
    it.invoke();
    const std::vector<float> out = fetch(it, it.get_output_details()[0]);
    const int64_t classes = static_cast<int64_t>(out.size()) / count;
    for (int32_t i = 0; i < count; ++i) {
      const float* row = out.data() + i * classes;
      const int32_t guess = static_cast<int32_t>(std::max_element(row, row + classes) - row);
      const int64_t label = static_cast<int64_t>(labels[b + i]);
      r.predictions.push_back(guess);
      r.correct += guess == label;
      if (label < 0 || label >= classes) throw Error("evaluate: label " + std::to_string(label) + " is not a class");
      if (softmax) {
        loss -= std::log(std::clamp<double>(row[label], 1e-7, 1.0 - 1e-7));
      } else {
        const double mx = *std::max_element(row, row + classes);
        double z = 0;
        for (int64_t c = 0; c < classes; ++c) z += std::exp(row[c] - mx);
        loss -= row[label] - mx - std::log(z);
      }
    }
  }
  r.accuracy = static_cast<double>(r.correct) / static_cast<double>(n);
  r.loss = loss / static_cast<double>(n);
  return r;
}

}  // namespace lq::runtime
