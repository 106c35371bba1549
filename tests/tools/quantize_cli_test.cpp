// litequant convert --quantize, evaluate of quantized files, and compare, end to end on
// the tiny IDX dataset of cli_fixture.h.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_fixture.h"

namespace lq {
namespace {
namespace fs = std::filesystem;
using test::Cli;
using test::Result;
using test::run;

nlohmann::json evaluate_json(const std::string& model, const std::string& data) {
  const Result e = run("evaluate " + model + " --data " + data + " --json");
  EXPECT_EQ(e.code, 0) << e.output;
  return nlohmann::json::parse(e.output);
}

TEST_F(Cli, ConvertEveryQuantizationAndEvaluate) {
  const std::string model = path("m.lqm"), data = path("data");
  ASSERT_EQ(run("train --data " + data + " --model cnn --epochs 3 --batch-size 16 --verbose 0 --out " + model).code, 0);
  const double float_acc = evaluate_json(model, data)["accuracy"];
  struct Case {
    const char* args;
    const char* input_type;
  };
  for (const Case& c : {Case{"--quantize float16", "float32"}, Case{"--quantize dynamic", "float32"},
                        Case{"--quantize int8 --representative 50", "float32"},
                        Case{"--quantize int8 --per-tensor", "float32"},
                        Case{"--quantize int8-only --io int8", "int8"}, Case{"--quantize int8-only --io uint8", "uint8"},
                        Case{"--quantize int8 --float-layers max_pooling2d", "float32"}}) {
    const std::string out = path("q.tflite");
    const Result r = run("convert " + model + " --data " + data + " --out " + out + " " + c.args);
    ASSERT_EQ(r.code, 0) << c.args << "\n" << r.output;
    const Result i = run("inspect " + out);
    ASSERT_EQ(i.code, 0) << i.output;
    EXPECT_NE(i.output.find(c.input_type), std::string::npos) << c.args << "\n" << i.output;
    const double acc = evaluate_json(out, data)["accuracy"];
    EXPECT_NEAR(acc, float_acc, 0.03) << c.args;
    fs::remove(out);
  }
}

TEST_F(Cli, CompareWritesTableJsonAndChart) {
  const std::string model = path("m.lqm"), data = path("data");
  ASSERT_EQ(run("train --data " + data + " --model mlp --epochs 2 --verbose 0 --out " + model).code, 0);
  const Result r = run("compare " + model + " --data " + data + " --out-dir " + path("cmp"));
  ASSERT_EQ(r.code, 0) << r.output;
  for (const char* want : {"float32", "float16", "dynamic range", "int8 (float fallback)", "int8 only (uint8 I/O)", "uint8"})
    EXPECT_NE(r.output.find(want), std::string::npos) << want << "\n" << r.output;
  const auto j = nlohmann::json::parse(std::ifstream(dir_ / "cmp" / "m_comparison.json"));
  ASSERT_EQ(j["rows"].size(), 5u);
  EXPECT_EQ(j["rows"][4]["input_type"], "uint8");
  EXPECT_EQ(j["rows"][4]["output_type"], "uint8");
  EXPECT_LT(j["rows"][3]["bytes"].get<double>(), 0.5 * j["rows"][0]["bytes"].get<double>());
  for (const auto& row : j["rows"]) EXPECT_TRUE(fs::exists(row["file"].get<std::string>()));
  EXPECT_TRUE(fs::exists(dir_ / "cmp" / "m_comparison.png"));
}

TEST_F(Cli, QuantizationErrors) {
  const std::string model = path("m.lqm"), data = path("data");
  ASSERT_EQ(run("train --data " + data + " --model cnn --epochs 1 --verbose 0 --out " + model).code, 0);
  const std::string convert = "convert " + model + " --data " + data + " --out " + path("e.tflite") + " ";
  const std::pair<const char*, const char*> cases[] = {
      {"--quantize int4", "--quantize must be float16, dynamic, int8 or int8-only"},
      {"--quantize dynamic --io uint8", "--io uint8 needs --quantize int8 or int8-only"},
      {"--quantize int8 --io int16", "--io must be float32, int8 or uint8"},
      {"--quantize int8 --representative 0", "--representative must be at least 1"},
      {"--quantize int8 --float-layers nope", "no operator computes layer 'nope'"},
      {"--quantize int8-only --float-layers dense", "float_layers needs int8 quantization with float fallback"},
  };
  for (const auto& [args, message] : cases) {
    const Result r = run(convert + args);
    EXPECT_EQ(r.code, 1) << args;
    EXPECT_NE(r.output.find(message), std::string::npos) << args << "\n" << r.output;
    EXPECT_FALSE(fs::exists(path("e.tflite"))) << args;
  }
  const Result nodata = run("convert " + model + " --data " + path("nowhere") + " --quantize int8 --out " + path("e.tflite"));
  EXPECT_EQ(nodata.code, 1);
  EXPECT_NE(nodata.output.find("nowhere"), std::string::npos) << nodata.output;
}

}  // namespace
}  // namespace lq
