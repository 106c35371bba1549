#pragma once
// Fixture of the end-to-end conformance tests: Fashion-MNIST loaded and the real TFLite
// runtime available, else the test is skipped with the reason.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/oracle.h"
#include "litequant/data/dataset.h"

namespace lq::test {

class FashionMnistOracleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LQ_REQUIRE_ORACLE();
    if (!std::filesystem::exists(data::kFashionMnistDir))
      GTEST_SKIP() << "Fashion-MNIST not installed: apt-get install dataset-fashion-mnist";
    ds_ = data::load_dataset("fashion-mnist");
  }

  data::DatasetSplits ds_;
};

}  // namespace lq::test
