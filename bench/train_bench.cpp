// Training speed on Fashion-MNIST: seconds per epoch (median) and test accuracy of the
// seed models, trained as the seeds do (Adam 1e-3, batch 32). "<model>-qat" trains the
// model quantization-aware from scratch (quantize_model) and reports its epoch time as a
// ratio to the float model's measured in the same run.
//   build/bench/train_bench [--epochs 5] [--threads 2] [--models cnn,mlp,cnn-qat,mlp-qat]
// PyTorch 1.13 on this machine (docs: ../shared/docs/PEERS.md): cnn 3.85 s/epoch,
// mlp 1.32 s/epoch with 2 threads; cnn QAT 6.98 s/epoch = 1.81x float.
#include <algorithm>
#include <map>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "litequant/data/dataset.h"
#include "litequant/nn/zoo.h"
#include "litequant/quant/qat.h"

int main(int argc, char** argv) {
  int epochs = 5, threads = 2;
  std::string models = "cnn,mlp,cnn-qat,mlp-qat";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--epochs")) epochs = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--models")) models = argv[i + 1];
  }
  const auto ds = lq::data::load_dataset("fashion-mnist");
  std::printf("%-8s %7s %9s %9s %9s %9s %9s\n", "model", "epochs", "median_s", "min_s", "max_s", "test_acc",
              "vs_float");
  std::stringstream names(models);
  std::map<std::string, double> float_median;
  for (std::string name; std::getline(names, name, ',');) {
    const bool qat = name.size() > 4 && name.substr(name.size() - 4) == "-qat";
    const std::string base = qat ? name.substr(0, name.size() - 4) : name;
    lq::Model m = lq::zoo::by_name(base);
    m.initialize(1);
    if (qat) m = lq::quant::quantize_model(m);
    m.set_num_threads(threads);
    m.compile(lq::Adam(), lq::SparseCategoricalCrossentropy(true), {"accuracy"});
    lq::History h = m.fit(ds.train.images, ds.train.labels, {.epochs = epochs, .seed = 1, .verbose = 0});
    std::vector<double> t = h.epoch_seconds;
    std::sort(t.begin(), t.end());
    const double acc = m.evaluate(ds.test.images, ds.test.labels)["accuracy"];
    const double median = t[t.size() / 2];
    if (!qat) float_median[base] = median;
    const auto f = float_median.find(base);
    const std::string ratio = qat && f != float_median.end() ? std::to_string(median / f->second).substr(0, 4) + "x" : "";
    std::printf("%-8s %7d %9.3f %9.3f %9.3f %8.2f%% %9s\n", name.c_str(), epochs, median, t.front(), t.back(),
                acc * 100, ratio.c_str());
  }
}
