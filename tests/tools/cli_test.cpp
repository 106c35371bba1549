// End-to-end tests of the litequant command line on a tiny IDX dataset.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

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

TEST_F(Cli, TrainEvaluateSummary) {
  const std::string model = path("m.lqm");
  Result t = run("train --data " + path("data") + " --model cnn --epochs 3 --batch-size 16 --seed 1 --verbose 2 --out " + model);
  ASSERT_EQ(t.code, 0) << t.output;
  EXPECT_NE(t.output.find("Epoch 3/3"), std::string::npos) << t.output;
  EXPECT_NE(t.output.find("val_accuracy"), std::string::npos) << t.output;
  ASSERT_TRUE(fs::exists(model));

  Result e = run("evaluate " + model + " --data " + path("data") + " --json");
  ASSERT_EQ(e.code, 0) << e.output;
  auto j = nlohmann::json::parse(e.output);
  EXPECT_EQ(j["samples"], 100);
  EXPECT_GT(j["accuracy"].get<double>(), 0.9);
  EXPECT_TRUE(j["loss"].is_number());

  Result s = run("summary " + model);
  ASSERT_EQ(s.code, 0) << s.output;
  EXPECT_NE(s.output.find("conv2d (Conv2D)              (None, 6, 6, 12)"), std::string::npos) << s.output;
}

TEST_F(Cli, ConvertInspectRunEvaluateTflite) {
  const std::string model = path("m.lqm"), tfl = path("m.tflite");
  ASSERT_EQ(run("train --data " + path("data") + " --model cnn --epochs 2 --verbose 0 --out " + model).code, 0);
  Result c = run("convert " + model + " --out " + tfl);
  ASSERT_EQ(c.code, 0) << c.output;
  Result i = run("inspect " + tfl);
  ASSERT_EQ(i.code, 0) << i.output;
  for (const char* want : {"CONV_2D", "activation=RELU", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED",
                           "conv2d/kernel", "[12, 3, 3, 1]", "activation arena:"})
    EXPECT_NE(i.output.find(want), std::string::npos) << want << "\n" << i.output;
  auto a = nlohmann::json::parse(run("evaluate " + model + " --data " + path("data") + " --json").output);
  auto b = nlohmann::json::parse(run("evaluate " + tfl + " --data " + path("data") + " --json").output);
  EXPECT_EQ(a["accuracy"], b["accuracy"]);
  EXPECT_NEAR(a["loss"].get<double>(), b["loss"].get<double>(), 1e-5);
  // run: three 8x8 float records back to back.
  std::vector<float> records(3 * 64, 0.5f);
  std::ofstream(path("in.bin"), std::ios::binary).write(reinterpret_cast<const char*>(records.data()), 3 * 64 * 4);
  Result single = run("run " + tfl + " " + path("in.bin") + " " + path("out"));
  EXPECT_NE(single.code, 0);  // three records need --batch
  Result r = run("run " + tfl + " " + path("in.bin") + " " + path("out") + " --batch");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(fs::file_size(dir_ / "out" / "output_0.bin"), 3u * 4 * 4);
  auto result = nlohmann::json::parse(std::ifstream(dir_ / "out" / "result.json"));
  EXPECT_EQ(result["outputs"][0]["dtype"], "float32");
  EXPECT_EQ(result["outputs"][0]["file"], "output_0.bin");
}

TEST_F(Cli, SpecModelAndSameSeedSameFile) {
  std::ofstream(path("spec.json")) << R"({"name": "tiny", "input_shape": [8, 8], "layers": [
      {"type": "Flatten"}, {"type": "Dense", "units": 16, "activation": "relu"},
      {"type": "Dropout", "rate": 0.1}, {"type": "Dense", "units": 4}]})";
  for (const char* out : {"a.lqm", "b.lqm"}) {
    Result t = run("train --data " + path("data") + " --model " + path("spec.json") +
                   " --epochs 1 --threads 1 --seed 4 --verbose 0 --out " + path(out));
    ASSERT_EQ(t.code, 0) << t.output;
  }
  std::ifstream a(path("a.lqm"), std::ios::binary), b(path("b.lqm"), std::ios::binary);
  std::string sa((std::istreambuf_iterator<char>(a)), {}), sb((std::istreambuf_iterator<char>(b)), {});
  EXPECT_EQ(sa, sb);
}

TEST_F(Cli, ClearErrors) {
  Result missing = run("train --data " + path("nowhere") + " --epochs 1");
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.output.find("nowhere"), std::string::npos) << missing.output;

  std::ofstream(path("junk.lqm")) << "this is not a model";
  Result junk = run("evaluate " + path("junk.lqm") + " --data " + path("data"));
  EXPECT_EQ(junk.code, 1);
  EXPECT_NE(junk.output.find("junk.lqm: not a litequant model"), std::string::npos) << junk.output;

  std::ofstream(path("bad.json")) << R"({"input_shape": [8, 8], "layers": [
      {"type": "Conv2D", "name": "first_conv", "filters": 2, "kernel_size": 3}]})";
  Result bad = run("summary " + path("bad.json"));
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.output.find("first_conv"), std::string::npos) << bad.output;

  Result args = run("train --epochs -3");
  EXPECT_NE(args.code, 0);
  Result none = run("");
  EXPECT_NE(none.code, 0);
}

}  // namespace
}  // namespace lq
