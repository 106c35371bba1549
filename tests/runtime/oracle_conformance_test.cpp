// What the converter writes runs in the real TensorFlow Lite runtime and gives what
// litequant's interpreter gives; files the oracle's own generator writes run here too.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "common/oracle.h"
#include "common/test_models.h"
#include "litequant/convert/converter.h"
#include "litequant/core/file.h"
#include "litequant/data/dataset.h"
#include "litequant/nn/layers.h"
#include "litequant/nn/zoo.h"
#include "litequant/runtime/interpreter.h"
#include "nn/test_util.h"

namespace lq::runtime {
namespace {
namespace fs = std::filesystem;
using namespace lq::layers;

class Conformance : public ::testing::Test {
 protected:
  void SetUp() override {
    LQ_REQUIRE_ORACLE();
    dir_ = fs::temp_directory_path() /
           ("lq_conf_" + std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // 1000 test images (Fashion-MNIST when installed, else uniform noise) as [n, 28, 28, c].
  static Tensor images(int64_t n, int64_t channels) {
    Tensor x({n, 28, 28, channels});
    if (fs::exists(data::kFashionMnistDir) && channels == 1) {
      const auto ds = data::load_dataset("fashion-mnist");
      std::copy(ds.test.images.data(), ds.test.images.data() + x.size(), x.data());
    } else {
      x = test::random_tensor({n, 28, 28, channels}, 3, 0.0f, 1.0f);
    }
    return x;
  }

  // Converts `m`, runs every image in the real runtime and in litequant, compares.
  void check(const Model& m, const Tensor& x) {
    const auto bytes = TFLiteConverter::from_keras_model(m).convert();
    const std::string model = (dir_ / "model.tflite").string(), input = (dir_ / "input.bin").string();
    write_file_atomic(model, bytes.data(), bytes.size());
    write_file_atomic(input, x.data(), static_cast<size_t>(x.size()) * 4);
    const auto r = test::run_oracle(model, input, (dir_ / "oracle").string(), true);
    ASSERT_EQ(r.status, 0) << "the real TFLite runtime rejected the file:\n" << r.output;
    const auto expected = read_file((dir_ / "oracle" / "output_0.bin").string());

    Interpreter it = Interpreter::from_bytes(bytes, "model.tflite");
    std::vector<int32_t> shape{static_cast<int32_t>(x.dim(0))};
    for (int d = 1; d < x.rank(); ++d) shape.push_back(static_cast<int32_t>(x.dim(d)));
    const auto in_shape = it.get_input_details()[0].shape;
    shape.resize(1);
    shape.insert(shape.end(), in_shape.begin() + 1, in_shape.end());
    it.resize_input_tensor(0, shape);
    it.allocate_tensors();
    it.set_tensor<float>(it.get_input_details()[0].index, std::span<const float>(x.data(), static_cast<size_t>(x.size())));
    it.invoke();
    const auto got = it.get_tensor<float>(it.get_output_details()[0].index);
    ASSERT_EQ(expected.size(), got.size_bytes());
    const float* want = reinterpret_cast<const float*>(expected.data());
    double worst = 0;
    int64_t over = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      const double d = std::abs(double(got[i]) - want[i]);
      worst = std::max(worst, d);
      over += d > 1e-5;
    }
    std::printf("%s: %zu values from %lld images compared with real TFLite, max |diff| %.3g, %lld over 1e-5\n",
                m.name().c_str(), got.size(), static_cast<long long>(x.dim(0)), worst, static_cast<long long>(over));
    EXPECT_EQ(over, 0);
  }
  fs::path dir_;
};

TEST_F(Conformance, SeedCnn) {
  Model m = zoo::cnn();
  m.initialize(5);
  check(m, images(1000, 1));
}

TEST_F(Conformance, SeedMlp) {
  Model m = zoo::mlp();
  m.initialize(6);
  check(m, images(1000, 1));
}

// Add, Concatenate, DepthwiseConv2D, BatchNormalization (folded and standalone), both
// paddings, strides, ReLU6, average pooling, global pooling, softmax.
TEST_F(Conformance, FunctionalModel) {
  Model m = test::functional_test_model();
  check(m, images(1000, 1));
}

// Float models built by the oracle's own generator (not by litequant).
TEST_F(Conformance, ForeignFloatModels) {
  const auto gen = test::shell("/usr/bin/python3 " + test::shell_quote(test::oracle_dir() + "/testgen/make_test_models.py") +
                               " " + test::shell_quote(dir_.string()));
  ASSERT_EQ(gen.status, 0) << gen.output;
  for (const char* name : {"fc_f32", "fc_f16w"}) {
    const std::string model = (dir_ / (std::string(name) + ".tflite")).string();
    const fs::path out = dir_ / name;
    const auto r = test::run_oracle(model, "random:11", out.string(), false);
    ASSERT_EQ(r.status, 0) << r.output;
    Interpreter it = Interpreter::from_file(model);
    it.allocate_tensors();
    const auto input = read_file((out / "input_0.bin").string());
    it.set_tensor(it.get_input_details()[0].index, input.data(), input.size(), tflite::TensorType::kFloat32);
    it.invoke();
    const auto expected = read_file((out / "output_0.bin").string());
    const auto got = it.get_tensor<float>(it.get_output_details()[0].index);
    ASSERT_EQ(expected.size(), got.size_bytes()) << name;
    const float* want = reinterpret_cast<const float*>(expected.data());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5 + 1e-6 * std::abs(want[i])) << name << " [" << i << "]";
  }
}

}  // namespace
}  // namespace lq::runtime
