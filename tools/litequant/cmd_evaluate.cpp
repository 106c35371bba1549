// litequant evaluate / summary.
#include <chrono>
#include <nlohmann/json.hpp>
#include <iostream>

#include "commands.h"
#include "litequant/core/error.h"
#include "litequant/runtime/evaluate.h"

namespace lq::cli {
namespace {
struct EvalArgs {
  std::string model, data = "fashion-mnist";
  bool json = false;
  int64_t batch_size = 256;
  int threads = 0;
};

// A .tflite file: run every test image through the interpreter.
void run_evaluate_tflite(const EvalArgs& a) {
  runtime::Interpreter it = runtime::Interpreter::from_file(a.model, {.num_threads = std::max(a.threads, 1)});
  const data::DatasetSplits ds = data::load_dataset(a.data);
  const int64_t n = ds.test.size();
  const auto start = std::chrono::steady_clock::now();
  const runtime::ClassifierResult r = runtime::evaluate_classifier(
      it, ds.test.images.data(), n, ds.test.images.size() / n, ds.test.labels.data(), a.batch_size);
  print_report({a.model, ds.name, n, r.loss, r.accuracy,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()},
               a.json);
}

void run_evaluate(const EvalArgs& a) {
  if (is_tflite_file(a.model)) return run_evaluate_tflite(a);
  Model model = load_any_model(a.model);
  model.set_num_threads(a.threads);
  const data::DatasetSplits ds = data::load_dataset(a.data);
  // Evaluation needs only the loss; the optimizer is irrelevant here.
  model.compile(Adam(), model.compiled() ? loss_from_config(model.loss()->config()) : default_loss(model),
                {"accuracy"});
  const Tensor x = shape_for_model(ds.test.images, model.input_shape(), ds.name + " test");
  const auto start = std::chrono::steady_clock::now();
  Logs logs = model.evaluate(x, ds.test.labels, {.batch_size = a.batch_size});
  EvalReport r{a.model, ds.name, ds.test.size(), logs["loss"], logs["accuracy"],
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
  print_report(r, a.json);
}
}  // namespace

void add_evaluate(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("evaluate", "Loss and accuracy of a model on a test set");
  cmd->add_option("model", args->model, "trained model (.lqm) or .tflite file")->required();
  cmd->add_option("--data", args->data, "fashion-mnist, or a directory of IDX files")->capture_default_str();
  cmd->add_flag("--json", args->json, "print one JSON object");
  cmd->add_option("--batch-size", args->batch_size)->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--threads", args->threads, "0 = all cores")->capture_default_str();
  cmd->callback([args] { run_evaluate(*args); });
}

void add_summary(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("summary", "Print the Keras summary table of a model");
  cmd->add_option("model", *path, "trained model (.lqm) or model spec (.json)")->required();
  cmd->callback([path] { load_any_model(*path).summary(std::cout); });
}

}  // namespace lq::cli
