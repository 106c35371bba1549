// litequant compare: one trained model converted five ways (float32, float16, dynamic
// range, int8 with float fallback, int8 only with uint8 I/O), plus quantization-aware
// models of it (--qat LABEL=FILE, exported with their learned ranges), each run by the
// interpreter on the whole test set: the table of seed 001, as text, JSON and a PNG chart.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "chart.h"
#include "commands.h"
#include "litequant/core/error.h"
#include "litequant/core/file.h"
#include "litequant/quant/qat.h"
#include "litequant/runtime/evaluate.h"

namespace lq::cli {
namespace {
namespace fs = std::filesystem;

struct CompareArgs {
  std::string model, data = "fashion-mnist", out_dir = "out";
  int64_t representative = 100;
  int threads = 1;
  std::vector<std::string> qat;  // LABEL=FILE
};

struct Technique {
  std::string name, file_suffix, quantize, io;
  std::string model_path;  // a quantization-aware model instead of the float one
};

struct Row {
  std::string technique, file, input_type, output_type;
  size_t bytes = 0;
  double accuracy = 0;
};

std::string io_name(const runtime::TensorDetails& d) { return tflite::type_name(d.dtype); }

void run_compare(const CompareArgs& a) {
  const Model model = load_any_model(a.model);
  const data::DatasetSplits ds = data::load_dataset(a.data);
  fs::create_directories(a.out_dir);
  const std::string stem = fs::path(a.model).stem().string();
  const std::vector<Technique> techniques{{"float32", "float32", "none", "float32"},
                                          {"float16", "float16", "float16", "float32"},
                                          {"dynamic range", "dynamic", "dynamic", "float32"},
                                          {"int8 (float fallback)", "int8", "int8", "float32"},
                                          {"int8 only (uint8 I/O)", "int8_only_uint8", "int8-only", "uint8"}};
  std::vector<Technique> all = techniques;
  for (const std::string& spec : a.qat) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      throw Error("--qat expects LABEL=FILE, got '" + spec + "'");
    const std::string path = spec.substr(eq + 1);
    all.push_back({spec.substr(0, eq), fs::path(path).stem().string(), "none", "float32", path});
  }
  const int64_t n = ds.test.size();
  std::vector<Row> rows;
  for (const Technique& t : all) {
    QuantizeArgs q;
    q.quantize = t.quantize;
    q.io = t.io;
    q.representative = a.representative;
    q.threads = a.threads;
    std::optional<Model> qat;
    if (!t.model_path.empty()) {
      qat = load_any_model(t.model_path);
      if (!quant::is_quantization_aware(*qat))
        throw Error(t.model_path + ": not a quantization-aware model (make one with litequant qat or train --qat)");
    }
    const auto bytes = convert_model(qat ? *qat : model, q, &ds);
    const std::string file = (t.model_path.empty() ? stem + "_" : std::string()) + t.file_suffix + ".tflite";
    const std::string path = (fs::path(a.out_dir) / file).string();
    write_file_atomic(path, bytes.data(), bytes.size());
    runtime::Interpreter it = runtime::Interpreter::from_file(path, {.num_threads = a.threads});
    const auto r = runtime::evaluate_classifier(it, ds.test.images.data(), n, ds.test.images.size() / n,
                                                ds.test.labels.data());
    rows.push_back({t.name, path, io_name(it.get_input_details()[0]), io_name(it.get_output_details()[0]), bytes.size(),
                    r.accuracy});
  }
  std::printf("%s on %s (%lld test images)\n\n", a.model.c_str(), ds.name.c_str(), static_cast<long long>(n));
  std::printf("%-30s %10s %7s %10s %8s  %-8s %-8s\n", "technique", "size (KB)", "of float", "accuracy", "vs float",
              "input", "output");
  nlohmann::json rows_json = nlohmann::json::array();
  for (const Row& r : rows) {
    const double kb = static_cast<double>(r.bytes) / 1000.0;
    const double ratio = static_cast<double>(r.bytes) / static_cast<double>(rows[0].bytes);
    const double delta = 100.0 * (r.accuracy - rows[0].accuracy);
    std::printf("%-30s %10.3f %7.1f%% %9.2f%% %+7.2f%%  %-8s %-8s\n", r.technique.c_str(), kb, 100.0 * ratio,
                100.0 * r.accuracy, delta, r.input_type.c_str(), r.output_type.c_str());
    rows_json.push_back({{"technique", r.technique}, {"file", r.file}, {"bytes", r.bytes}, {"size_kb", kb},
                         {"size_vs_float", ratio}, {"accuracy", r.accuracy}, {"accuracy_delta_vs_float", delta / 100.0},
                         {"input_type", r.input_type}, {"output_type", r.output_type}});
  }
  const nlohmann::json report{{"model", a.model}, {"dataset", ds.name}, {"test_samples", n},
                              {"representative_samples", a.representative}, {"rows", rows_json}};
  const std::string json_path = (fs::path(a.out_dir) / (stem + "_comparison.json")).string();
  const std::string text = report.dump(2) + "\n";
  write_file_atomic(json_path, text.data(), text.size());
  std::vector<ChartRow> chart;
  for (const Row& r : rows)
    chart.push_back({r.technique, r.accuracy * 100.0, static_cast<double>(r.bytes) / 1000.0,
                     "I/O: " + r.input_type + " -> " + r.output_type});
  const std::string png_path = (fs::path(a.out_dir) / (stem + "_comparison.png")).string();
  write_comparison_chart_png(png_path, stem + " on " + ds.name + ": one model, " + std::to_string(rows.size()) +
                                           " conversions", chart);
  std::printf("\nwrote %s and %s\n", json_path.c_str(), png_path.c_str());
}
}  // namespace

void add_compare(CLI::App& app) {
  auto a = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Convert a model five ways (float32, float16, dynamic, int8, int8-only) and compare size and accuracy");
  cmd->add_option("model", a->model, "trained model (.lqm)")->required();
  cmd->add_option("--data", a->data, "fashion-mnist, or a directory of IDX files")->capture_default_str();
  cmd->add_option("--out-dir", a->out_dir, "where the .tflite files, the JSON and the PNG chart go")
      ->capture_default_str();
  cmd->add_option("--representative", a->representative, "calibration samples (first N training images)")
      ->capture_default_str();
  cmd->add_option("--threads", a->threads)->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--qat", a->qat, "LABEL=FILE: a quantization-aware model of it (exported to int8) as another row");
  cmd->callback([a] { run_compare(*a); });
}

}  // namespace lq::cli
