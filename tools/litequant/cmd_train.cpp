// litequant train: fit a built-in model or a JSON spec on an IDX dataset and save it
// (--qat: quantization-aware from scratch). litequant qat: fine-tune a trained model with
// fake quantization (seed 001's recipe).
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "litequant/core/error.h"
#include "litequant/nn/serialization.h"
#include "litequant/nn/zoo.h"
#include "litequant/quant/qat.h"

namespace lq::cli {
namespace {
struct TrainArgs {
  std::string data = "fashion-mnist";
  std::string model = "cnn";
  std::string out;
  std::string optimizer = "adam";
  int epochs = 5;
  int64_t batch_size = 32;
  float learning_rate = 1e-3f;
  float momentum = 0.0f;
  bool nesterov = false;
  uint64_t seed = 1;
  int threads = 0;
  float validation_split = 0.0f;
  bool no_validation = false;
  int verbose = 1;
  // Quantization-aware training.
  bool qat = false;
  int weight_bits = 8;
  int activation_bits = 8;
  std::string model_path;  // qat: the trained float model
  int64_t samples = 0;     // qat: the first N training images (0 = all)
};

std::shared_ptr<Optimizer> make_optimizer(const TrainArgs& a) {
  if (a.optimizer == "adam") return Adam(a.learning_rate);
  if (a.optimizer == "sgd") return SGD(a.learning_rate, a.momentum, a.nesterov);
  throw Error("--optimizer must be adam or sgd, got '" + a.optimizer + "'");
}

Model quantization_aware(const Model& model, const TrainArgs& a) {
  QuantizeConfig c;
  c.weight_bits = a.weight_bits;
  c.activation_bits = a.activation_bits;
  return quant::quantize_model(model, c);
}

// Fits on the first `samples` training images (all when 0); validation as train's options say.
History fit_on(Model& model, const data::DatasetSplits& ds, const TrainArgs& a, int64_t samples) {
  Tensor x = shape_for_model(ds.train.images, model.input_shape(), ds.name + " training");
  Tensor y = ds.train.labels;
  if (samples > 0 && samples < x.dim(0)) {
    const int64_t per = x.size() / x.dim(0);
    Shape xs = x.shape();
    xs[0] = samples;
    x = Tensor(xs, std::vector<float>(x.data(), x.data() + samples * per));
    y = Tensor({samples}, std::vector<float>(y.data(), y.data() + samples));
  }
  const Tensor vx = shape_for_model(ds.test.images, model.input_shape(), ds.name + " test");
  FitOptions fit{.epochs = a.epochs, .batch_size = a.batch_size, .seed = a.seed, .verbose = a.verbose};
  if (a.validation_split > 0.0f) fit.validation_split = a.validation_split;
  else if (!a.no_validation) {
    fit.validation_x = &vx;
    fit.validation_y = &ds.test.labels;
  }
  return model.fit(x, y, fit);
}

void report_time(const History& h, const Model& model, int epochs) {
  double total = 0;
  for (double s : h.epoch_seconds) total += s;
  std::printf("trained %d epochs in %.2f s (%.2f s/epoch, %d threads)\n", epochs, total,
              epochs ? total / epochs : 0.0, model.num_threads());
}

void save_to(Model& model, const std::string& out) {
  if (out.empty()) return;
  save_model(model, out);
  std::printf("saved %s\n", out.c_str());
}

void run_train(const TrainArgs& a) {
  const data::DatasetSplits ds = data::load_dataset(a.data);
  const Shape image(ds.train.images.shape().begin() + 1, ds.train.images.shape().end());
  const bool is_spec = std::filesystem::path(a.model).extension() == ".json";
  Model model = is_spec ? load_any_model(a.model) : zoo::by_name(a.model, image, ds.num_classes);
  model.initialize(a.seed);
  if (a.qat) model = quantization_aware(model, a);
  model.set_num_threads(a.threads);
  model.compile(make_optimizer(a), default_loss(model), {"accuracy"});
  model.summary(std::cout);
  report_time(fit_on(model, ds, a, 0), model, a.epochs);
  save_to(model, a.out);
}

void run_qat(const TrainArgs& a) {
  const data::DatasetSplits ds = data::load_dataset(a.data);
  Model base = load_any_model(a.model_path);
  Model model = quantization_aware(base, a);
  model.set_num_threads(a.threads);
  base.set_num_threads(a.threads);
  model.compile(make_optimizer(a), default_loss(model), {"accuracy"});
  model.summary(std::cout);
  report_time(fit_on(model, ds, a, a.samples), model, a.epochs);
  const Tensor tx = shape_for_model(ds.test.images, model.input_shape(), ds.name + " test");
  base.compile(make_optimizer(a), default_loss(base), {"accuracy"});
  const Logs float_logs = base.evaluate(tx, ds.test.labels, {.batch_size = 256});
  const Logs qat_logs = model.evaluate(tx, ds.test.labels, {.batch_size = 256});
  std::printf("float test accuracy: %.2f%%\nquantization-aware test accuracy (simulated int8): %.2f%%\n",
              100 * float_logs.at("accuracy"), 100 * qat_logs.at("accuracy"));
  save_to(model, a.out);
}

void add_fit_options(CLI::App* cmd, TrainArgs& a) {
  cmd->add_option("--data", a.data, "fashion-mnist, or a directory of IDX files")->capture_default_str();
  cmd->add_option("--out,-o", a.out, "where to save the trained model (.lqm)");
  cmd->add_option("--epochs", a.epochs)->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--batch-size", a.batch_size)->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--optimizer", a.optimizer, "adam or sgd")->capture_default_str();
  cmd->add_option("--learning-rate,--lr", a.learning_rate)->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--momentum", a.momentum, "SGD momentum")->capture_default_str()->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--nesterov", a.nesterov, "SGD with Nesterov momentum");
  cmd->add_option("--seed", a.seed, "weights, shuffling and dropout")->capture_default_str();
  cmd->add_option("--threads", a.threads, "0 = all cores")->capture_default_str();
  cmd->add_option("--validation-split", a.validation_split,
                  "validate on this last fraction of the training data instead of the test set")
      ->check(CLI::Range(0.0, 0.99));
  cmd->add_flag("--no-validation", a.no_validation, "skip validation after each epoch");
  cmd->add_option("--verbose", a.verbose, "0 silent, 1 progress bar, 2 one line per epoch")
      ->capture_default_str()->check(CLI::Range(0, 2));
}

void add_bits_options(CLI::App* cmd, TrainArgs& a) {
  cmd->add_option("--weight-bits", a.weight_bits, "quantization-aware: bits of the weight grid (2-8)")
      ->capture_default_str()->check(CLI::Range(2, 8));
  cmd->add_option("--activation-bits", a.activation_bits, "quantization-aware: bits of the activations (2-8)")
      ->capture_default_str()->check(CLI::Range(2, 8));
}
}  // namespace

void add_train(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "Train a built-in model (cnn, mlp) or a JSON spec");
  cmd->add_option("--model", args->model, "cnn, mlp, or a model spec .json")->capture_default_str();
  add_fit_options(cmd, *args);
  cmd->add_flag("--qat", args->qat, "quantization-aware training from scratch (quantize_model before fit)");
  add_bits_options(cmd, *args);
  cmd->callback([args] { run_train(*args); });
}

void add_qat(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  args->epochs = 1;
  args->batch_size = 500;
  CLI::App* cmd = app.add_subcommand("qat", "Fine-tune a trained model with quantization-aware training");
  cmd->add_option("model", args->model_path, "trained float model (.lqm)")->required();
  add_fit_options(cmd, *args);
  cmd->add_option("--samples", args->samples, "train on the first N training images (0 = all)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  add_bits_options(cmd, *args);
  cmd->callback([args] { run_qat(*args); });
}

}  // namespace lq::cli
