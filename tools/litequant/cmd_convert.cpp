// litequant convert: a trained model to TensorFlow Lite, float or quantized.
#include <algorithm>
#include <cstdio>
#include <optional>

#include "commands.h"
#include "litequant/convert/converter.h"
#include "litequant/core/error.h"
#include "litequant/core/file.h"
#include "litequant/quant/qat.h"

namespace lq::cli {
namespace {

tflite::TensorType io_type(const std::string& s) {
  if (s == "float32") return tflite::TensorType::kFloat32;
  if (s == "int8") return tflite::TensorType::kInt8;
  if (s == "uint8") return tflite::TensorType::kUInt8;
  throw Error("--io must be float32, int8 or uint8, got '" + s + "'");
}

// The first n training images, shaped for the model.
Tensor representative_sample(const data::DatasetSplits& data, int64_t n, const Model& model) {
  if (n < 1) throw Error("--representative must be at least 1, got " + std::to_string(n));
  const Tensor& train = data.train.images;
  n = std::min<int64_t>(n, train.dim(0));
  const int64_t per = train.size() / train.dim(0);
  Shape shape = train.shape();
  shape[0] = n;
  Tensor sample(shape);
  std::copy(train.data(), train.data() + n * per, sample.data());
  return shape_for_model(sample, model.input_shape(), "representative");
}

}  // namespace

std::vector<uint8_t> convert_model(const Model& model, const QuantizeArgs& a, const data::DatasetSplits* data) {
  TFLiteConverter c = TFLiteConverter::from_keras_model(model);
  c.per_channel = !a.per_tensor;
  c.num_threads = a.threads;
  c.float_layers = a.float_layers;
  const bool int8 = a.quantize == "int8" || a.quantize == "int8-only";
  if (quant::is_quantization_aware(model)) {
    // Learned ranges: int8 without calibration data (--quantize int8 adds calibration for
    // tensors without a fake-quant range, e.g. fake-quant layers placed by hand).
    if (a.quantize != "none" && !int8)
      throw Error("a quantization-aware model converts to int8 with its learned ranges; --quantize " + a.quantize +
                  " needs the float model");
    if (int8 && data && a.data_given)
      c.representative_dataset = {representative_sample(*data, a.representative, model)};
    if (a.quantize == "int8-only") c.target_spec.supported_ops = {OpsSet::kBuiltinsInt8};
    c.inference_input_type = c.inference_output_type = io_type(a.io);
    c.pack_int4 = a.pack_int4;
    return c.convert();
  }
  if (a.pack_int4) throw Error("--pack-int4 applies to quantization-aware models with weights of 4 bits or fewer");
  if (a.quantize == "float16") {
    c.optimizations = {Optimize::kDefault};
    c.target_spec.supported_types = {tflite::TensorType::kFloat16};
  } else if (a.quantize == "dynamic") {
    c.optimizations = {Optimize::kDefault};
  } else if (int8) {
    c.optimizations = {Optimize::kDefault};
    if (a.quantize == "int8-only") c.target_spec.supported_ops = {OpsSet::kBuiltinsInt8};
    if (!data) throw Error("int8 quantization needs a dataset for calibration");
    c.representative_dataset = {representative_sample(*data, a.representative, model)};
  } else if (a.quantize != "none") {
    throw Error("--quantize must be float16, dynamic, int8 or int8-only, got '" + a.quantize + "'");
  }
  if (a.io != "float32" && !int8) throw Error("--io " + a.io + " needs --quantize int8 or int8-only");
  c.inference_input_type = c.inference_output_type = io_type(a.io);
  return c.convert();
}

void add_convert(CLI::App& app) {
  auto a = std::make_shared<QuantizeArgs>();
  auto in = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("convert", "Convert a trained model (.lqm) to TensorFlow Lite, optionally quantized");
  cmd->add_option("model", *in, "trained model (.lqm) or spec (.json)")->required();
  cmd->add_option("--out,-o", *out, "the .tflite file to write")->required();
  cmd->add_option("--quantize", a->quantize, "none, float16, dynamic, int8 (float fallback) or int8-only")
      ->capture_default_str();
  cmd->add_option("--io", a->io, "input/output type of int8 models: float32, int8 or uint8")->capture_default_str();
  cmd->add_option("--representative", a->representative, "calibration samples (first N training images)")
      ->capture_default_str();
  cmd->add_flag("--per-tensor", a->per_tensor, "one weight scale per tensor instead of per output channel");
  cmd->add_flag("--pack-int4", a->pack_int4,
                "quantization-aware models with <= 4-bit weights: store them as packed INT4 (TFLite 2.14+, TFLite Micro)");
  cmd->add_option("--float-layers", a->float_layers, "layers kept in float32 (--quantize int8)")->delimiter(',');
  cmd->add_option("--data", a->data,
                  "calibration data: fashion-mnist, or a directory of IDX files (quantization-aware models: "
                  "ranges for tensors without a fake-quant range)")
      ->capture_default_str();
  cmd->add_option("--threads", a->threads, "threads for calibration")->capture_default_str();
  cmd->callback([a, in, out, cmd] {
    const Model m = load_any_model(*in);
    std::optional<data::DatasetSplits> ds;
    const bool qat = quant::is_quantization_aware(m);
    a->data_given = cmd->count("--data") > 0;
    if ((a->quantize == "int8" || a->quantize == "int8-only") && (!qat || a->data_given))
      ds = data::load_dataset(a->data);
    const auto bytes = convert_model(m, *a, ds ? &*ds : nullptr);
    write_file_atomic(*out, bytes.data(), bytes.size());
    const std::string mode = qat ? (a->quantize == "int8-only" ? "int8-only" : "int8") + std::string(", learned ranges")
                                 : a->quantize == "none" ? "float32" : a->quantize;
    std::printf("wrote %s (%zu bytes, %s)\n", out->c_str(), bytes.size(), mode.c_str());
  });
}

}  // namespace lq::cli
