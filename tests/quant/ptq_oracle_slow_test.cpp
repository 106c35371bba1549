// Every quantized model the converter makes from the seed cnn, the mlp and the
// functional test model runs in litequant exactly as in the real TensorFlow Lite runtime,
// on the whole Fashion-MNIST test set: int8 outputs byte-identical, float16 and dynamic
// range within 1e-5 relative. Also: accuracy of each variant against the float model,
// and file sizes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>

#include "common/fashion_mnist_oracle.h"
#include "common/op_oracle.h"
#include "common/test_models.h"
#include "litequant/convert/converter.h"
#include "litequant/data/dataset.h"
#include "litequant/nn/zoo.h"
#include "litequant/runtime/evaluate.h"

namespace lq::quant {
namespace {
using tflite::TensorType;

struct Variant {
  std::string name;
  std::function<void(TFLiteConverter&)> configure;
  double rel_tol = 0.0;        // float outputs
  double max_accuracy_drop = 0.005;
};

std::vector<Variant> variants(const Tensor& representative) {
  auto int8 = [representative](TFLiteConverter& c) {
    c.optimizations = {Optimize::kDefault};
    c.representative_dataset = {representative};
  };
  auto int8_only = [int8](TensorType io) {
    return [int8, io](TFLiteConverter& c) {
      int8(c);
      c.target_spec.supported_ops = {OpsSet::kBuiltinsInt8};
      c.inference_input_type = c.inference_output_type = io;
    };
  };
  return {
      {"float16", [](TFLiteConverter& c) {
         c.optimizations = {Optimize::kDefault};
         c.target_spec.supported_types = {TensorType::kFloat16};
       }, 1e-5},
      {"dynamic", [](TFLiteConverter& c) { c.optimizations = {Optimize::kDefault}; }, 1e-5},
      {"int8", int8, 0.0, 0.002},
      {"int8_per_tensor", [int8](TFLiteConverter& c) { int8(c); c.per_channel = false; }},
      {"int8_only_int8_io", int8_only(TensorType::kInt8), 0.0, 0.002},
      {"int8_only_uint8_io", int8_only(TensorType::kUInt8), 0.0, 0.002},
  };
}

class PtqOracle : public test::FashionMnistOracleTest {
 protected:
  // Converts `m` every way; checks bit-exactness with the oracle on all test images and,
  // for the trained seed models, each variant's accuracy and file size against float.
  void check(const Model& m, const std::string& label, bool trained) {
    const int64_t n = ds_.test.size();
    Shape sample_shape = m.input_shape();
    sample_shape.insert(sample_shape.begin(), 100);
    Tensor representative(sample_shape);
    std::copy(ds_.train.images.data(), ds_.train.images.data() + representative.size(), representative.data());
    const auto float_bytes = TFLiteConverter::from_keras_model(m).convert();
    runtime::Interpreter float_it = runtime::Interpreter::from_bytes(float_bytes, "float.tflite");
    const double float_acc =
        trained ? runtime::evaluate_classifier(float_it, ds_.test.images.data(), n, 784, ds_.test.labels.data()).accuracy
                : 0.0;
    int64_t compared = 0, differ = 0;
    for (const Variant& v : variants(representative)) {
      auto c = TFLiteConverter::from_keras_model(m);
      v.configure(c);
      const tflite::Model q = c.convert_to_model();
      const auto bytes = tflite::write_model(q);
      runtime::Interpreter it = runtime::Interpreter::from_bytes(bytes, v.name + ".tflite");
      const auto input = runtime::encode_input(it.get_input_details()[0], ds_.test.images.data(), ds_.test.images.size());
      const std::string name = label + "_" + v.name;
      const auto r = test::compare_batch_with_oracle(name, q, input, static_cast<int32_t>(n), v.rel_tol);
      EXPECT_EQ(r.differ, 0) << name;
      EXPECT_GT(r.compared, 0) << name;
      compared += r.compared;
      differ += r.differ;
      if (!trained) continue;  // untrained: accuracy and size say nothing
      const double acc =
          runtime::evaluate_classifier(it, ds_.test.images.data(), n, 784, ds_.test.labels.data()).accuracy;
      const double ratio = static_cast<double>(bytes.size()) / static_cast<double>(float_bytes.size());
      std::printf("  %s: accuracy %.2f%% (float %.2f%%, %+.2f%%), %zu bytes = %.1f%% of float\n", name.c_str(),
                  100 * acc, 100 * float_acc, 100 * (acc - float_acc), bytes.size(), 100 * ratio);
      EXPECT_LE(float_acc - acc, v.max_accuracy_drop) << name;
      if (v.name.rfind("int8", 0) == 0) {
        EXPECT_LE(ratio, 0.30) << name;
      }
      if (v.name == "float16") {
        EXPECT_LE(ratio, 0.55) << name;
      }
    }
    std::printf("%s: %lld outputs compared with real TFLite over all variants, %lld differ\n", label.c_str(),
                static_cast<long long>(compared), static_cast<long long>(differ));
  }

  Model trained(const char* name) {
    Model m = zoo::by_name(name);
    m.set_num_threads(2);
    m.initialize(1);
    m.compile(Adam(), SparseCategoricalCrossentropy(true), {"accuracy"});
    m.fit(ds_.train.images, ds_.train.labels, {.epochs = 1, .seed = 1, .verbose = 0});
    return m;
  }

};

TEST_F(PtqOracle, SeedCnn) { check(trained("cnn"), "cnn", true); }
TEST_F(PtqOracle, SeedMlp) { check(trained("mlp"), "mlp", true); }
// Untrained (random BatchNormalization statistics): exactness only.
TEST_F(PtqOracle, FunctionalModel) { check(test::functional_test_model(), "functional", false); }

// An op kept in float between DEQUANTIZE and QUANTIZE (float fallback), bit-exact too.
TEST_F(PtqOracle, FloatFallbackLayer) {
  Model m = trained("cnn");
  Tensor representative({100, 28, 28});
  std::copy(ds_.train.images.data(), ds_.train.images.data() + representative.size(), representative.data());
  auto c = TFLiteConverter::from_keras_model(m);
  c.optimizations = {Optimize::kDefault};
  c.representative_dataset = {representative};
  for (const Layer* l : m.layers())
    if (l->type() == "MaxPooling2D") c.float_layers = {l->name()};
  ASSERT_EQ(c.float_layers.size(), 1u);
  const tflite::Model q = c.convert_to_model();
  int float_ops = 0;
  for (const auto& op : q.operators)
    float_ops += op.opcode == static_cast<int32_t>(tflite::Op::kMaxPool2D) &&
                 q.tensors[static_cast<size_t>(op.inputs[0])].type == TensorType::kFloat32;
  EXPECT_EQ(float_ops, 1);
  const auto bytes = tflite::write_model(q);
  runtime::Interpreter it = runtime::Interpreter::from_bytes(bytes, "fallback.tflite");
  const auto r = test::compare_batch_with_oracle("cnn_float_fallback", q, runtime::encode_input(it.get_input_details()[0], ds_.test.images.data(), ds_.test.images.size()),
                                                 static_cast<int32_t>(ds_.test.size()));
  EXPECT_EQ(r.differ, 0);
}

}  // namespace
}  // namespace lq::quant
