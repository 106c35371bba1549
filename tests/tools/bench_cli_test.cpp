// litequant bench: JSON fields and their consistency on a small float and int8 model
// (CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, so the multiply-add count is known
// exactly), and clear errors for bad arguments.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_fixture.h"

namespace lq {
namespace {
using test::Cli;
using test::Result;
using test::run;

// 8x8x1 -> Conv2D 4 3x3 SAME -> DepthwiseConv2D 3x3 SAME x2 -> Dense 4: per image
// 64 * 4 * 9 + 64 * 8 * 9 + 512 * 4 multiply-adds (SAME padding taps included).
constexpr double kMacsPerImage = 64 * 4 * 9 + 64 * 8 * 9 + 512 * 4;

void write_spec(const std::string& file) {
  std::ofstream(file) << R"({"name": "small", "input_shape": [8, 8, 1], "layers": [
      {"type": "Conv2D", "filters": 4, "kernel_size": [3, 3], "padding": "same", "activation": "relu"},
      {"type": "DepthwiseConv2D", "kernel_size": [3, 3], "padding": "same", "depth_multiplier": 2},
      {"type": "Flatten"}, {"type": "Dense", "units": 4}]})";
}

nlohmann::json bench_json(const std::string& args) {
  const Result r = run("bench " + args + " --json");
  EXPECT_EQ(r.code, 0) << r.output;
  try {
    return nlohmann::json::parse(r.output);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not one JSON object: " << e.what() << "\n" << r.output;
    return {};
  }
}

TEST_F(Cli, BenchReportsSaneJson) {
  write_spec(path("spec.json"));
  const std::string data = path("data");
  for (const char* quantize : {"none", "int8-only --io int8"}) {
    const std::string file = path("small.tflite");
    const Result c = run("convert " + path("spec.json") + " --data " + data + " --out " + file + " --quantize " + quantize);
    ASSERT_EQ(c.code, 0) << c.output;
    for (const auto& [batch, threads] : {std::pair{1, 1}, {5, 2}}) {
      SCOPED_TRACE(std::string(quantize) + " batch " + std::to_string(batch) + " threads " + std::to_string(threads));
      const auto j = bench_json(file + " --batch " + std::to_string(batch) + " --threads " + std::to_string(threads) +
                                " --repeats 5");
      ASSERT_TRUE(j.is_object());
      for (const char* key : {"model", "kind", "batch", "threads", "repeats", "latency_ms", "latency_min_ms",
                              "latency_max_ms", "images_per_s", "macs_per_invoke", "macs_per_image", "gmac_per_s",
                              "peak_instruction", "peak_gmac_per_s_single_thread", "peak_gmac_per_s",
                              "percent_of_peak", "arena_bytes", "peak_rss_bytes"})
        EXPECT_TRUE(j.contains(key)) << key;
      EXPECT_EQ(j["kind"], std::string(quantize) == "none" ? "float" : "int8");
      EXPECT_EQ(j["batch"], batch);
      EXPECT_EQ(j["threads"], threads);
      EXPECT_EQ(j["repeats"], 5);
      const double latency = j["latency_ms"];
      EXPECT_GT(latency, 0.0);
      EXPECT_LE(j["latency_min_ms"].get<double>(), latency);
      EXPECT_GE(j["latency_max_ms"].get<double>(), latency);
      EXPECT_NEAR(j["images_per_s"].get<double>(), batch / (latency * 1e-3), 1e-6 * batch / (latency * 1e-3));
      EXPECT_EQ(j["macs_per_image"].get<double>(), kMacsPerImage);
      EXPECT_EQ(j["macs_per_invoke"].get<double>(), kMacsPerImage * batch);
      EXPECT_NEAR(j["gmac_per_s"].get<double>(), kMacsPerImage * batch / (latency * 1e-3) * 1e-9,
                  1e-6 * j["gmac_per_s"].get<double>());
      const double peak = j["peak_gmac_per_s"];
      if (peak > 0) {  // x86 with AVX2 or AVX-512
        EXPECT_NEAR(peak, threads * j["peak_gmac_per_s_single_thread"].get<double>(), 1e-9 * peak);
        EXPECT_GT(peak, 1.0);
        EXPECT_LT(peak, 1e5);
        const double percent = j["percent_of_peak"];
        EXPECT_GT(percent, 0.0);
        EXPECT_LT(percent, 100.0 * 1.5);  // a noisy peak may be undershot, not by 1.5x
        EXPECT_FALSE(j["peak_instruction"].get<std::string>().empty());
      }
      EXPECT_GT(j["arena_bytes"].get<double>(), 0.0);
      EXPECT_GT(j["peak_rss_bytes"].get<double>(), 1e6);
      EXPECT_LT(j["peak_rss_bytes"].get<double>(), 1e10);
    }
    // The text report names the same quantities.
    const Result text = run("bench " + file);
    ASSERT_EQ(text.code, 0) << text.output;
    for (const char* want : {"latency", "images/s", "GMAC/s", "arena", "peak RSS"})
      EXPECT_NE(text.output.find(want), std::string::npos) << want << "\n" << text.output;
  }
}

TEST_F(Cli, BenchClearErrors) {
  write_spec(path("spec.json"));
  const std::string file = path("small.tflite");
  ASSERT_EQ(run("convert " + path("spec.json") + " --out " + file).code, 0);
  const std::pair<std::string, const char*> cases[] = {
      {"bench " + file + " --batch 0", "--batch"},
      {"bench " + file + " --batch two", "--batch"},
      {"bench " + file + " --threads 0", "--threads"},
      {"bench " + file + " --repeats 0", "--repeats"},
      {"bench " + file + " --bogus", "--bogus"},
      {"bench", "model is required"},
      {"bench " + path("nowhere.tflite"), "nowhere.tflite: no such file"},
      {"bench " + path("spec.json"), "spec.json is not a .tflite file"},
  };
  for (const auto& [args, message] : cases) {
    const Result r = run(args);
    EXPECT_NE(r.code, 0) << args;
    EXPECT_NE(r.output.find(message), std::string::npos) << args << "\n" << r.output;
  }
}

}  // namespace
}  // namespace lq
