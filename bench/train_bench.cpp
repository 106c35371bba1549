// Training speed on Fashion-MNIST: seconds per epoch (median) and test accuracy of the
// seed models, trained as the seeds do (Adam 1e-3, batch 32).
//   build/bench/train_bench [--epochs 5] [--threads 2] [--models cnn,mlp]
// PyTorch 1.13 on this machine (docs: ../shared/docs/PEERS.md): cnn 3.85 s/epoch,
// mlp 1.32 s/epoch with 2 threads.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "litequant/data/dataset.h"
#include "litequant/nn/zoo.h"

int main(int argc, char** argv) {
  int epochs = 5, threads = 2;
  std::string models = "cnn,mlp";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--epochs")) epochs = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--models")) models = argv[i + 1];
  }
  const auto ds = lq::data::load_dataset("fashion-mnist");
  std::printf("%-5s %7s %9s %9s %9s %9s\n", "model", "epochs", "median_s", "min_s", "max_s", "test_acc");
  std::stringstream names(models);
  for (std::string name; std::getline(names, name, ',');) {
    lq::Model m = lq::zoo::by_name(name);
    m.set_num_threads(threads);
    m.initialize(1);
    m.compile(lq::Adam(), lq::SparseCategoricalCrossentropy(true), {"accuracy"});
    lq::History h = m.fit(ds.train.images, ds.train.labels, {.epochs = epochs, .seed = 1, .verbose = 0});
    std::vector<double> t = h.epoch_seconds;
    std::sort(t.begin(), t.end());
    const double acc = m.evaluate(ds.test.images, ds.test.labels)["accuracy"];
    std::printf("%-5s %7d %9.3f %9.3f %9.3f %8.2f%%\n", name.c_str(), epochs, t[t.size() / 2], t.front(),
                t.back(), acc * 100);
  }
}
