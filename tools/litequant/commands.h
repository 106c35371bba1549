#pragma once
// Subcommands of the litequant CLI. Each registers its options on `app` and runs when
// selected; errors are thrown as lq::Error and reported by main().
#include <CLI/CLI.hpp>
#include <string>

#include "litequant/data/dataset.h"
#include "litequant/nn/model.h"

namespace lq::cli {

void add_train(CLI::App& app);
void add_qat(CLI::App& app);  // quantization-aware fine-tuning
void add_evaluate(CLI::App& app);
void add_summary(CLI::App& app);
void add_convert(CLI::App& app);
void add_compare(CLI::App& app);  // the main job's comparison table
void add_tflite_commands(CLI::App& app);  // inspect, run
void add_bench(CLI::App& app);            // inference speed of a .tflite file

// How `litequant convert` quantizes (see TFLiteConverter).
struct QuantizeArgs {
  std::string quantize = "none";  // none, float16, dynamic, int8, int8-only
  std::string io = "float32";     // int8 models: float32, int8 or uint8 inputs/outputs
  int64_t representative = 100;   // calibration samples: the first N training images
  bool per_tensor = false;
  bool pack_int4 = false;  // quantization-aware models with <= 4-bit weights
  std::vector<std::string> float_layers;
  std::string data = "fashion-mnist";
  bool data_given = false;  // --data on the command line (quantization-aware models calibrate only then)
  int threads = 1;
};
// The .tflite bytes of `model` converted as `a` says; `data` supplies calibration images
// (required for int8).
std::vector<uint8_t> convert_model(const Model& model, const QuantizeArgs& a, const data::DatasetSplits* data);

// True when `path` is a TensorFlow Lite flatbuffer (identifier "TFL3" at byte 4).
bool is_tflite_file(const std::string& path);

// A trained model (.lqm) or an architecture spec (.json, freshly initialised).
Model load_any_model(const std::string& path);
// Reshapes [N, ...] data to the model's input shape when the per-sample sizes agree.
Tensor shape_for_model(const Tensor& data, const Shape& model_input, const std::string& what);
// Sparse categorical crossentropy, from logits unless the model ends in a softmax.
std::shared_ptr<Loss> default_loss(const Model& model);
// Prints the standard "loss/accuracy" report, or JSON.
struct EvalReport {
  std::string model, dataset;
  int64_t samples = 0;
  double loss = 0, accuracy = 0, seconds = 0;
};
void print_report(const EvalReport& r, bool json);

}  // namespace lq::cli
