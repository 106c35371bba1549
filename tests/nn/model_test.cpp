#include "litequant/nn/model.h"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "litequant/core/error.h"
#include "litequant/nn/layers.h"
#include "litequant/nn/zoo.h"
#include "test_util.h"

namespace lq {
namespace {
using namespace lq::layers;

TEST(Model, SeedCnnSummaryMatchesKeras) {
  Model m = zoo::cnn();
  std::ostringstream s;
  m.summary(s);
  // Keras 2.x layout (seed 001): name (type) | output shape | params, 65 columns.
  const std::string expected =
      "Model: \"sequential\"\n"
      "_________________________________________________________________\n"
      "Layer (type)                 Output Shape              Param #\n"
      "=================================================================\n"
      "reshape (Reshape)            (None, 28, 28, 1)         0\n"
      "_________________________________________________________________\n"
      "conv2d (Conv2D)              (None, 26, 26, 12)        120\n"
      "_________________________________________________________________\n"
      "max_pooling2d (MaxPooling2D) (None, 13, 13, 12)        0\n"
      "_________________________________________________________________\n"
      "flatten (Flatten)            (None, 2028)              0\n"
      "_________________________________________________________________\n"
      "dense (Dense)                (None, 10)                20290\n"
      "=================================================================\n"
      "Total params: 20,410\n"
      "Trainable params: 20,410\n"
      "Non-trainable params: 0\n"
      "_________________________________________________________________\n";
  EXPECT_EQ(s.str(), expected);
}

TEST(Model, MlpParamsAndDefaultNames) {
  Model m = zoo::mlp();
  EXPECT_EQ(m.count_params(), 101770);
  std::vector<std::string> names;
  for (Layer* l : m.layers()) names.push_back(l->name());
  EXPECT_EQ(names, (std::vector<std::string>{"input_1", "flatten", "dense", "dense_1"}));
}

TEST(Model, LongNamesWrapInsteadOfBeingCut) {
  Model m = Sequential({InputLayer({4}), Dense(2, "", {.name = "a_very_long_layer_name_that_does_not_fit"})});
  std::ostringstream s;
  m.summary(s);
  EXPECT_NE(s.str().find("a_very_long_layer_name_that_"), std::string::npos);
  EXPECT_NE(s.str().find("does_not_fit (Dense)"), std::string::npos);
}

Model residual_model() {
  auto in = Input({8, 8, 3}, "image");
  auto c = Conv2D(4, {3, 3}, {.padding = "same", .name = "conv"})(in);
  auto b = BatchNormalization({.name = "bn"})(c);
  auto r = ReLU("relu")(b);
  auto d = DepthwiseConv2D({3, 3}, {.padding = "same", .name = "dw"})(r);
  auto s = Add("add")({r, d});
  auto cat = Concatenate(-1, "cat")({s, in});
  auto g = GlobalAveragePooling2D("gap")(cat);
  auto out = Dense(3, "softmax", {.name = "head"})(g);
  return Model({in}, {out}, "residual");
}

TEST(Model, FunctionalSummaryShowsConnections) {
  Model m = residual_model();
  EXPECT_FALSE(m.is_sequential());
  std::ostringstream s;
  m.summary(s);
  const std::string text = s.str();
  EXPECT_NE(text.find("Connected to"), std::string::npos);
  EXPECT_NE(text.find("image (InputLayer)"), std::string::npos);
  EXPECT_NE(text.find("[relu, dw]"), std::string::npos);
  EXPECT_NE(text.find("[add, image]"), std::string::npos);
  // conv 3*3*3*4+4, bn 4*4 (8 non-trainable), dw 3*3*4+4, head 7*3+3
  EXPECT_EQ(m.count_params(), 112 + 16 + 40 + 24);
  EXPECT_EQ(m.count_trainable_params(), 112 + 8 + 40 + 24);
  EXPECT_NE(text.find("Non-trainable params: 8"), std::string::npos);
}

TEST(Model, ConfigRoundTripKeepsArchitecture) {
  Model a = residual_model();
  Model b = Model::from_config(a.to_config());
  EXPECT_EQ(a.to_config(), b.to_config());
  std::ostringstream sa, sb;
  a.summary(sa);
  b.summary(sb);
  EXPECT_EQ(sa.str(), sb.str());
  Model c = Model::from_config(zoo::cnn().to_config());
  EXPECT_TRUE(c.is_sequential());
}

TEST(Model, SpecErrorsNameTheLayer) {
  auto spec = nlohmann::json::parse(R"({"input_shape": [28, 28], "layers": [
      {"type": "Flatten"}, {"type": "Conv2D", "name": "c1", "filters": 4, "kernel_size": 3}]})");
  try {
    Model::from_config(spec);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("layer 2 ('c1') (Conv2D)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(784,)"), std::string::npos) << msg;
  }
  auto typo = nlohmann::json::parse(R"({"input_shape": [4], "layers": [{"type": "Dense", "unit": 3}]})");
  EXPECT_THROW(Model::from_config(typo), Error);
  auto unknown = nlohmann::json::parse(R"({"input_shape": [4], "layers": [{"type": "Dens", "units": 3}]})");
  EXPECT_THROW(Model::from_config(unknown), Error);
  auto dangling = nlohmann::json::parse(
      R"({"input_shape": [4], "layers": [{"type": "Add", "inputs": ["nope", "nope"]}]})");
  EXPECT_THROW(Model::from_config(dangling), Error);
  EXPECT_THROW(Sequential({Dense(3)}), Error);  // no InputLayer
}

TEST(Model, LayersCannotBeShared) {
  auto in = Input({4});
  LayerRef d = Dense(4);
  auto x = d(in);
  EXPECT_THROW(d(x), Error);
}

TEST(Model, WrongInputShapeIsAnError) {
  Model m = zoo::mlp();
  EXPECT_THROW(m.predict(Tensor({2, 27, 28})), Error);
}

Model compiled_cnn(int threads) {
  Model m = zoo::cnn({12, 12}, 4);
  m.set_num_threads(threads);
  m.initialize(7);
  m.compile(Adam(), SparseCategoricalCrossentropy(true), {"accuracy"});
  return m;
}

TEST(Model, TrainingIsDeterministicAndThreadCountIndependent) {
  Tensor x, y;
  test::toy_classification(300, {12, 12}, 4, 3, x, y);
  FitOptions o{.epochs = 2, .batch_size = 32, .seed = 5, .verbose = 0};
  Model a = compiled_cnn(1), b = compiled_cnn(1), c = compiled_cnn(2);
  a.fit(x, y, o);
  b.fit(x, y, o);
  c.fit(x, y, o);
  EXPECT_TRUE(test::bytes_equal(test::all_weights(a), test::all_weights(b)));
  EXPECT_TRUE(test::bytes_equal(test::all_weights(a), test::all_weights(c)));
  Model d = compiled_cnn(1);
  d.fit(x, y, {.epochs = 2, .batch_size = 32, .seed = 6, .verbose = 0});
  EXPECT_FALSE(test::bytes_equal(test::all_weights(a), test::all_weights(d)));
}

TEST(Model, FitLearnsAndReportsHistory) {
  Tensor x, y;
  test::toy_classification(600, {12, 12}, 4, 11, x, y);
  Model m = compiled_cnn(2);
  std::ostringstream log;
  History h = m.fit(x, y, {.epochs = 3, .validation_split = 0.25f, .seed = 1, .verbose = 1, .out = &log});
  ASSERT_EQ(h.history["loss"].size(), 3u);
  ASSERT_EQ(h.history["val_accuracy"].size(), 3u);
  EXPECT_LT(h.history["loss"][2], h.history["loss"][0]);
  EXPECT_GT(h.history["val_accuracy"][2], 0.6);
  // 450 training samples / 32 = 15 steps; one Keras-style line per epoch (not a terminal).
  const std::regex line(
      R"(Epoch 3/3\n15/15 \[==============================\] - \d+s \d+(us|ms)/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}\n$)");
  EXPECT_TRUE(std::regex_search(log.str(), line)) << log.str();
  Logs logs = m.evaluate(x, y);
  EXPECT_GT(logs["accuracy"], 0.6);
}

TEST(Model, NanLossStopsTraining) {
  Tensor x, y;
  test::toy_classification(64, {12, 12}, 4, 1, x, y);
  x[5] = std::numeric_limits<float>::quiet_NaN();
  Model m = zoo::mlp({12, 12}, 4);
  m.compile(Adam(), SparseCategoricalCrossentropy(true), {"accuracy"});
  try {
    m.fit(x, y, {.epochs = 1, .shuffle = false, .verbose = 0});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("NaN"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("step 1/2"), std::string::npos) << e.what();
  }
}

TEST(Model, FitArgumentErrors) {
  Model m = compiled_cnn(1);
  Tensor x, y;
  test::toy_classification(10, {12, 12}, 4, 1, x, y);
  EXPECT_THROW(m.fit(x, Tensor({9}), {.verbose = 0}), Error);
  EXPECT_THROW(m.fit(x, y, {.batch_size = 0, .verbose = 0}), Error);
  EXPECT_THROW(m.fit(x, y, {.validation_split = 1.5f, .verbose = 0}), Error);
  Tensor bad_labels({10});
  bad_labels.fill(7.0f);
  EXPECT_THROW(m.fit(x, bad_labels, {.verbose = 0}), Error);
  Model uncompiled = zoo::mlp();
  EXPECT_THROW(uncompiled.fit(x, y, {.verbose = 0}), Error);
}

}  // namespace
}  // namespace lq

namespace lq {
namespace {

// The examples in docs/MODEL_SPEC.md must build: the docs stay true.
TEST(Model, SpecDocumentationExamplesBuild) {
  std::ifstream f(std::string(LQ_SOURCE_DIR) + "/docs/MODEL_SPEC.md");
  std::stringstream doc;
  doc << f.rdbuf();
  const std::string text = doc.str();
  int built = 0;
  for (size_t at = text.find("```json\n"); at != std::string::npos; at = text.find("```json\n", at)) {
    at += 8;
    const size_t end = text.find("```", at);
    Model m = Model::from_config(nlohmann::json::parse(text.substr(at, end - at)));
    EXPECT_GT(m.count_params(), 0);
    ++built;
  }
  EXPECT_EQ(built, 2);
}

}  // namespace
}  // namespace lq

namespace lq {
namespace {
TEST(Zoo, ConvnetIsTheBenchmarkModel) {
  const Model m = zoo::convnet();
  EXPECT_EQ(m.output_shape(), (Shape{10}));
  EXPECT_EQ(m.get_layer("flatten")->output_shape(), (Shape{8192}));
  // 896 + 18,496 + 36,928 + 73,856 conv parameters, 81,930 dense.
  EXPECT_EQ(m.count_params(), 212106);
  EXPECT_THROW(zoo::convnet({28, 28}), Error);
}
}  // namespace
}  // namespace lq
