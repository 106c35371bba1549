#include "litequant/data/dataset.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "litequant/core/error.h"
#include "litequant/data/idx.h"

namespace lq::data {
namespace {

namespace fs = std::filesystem;

class DatasetDir : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("lq_dataset_test_" + std::string(info->name()) + "_" + std::to_string(::getpid())) /
           "tiny";
    fs::remove_all(dir_.parent_path());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_.parent_path(), ec);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // 5 train and 3 test images of 4x4; train-images and t10k-labels are gzip-compressed.
  void write_tiny_set(int64_t train_labels = 5, int64_t test_size = 4) const {
    IdxArray train{{5, 4, 4}, std::vector<uint8_t>(80, 0)};
    train.values[0] = 255;
    train.values[1] = 51;
    train.values[79] = 128;
    IdxArray test{{3, test_size, test_size},
                  std::vector<uint8_t>(static_cast<size_t>(3 * test_size * test_size), 17)};
    IdxArray train_y{{train_labels}, {}};
    for (int64_t i = 0; i < train_labels; ++i)
      train_y.values.push_back(static_cast<uint8_t>(i % 4));
    write_idx(path("train-images-idx3-ubyte.gz"), train, true);
    write_idx(path("train-labels-idx1-ubyte"), train_y, false);
    write_idx(path("t10k-images-idx3-ubyte"), test, false);
    write_idx(path("t10k-labels-idx1-ubyte.gz"), IdxArray{{3}, {6, 0, 1}}, true);
  }
  std::string error_of(const std::string& name_or_dir) const {
    try {
      load_dataset(name_or_dir);
    } catch (const Error& e) {
      return e.what();
    }
    ADD_FAILURE() << "no error loading " << name_or_dir;
    return "";
  }

  fs::path dir_;
};

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST_F(DatasetDir, LoadsTinyDirectory) {
  write_tiny_set();
  DatasetSplits s = load_dataset(dir_.string());
  EXPECT_EQ(s.name, "tiny");
  EXPECT_EQ(s.directory, dir_.string());
  EXPECT_EQ(s.train.images.shape(), (Shape{5, 4, 4}));
  EXPECT_EQ(s.test.images.shape(), (Shape{3, 4, 4}));
  EXPECT_EQ(s.train.size(), 5);
  EXPECT_EQ(s.test.size(), 3);
  EXPECT_EQ(s.train.images[0], 1.0f);
  EXPECT_EQ(s.train.images[1], 0.2f);
  EXPECT_EQ(s.train.images[2], 0.0f);
  EXPECT_EQ(s.train.images[79], 128.0f / 255.0f);
  EXPECT_EQ(s.test.images[5], 17.0f / 255.0f);
  EXPECT_EQ(s.train.labels.shape(), (Shape{5}));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(s.train.labels[i], static_cast<float>(i % 4));
  EXPECT_EQ(s.test.labels[0], 6.0f);
  EXPECT_EQ(s.num_classes, 7);  // max label (6, in the test set) + 1

  // Trailing slashes do not change the name.
  EXPECT_EQ(load_dataset(dir_.string() + "/").name, "tiny");
}

TEST_F(DatasetDir, PrefersUncompressedFileWhenBothExist) {
  write_tiny_set();
  write_idx(path("t10k-labels-idx1-ubyte"), IdxArray{{3}, {2, 2, 2}}, false);
  EXPECT_EQ(load_dataset(dir_.string()).test.labels[0], 2.0f);
}

TEST_F(DatasetDir, FourDimensionalImages) {
  write_tiny_set();
  write_idx(path("train-images-idx3-ubyte.gz"),
            IdxArray{{5, 4, 4, 1}, std::vector<uint8_t>(80, 255)}, true);
  write_idx(path("t10k-images-idx3-ubyte"), IdxArray{{3, 4, 4, 1}, std::vector<uint8_t>(48, 0)},
            false);
  EXPECT_EQ(load_dataset(dir_.string()).train.images.shape(), (Shape{5, 4, 4, 1}));
}

TEST_F(DatasetDir, CountMismatchNamesBothFilesAndCounts) {
  write_tiny_set(/*train_labels=*/4);
  std::string msg = error_of(dir_.string());
  EXPECT_TRUE(contains(msg, path("train-images-idx3-ubyte.gz") + " has 5 images")) << msg;
  EXPECT_TRUE(contains(msg, path("train-labels-idx1-ubyte") + " has 4 labels")) << msg;
}

TEST_F(DatasetDir, ImageShapeMismatch) {
  write_tiny_set(5, /*test_size=*/5);
  std::string msg = error_of(dir_.string());
  EXPECT_TRUE(contains(msg, "4 x 4")) << msg;
  EXPECT_TRUE(contains(msg, "5 x 5")) << msg;
}

TEST_F(DatasetDir, WrongRanks) {
  write_tiny_set();
  write_idx(path("train-labels-idx1-ubyte"), IdxArray{{5, 1}, {0, 1, 2, 3, 0}}, false);
  EXPECT_TRUE(contains(error_of(dir_.string()), "labels must be 1-d"));
  write_tiny_set();
  write_idx(path("train-images-idx3-ubyte.gz"), IdxArray{{5, 16}, std::vector<uint8_t>(80, 0)},
            true);
  write_idx(path("t10k-images-idx3-ubyte"), IdxArray{{3, 16}, std::vector<uint8_t>(48, 0)}, false);
  EXPECT_TRUE(contains(error_of(dir_.string()), "images must be 3-d"));
}

TEST_F(DatasetDir, BadFileErrorNamesIt) {
  write_tiny_set();
  write_idx(path("t10k-images-idx3-ubyte"), IdxArray{{3, 4, 4}, std::vector<uint8_t>(48, 0)},
            false);
  fs::resize_file(path("t10k-images-idx3-ubyte"), 30);
  std::string msg = error_of(dir_.string());
  EXPECT_EQ(msg.rfind(path("t10k-images-idx3-ubyte") + ": truncated", 0), 0u) << msg;
}

TEST_F(DatasetDir, MissingFile) {
  write_tiny_set();
  fs::remove(path("t10k-labels-idx1-ubyte.gz"));
  std::string msg = error_of(dir_.string());
  EXPECT_TRUE(contains(msg, path("t10k-labels-idx1-ubyte"))) << msg;
  EXPECT_TRUE(contains(msg, "train-images-idx3-ubyte, train-labels-idx1-ubyte"))
      << msg;  // expected names
  EXPECT_FALSE(contains(msg, "apt-get")) << msg;

  try {
    load_dataset_dir(dir_.string(), "fashion-mnist", /*apt_hint=*/true);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    msg = e.what();
  }
  EXPECT_TRUE(contains(msg, path("t10k-labels-idx1-ubyte"))) << msg;
  EXPECT_FALSE(contains(msg, "train-images")) << msg;  // only the missing one
  EXPECT_TRUE(contains(msg, "apt-get install dataset-fashion-mnist")) << msg;
}

TEST_F(DatasetDir, MissingDirectory) {
  std::string msg = error_of(path("no-such-dir"));
  EXPECT_TRUE(contains(msg, "no-such-dir: no such directory")) << msg;
  for (const char* f : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"})
    EXPECT_TRUE(contains(msg, f)) << msg;
}

TEST(FashionMnist, RealDataset) {
  if (!fs::exists(kFashionMnistDir))
    GTEST_SKIP() << kFashionMnistDir << " not found (apt-get install dataset-fashion-mnist)";
  auto start = std::chrono::steady_clock::now();
  DatasetSplits s = load_dataset("fashion-mnist");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("loaded Fashion-MNIST in %.3f s\n", seconds);
  RecordProperty("load_seconds", std::to_string(seconds));

  EXPECT_EQ(s.name, "fashion-mnist");
  EXPECT_EQ(s.directory, kFashionMnistDir);
  EXPECT_EQ(s.train.images.shape(), (Shape{60000, 28, 28}));
  EXPECT_EQ(s.test.images.shape(), (Shape{10000, 28, 28}));
  EXPECT_EQ(s.train.size(), 60000);
  EXPECT_EQ(s.test.size(), 10000);
  EXPECT_EQ(s.num_classes, 10);
  EXPECT_EQ(s.train.labels[0], 9.0f);  // ankle boot

  std::array<int, 10> histogram{};
  for (int64_t i = 0; i < s.test.size(); ++i) {
    float y = s.test.labels[i];
    ASSERT_TRUE(y >= 0 && y < 10 && y == static_cast<float>(static_cast<int>(y))) << y;
    histogram[static_cast<size_t>(y)]++;
  }
  for (int count : histogram) EXPECT_EQ(count, 1000);

  for (const Dataset* d : {&s.train, &s.test}) {
    float lo = 1.0f, hi = 0.0f;
    for (int64_t i = 0; i < d->images.size(); ++i) {
      lo = std::min(lo, d->images[i]);
      hi = std::max(hi, d->images[i]);
    }
    EXPECT_EQ(lo, 0.0f);
    EXPECT_EQ(hi, 1.0f);
  }
}

}  // namespace
}  // namespace lq::data
