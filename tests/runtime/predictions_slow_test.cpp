// On all 10k Fashion-MNIST test images, the converted .tflite model run by litequant's
// interpreter predicts exactly what the trained model predicts.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "litequant/convert/converter.h"
#include "litequant/data/dataset.h"
#include "litequant/nn/zoo.h"
#include "litequant/runtime/evaluate.h"

namespace lq::runtime {
namespace {

TEST(Predictions, TfliteEqualsTrainedModelOnAllTestImages) {
  if (!std::filesystem::exists(data::kFashionMnistDir))
    GTEST_SKIP() << "Fashion-MNIST not installed: apt-get install dataset-fashion-mnist";
  const auto ds = data::load_dataset("fashion-mnist");
  for (const char* name : {"cnn", "mlp"}) {
    Model m = zoo::by_name(name);
    m.set_num_threads(2);
    m.initialize(1);
    m.compile(Adam(), SparseCategoricalCrossentropy(true), {"accuracy"});
    m.fit(ds.train.images, ds.train.labels, {.epochs = 1, .seed = 1, .verbose = 0});
    const Tensor scores = m.predict(ds.test.images, 256);
    const double model_acc = m.evaluate(ds.test.images, ds.test.labels, {.batch_size = 256})["accuracy"];

    Interpreter it = Interpreter::from_bytes(TFLiteConverter::from_keras_model(m).convert(), std::string(name) + ".tflite");
    const int64_t n = ds.test.size();
    const ClassifierResult r =
        evaluate_classifier(it, ds.test.images.data(), n, 784, ds.test.labels.data(), 500);
    int64_t differ = 0;
    for (int64_t i = 0; i < n; ++i) {
      const float* row = scores.data() + i * 10;
      differ += r.predictions[static_cast<size_t>(i)] != std::max_element(row, row + 10) - row;
    }
    std::printf("%s: %lld of %lld predictions differ; accuracy %.2f%% (.tflite) vs %.2f%% (trained model)\n", name,
                static_cast<long long>(differ), static_cast<long long>(n), r.accuracy * 100, model_acc * 100);
    EXPECT_EQ(differ, 0);
    EXPECT_DOUBLE_EQ(r.accuracy, model_acc);
  }
}

}  // namespace
}  // namespace lq::runtime
