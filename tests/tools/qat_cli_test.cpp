// litequant qat / train --qat / convert of quantization-aware models / compare --qat, end
// to end on the tiny IDX dataset of cli_fixture.h.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_fixture.h"

namespace lq {
namespace {
using test::Cli;
using test::Result;
using test::run;

double accuracy_of(const std::string& model, const std::string& data) {
  const Result e = run("evaluate " + model + " --data " + data + " --json");
  EXPECT_EQ(e.code, 0) << e.output;
  return nlohmann::json::parse(e.output).at("accuracy").get<double>();
}

TEST_F(Cli, QatFineTuneExportsWithLearnedRanges) {
  const std::string data = path("data"), model = path("m.lqm"), q = path("q.lqm");
  ASSERT_EQ(run("train --data " + data + " --model cnn --epochs 3 --batch-size 16 --verbose 0 --out " + model).code, 0);
  const Result r = run("qat " + model + " --data " + data + " --epochs 1 --samples 200 --batch-size 50 "
                       "--validation-split 0.1 --verbose 2 --out " + q);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("quantize_layer (QuantizeLaye"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("quantization-aware test accuracy (simulated int8)"), std::string::npos) << r.output;
  // No calibration data needed: the learned ranges are in q.lqm.
  const Result c = run("convert " + q + " --out " + path("q.tflite"));
  ASSERT_EQ(c.code, 0) << c.output;
  EXPECT_NE(c.output.find("int8, learned ranges"), std::string::npos) << c.output;
  const Result i = run("inspect " + path("q.tflite"));
  EXPECT_NE(i.output.find("CONV_2D            v3"), std::string::npos) << i.output;
  EXPECT_EQ(accuracy_of(path("q.tflite"), data), accuracy_of(q, data));
  EXPECT_GE(accuracy_of(path("q.tflite"), data), 0.9);
  // int8-only with int8 I/O.
  const Result io = run("convert " + q + " --quantize int8-only --io int8 --out " + path("q8.tflite"));
  ASSERT_EQ(io.code, 0) << io.output;
  EXPECT_NE(run("inspect " + path("q8.tflite")).output.find("int8     [1, 8, 8]"), std::string::npos);
  // Float-only conversions of a QAT model are refused with a reason.
  const Result f16 = run("convert " + q + " --quantize float16 --out " + path("x.tflite"));
  EXPECT_EQ(f16.code, 1);
  EXPECT_NE(f16.output.find("converts to int8 with its learned ranges"), std::string::npos) << f16.output;
}

TEST_F(Cli, TrainQatFromScratchAndCompare) {
  const std::string data = path("data"), model = path("m.lqm"), q = path("s.lqm");
  ASSERT_EQ(run("train --data " + data + " --model mlp --epochs 2 --verbose 0 --out " + model).code, 0);
  const Result r = run("train --qat --weight-bits 4 --data " + data + " --model mlp --epochs 2 --verbose 0 --out " + q);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("quant_dense (QuantizeWrapp"), std::string::npos) << r.output;
  const Result c = run("compare " + model + " --data " + data + " --out-dir " + path("cmp") + " --qat \"QAT w4=" + q + "\"");
  ASSERT_EQ(c.code, 0) << c.output;
  EXPECT_NE(c.output.find("QAT w4"), std::string::npos) << c.output;
  std::ifstream f(path("cmp") + "/m_comparison.json");
  const auto j = nlohmann::json::parse(f);
  ASSERT_EQ(j.at("rows").size(), 6u);
  EXPECT_EQ(j["rows"][5]["technique"], "QAT w4");
  EXPECT_GE(j["rows"][5]["accuracy"].get<double>(), 0.9);
  const Result bad = run("compare " + model + " --data " + data + " --out-dir " + path("cmp") + " --qat " + model);
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.output.find("--qat expects LABEL=FILE"), std::string::npos) << bad.output;
  const Result notqat = run("compare " + model + " --data " + data + " --out-dir " + path("cmp") + " --qat x=" + model);
  EXPECT_NE(notqat.output.find("not a quantization-aware model"), std::string::npos) << notqat.output;
  const Result bits = run("train --qat --weight-bits 9 --data " + data + " --model mlp --epochs 1 --verbose 0");
  EXPECT_NE(bits.code, 0);
}

}  // namespace
}  // namespace lq
