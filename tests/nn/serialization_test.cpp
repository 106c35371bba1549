#include "litequant/nn/serialization.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "litequant/core/error.h"
#include "litequant/core/file.h"
#include "litequant/nn/layers.h"
#include "litequant/nn/zoo.h"
#include "test_util.h"

namespace lq {
namespace {
using namespace lq::layers;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("lq_ser_" + std::to_string(::getpid()) + "_" + name)).string();
}

Model trained_model(Tensor& x, Tensor& y) {
  auto in = Input({8, 8, 2});
  auto c = Conv2D(4, {3, 3}, {.padding = "same", .name = "conv"})(in);
  auto b = BatchNormalization({.name = "bn"})(c);
  auto r = ReLU6("relu6")(b);
  auto d = DepthwiseConv2D({3, 3}, {.strides = {2, 2}, .padding = "same", .depth_multiplier = 2})(r);
  auto p = AveragePooling2D({2, 2})(d);
  auto f = Flatten()(p);
  auto h = Dense(3, "", {.name = "head"})(Dropout(0.2f)(f));
  Model m({in}, {h}, "saved");
  m.set_num_threads(1);
  m.compile(SGD(0.05f, 0.9f, true), SparseCategoricalCrossentropy(true), {"accuracy"});
  test::toy_classification(64, {8, 8, 2}, 3, 9, x, y);
  m.fit(x, y, {.epochs = 1, .batch_size = 16, .seed = 2, .verbose = 0});
  return m;
}

TEST(Serialization, RoundTripGivesIdenticalPredictionsAndTraining) {
  Tensor x, y;
  Model a = trained_model(x, y);
  const std::string path = temp_path("roundtrip.lqm");
  save_model(a, path);
  Model b = load_model(path);
  b.set_num_threads(1);
  EXPECT_TRUE(test::bytes_equal(test::all_weights(a), test::all_weights(b)));
  Tensor pa = a.predict(x), pb = b.predict(x);
  ASSERT_EQ(pa.size(), pb.size());
  EXPECT_EQ(std::memcmp(pa.data(), pb.data(), static_cast<size_t>(pa.size()) * 4), 0);
  // Optimizer state came along: one more epoch on both gives the same weights.
  ASSERT_TRUE(b.compiled());
  EXPECT_EQ(b.optimizer()->iterations(), a.optimizer()->iterations());
  a.fit(x, y, {.epochs = 1, .batch_size = 16, .seed = 3, .verbose = 0});
  b.fit(x, y, {.epochs = 1, .batch_size = 16, .seed = 3, .verbose = 0});
  EXPECT_TRUE(test::bytes_equal(test::all_weights(a), test::all_weights(b)));
  std::filesystem::remove(path);
}

TEST(Serialization, WithoutOptimizerState) {
  Tensor x, y;
  Model a = trained_model(x, y);
  const auto full = serialize_model(a);
  const auto slim = serialize_model(a, {.include_optimizer = false});
  EXPECT_LT(slim.size(), full.size());
  Model b = deserialize_model(slim, "slim");
  EXPECT_TRUE(test::bytes_equal(test::all_weights(a), test::all_weights(b)));
  EXPECT_EQ(b.optimizer()->iterations(), 0);
}

TEST(Serialization, EveryTruncationIsAClearError) {
  Model m = zoo::mlp({4, 4}, 3);
  const auto bytes = serialize_model(m);
  for (size_t n = 0; n < bytes.size(); n += (n < 64 ? 1 : 37)) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(n));
    try {
      deserialize_model(cut, "cut.lqm");
      FAIL() << "truncation to " << n << " bytes was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind("cut.lqm: ", 0), 0u) << e.what();
    }
  }
}

TEST(Serialization, BitFlipsAreDetected) {
  Model m = zoo::cnn({6, 6}, 2);
  const auto bytes = serialize_model(m);
  Rng rng(1);
  for (int i = 0; i < 300; ++i) {
    auto bad = bytes;
    const size_t at = static_cast<size_t>(rng.below(bad.size()));
    bad[at] ^= static_cast<uint8_t>(1u << rng.below(8));
    EXPECT_THROW(deserialize_model(bad, "flip.lqm"), Error) << "flip at byte " << at;
  }
}

TEST(Serialization, BadMagicVersionAndMissingFile) {
  Model m = zoo::mlp({4}, 2);
  auto bytes = serialize_model(m);
  auto wrong_magic = bytes;
  wrong_magic[0] = 'X';
  try {
    deserialize_model(wrong_magic, "m.lqm");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a litequant model"), std::string::npos);
  }
  auto future = bytes;
  future[8] = 9;
  try {
    deserialize_model(future, "m.lqm");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("version 9"), std::string::npos);
  }
  EXPECT_THROW(load_model(temp_path("does_not_exist.lqm")), Error);
}

TEST(Serialization, SaveIsAtomic) {
  Model m = zoo::mlp({4}, 2);
  const std::string path = temp_path("atomic.lqm");
  save_model(m, path);
  const auto before = read_file(path);
  // Writing into a directory that does not exist fails and leaves nothing behind.
  EXPECT_THROW(save_model(m, temp_path("no_such_dir/x.lqm")), Error);
  // A second save replaces the file whole; no temporary file remains.
  m.initialize(99);
  save_model(m, path);
  EXPECT_NE(read_file(path), before);
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::temp_directory_path()))
    EXPECT_EQ(e.path().string().find(path + ".tmp"), std::string::npos);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace lq
