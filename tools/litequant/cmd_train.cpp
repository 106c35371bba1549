// litequant train: fit a built-in model or a JSON spec on an IDX dataset and save it.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "litequant/core/error.h"
#include "litequant/nn/serialization.h"
#include "litequant/nn/zoo.h"

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
};

void run_train(const TrainArgs& a) {
  const data::DatasetSplits ds = data::load_dataset(a.data);
  const Shape image(ds.train.images.shape().begin() + 1, ds.train.images.shape().end());
  const bool is_spec = std::filesystem::path(a.model).extension() == ".json";
  Model model = is_spec ? load_any_model(a.model) : zoo::by_name(a.model, image, ds.num_classes);
  model.set_num_threads(a.threads);
  model.initialize(a.seed);
  std::shared_ptr<Optimizer> opt;
  if (a.optimizer == "adam") opt = Adam(a.learning_rate);
  else if (a.optimizer == "sgd") opt = SGD(a.learning_rate, a.momentum, a.nesterov);
  else throw Error("--optimizer must be adam or sgd, got '" + a.optimizer + "'");
  model.compile(opt, default_loss(model), {"accuracy"});
  model.summary(std::cout);

  const Tensor x = shape_for_model(ds.train.images, model.input_shape(), ds.name + " training");
  const Tensor vx = shape_for_model(ds.test.images, model.input_shape(), ds.name + " test");
  FitOptions fit{.epochs = a.epochs, .batch_size = a.batch_size, .seed = a.seed, .verbose = a.verbose};
  if (a.validation_split > 0.0f) fit.validation_split = a.validation_split;
  else if (!a.no_validation) {
    fit.validation_x = &vx;
    fit.validation_y = &ds.test.labels;
  }
  const History h = model.fit(x, ds.train.labels, fit);
  double total = 0;
  for (double s : h.epoch_seconds) total += s;
  std::printf("trained %d epochs in %.2f s (%.2f s/epoch, %d threads)\n", a.epochs, total,
              a.epochs ? total / a.epochs : 0.0, model.num_threads());
  if (!a.out.empty()) {
    save_model(model, a.out);
    std::printf("saved %s\n", a.out.c_str());
  }
}
}  // namespace

void add_train(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "Train a built-in model (cnn, mlp) or a JSON spec");
  cmd->add_option("--data", args->data, "fashion-mnist, or a directory of IDX files")->capture_default_str();
  cmd->add_option("--model", args->model, "cnn, mlp, or a model spec .json")->capture_default_str();
  cmd->add_option("--out,-o", args->out, "where to save the trained model (.lqm)");
  cmd->add_option("--epochs", args->epochs)->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--batch-size", args->batch_size)->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--optimizer", args->optimizer, "adam or sgd")->capture_default_str();
  cmd->add_option("--learning-rate,--lr", args->learning_rate)->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--momentum", args->momentum, "SGD momentum")->capture_default_str()->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--nesterov", args->nesterov, "SGD with Nesterov momentum");
  cmd->add_option("--seed", args->seed, "weights, shuffling and dropout")->capture_default_str();
  cmd->add_option("--threads", args->threads, "0 = all cores")->capture_default_str();
  cmd->add_option("--validation-split", args->validation_split,
                  "validate on this last fraction of the training data instead of the test set")
      ->check(CLI::Range(0.0, 0.99));
  cmd->add_flag("--no-validation", args->no_validation, "skip validation after each epoch");
  cmd->add_option("--verbose", args->verbose, "0 silent, 1 progress bar, 2 one line per epoch")
      ->capture_default_str()->check(CLI::Range(0, 2));
  cmd->callback([args] { run_train(*args); });
}

}  // namespace lq::cli
