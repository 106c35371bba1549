// Inference speed of the seed models in litequant's interpreter, float32 against each
// quantized form, at batch 256 (images per second, median of repeated invokes).
//   build/bench/inference_bench [--batch 256] [--threads 1] [--repeats 20] [--models cnn,mlp,convnet]
// Weights are a fixed random initialisation (speed does not depend on their values);
// int8 calibration uses 100 random images in [0, 1].
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "litequant/convert/converter.h"
#include "litequant/core/rng.h"
#include "litequant/nn/zoo.h"
#include "litequant/runtime/interpreter.h"

namespace {

double median_seconds(lq::runtime::Interpreter& it, int repeats) {
  it.invoke();  // warm-up
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    it.invoke();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int batch = 256, threads = 1, repeats = 20;
  std::string models = "cnn,mlp";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--batch")) batch = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--repeats")) repeats = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--models")) models = argv[i + 1];
  }
  std::printf("batch %d, %d thread(s), median of %d invokes\n", batch, threads, repeats);
  std::printf("%-5s %-14s %12s %12s %10s\n", "model", "variant", "ms/batch", "images/s", "vs float");
  std::stringstream names(models);
  for (std::string name; std::getline(names, name, ',');) {
    // convnet takes 32x32x3 images (its own default); cnn and mlp 28x28.
    lq::Model m = name == "convnet" ? lq::zoo::convnet() : lq::zoo::by_name(name);
    m.initialize(1);
    lq::Shape shape = m.input_shape();
    shape.insert(shape.begin(), 100);
    lq::Tensor representative(shape);
    lq::Rng rng(3);
    for (int64_t i = 0; i < representative.size(); ++i) representative[i] = rng.uniform(0.0f, 1.0f);
    struct Variant {
      const char* name;
      void (*configure)(lq::TFLiteConverter&);
    };
    const Variant variants[] = {
        {"float32", [](lq::TFLiteConverter&) {}},
        {"float16", [](lq::TFLiteConverter& c) {
           c.optimizations = {lq::Optimize::kDefault};
           c.target_spec.supported_types = {lq::tflite::TensorType::kFloat16};
         }},
        {"dynamic", [](lq::TFLiteConverter& c) { c.optimizations = {lq::Optimize::kDefault}; }},
        {"int8", nullptr},
    };
    double float_seconds = 0;
    for (const Variant& v : variants) {
      lq::TFLiteConverter c = lq::TFLiteConverter::from_keras_model(m);
      if (v.configure) {
        v.configure(c);
      } else {
        c.optimizations = {lq::Optimize::kDefault};
        c.target_spec.supported_ops = {lq::OpsSet::kBuiltinsInt8};
        c.representative_dataset = {representative};
        c.inference_input_type = c.inference_output_type = lq::tflite::TensorType::kInt8;
      }
      lq::runtime::Interpreter it = lq::runtime::Interpreter::from_bytes(c.convert(), v.name, {.num_threads = threads});
      auto in_shape = it.get_input_details()[0].shape;
      in_shape[0] = batch;
      it.resize_input_tensor(0, in_shape);
      it.allocate_tensors();
      const double s = median_seconds(it, repeats);
      if (float_seconds == 0) float_seconds = s;
      std::printf("%-5s %-14s %12.3f %12.0f %9.2fx\n", name.c_str(), v.name, s * 1e3, batch / s, float_seconds / s);
    }
  }
}
