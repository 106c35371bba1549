// Quantized .tflite files made elsewhere (../shared/oracle/testgen, written with the
// flatbuffers Python package) run in litequant byte-identically to the real runtime:
// int8 FC, an int8 CONV/DEPTHWISE/ADD/AVERAGE_POOL/FC/SOFTMAX chain with an intermediate
// output, QUANTIZE/DEQUANTIZE float I/O, TF1-style uint8 FC, and (within 1e-5) hybrid FC.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/op_oracle.h"

namespace lq::runtime {
namespace {
namespace fs = std::filesystem;

TEST(ForeignQuantizedModels, ByteIdenticalWithTflite) {
  LQ_REQUIRE_ORACLE();
  const fs::path dir = fs::temp_directory_path() / ("lq_foreign_q_" + std::to_string(::getpid()));
  const auto gen = test::shell("/usr/bin/python3 " + test::shell_quote(test::oracle_dir() + "/testgen/make_test_models.py") +
                               " " + test::shell_quote(dir.string()));
  ASSERT_EQ(gen.status, 0) << gen.output;
  for (const auto& [name, tol] : {std::pair{"fc_int8", 0.0}, {"conv_int8_pc", 0.0}, {"conv_int8_floatio", 1e-6},
                                  {"fc_uint8", 0.0}, {"fc_hybrid", 1e-5}}) {
    const auto model = tflite::read_model_file((dir / (std::string(name) + ".tflite")).string());
    const auto r = test::compare_with_oracle(name, model, 5, tol);
    EXPECT_GT(r.compared, 0) << name;
    EXPECT_EQ(r.differ, 0) << name;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lq::runtime
