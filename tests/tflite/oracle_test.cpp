// Conformance with the real TensorFlow Lite runtime (../shared/oracle: TFLite's C++
// interpreter as WebAssembly, builtin kernels). Files written by write_model must load
// and run there, and give what a tiny reference computation here gives.
// LQ_TFLITE_ORACLE names a set-up oracle directory (holding oracle.sh); without it the
// tests skip. scripts/test.sh sets it up and exports it.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "common/oracle.h"
#include "litequant/core/file.h"
#include "litequant/tflite/model.h"
#include "test_models.h"

namespace lq::tflite {
namespace {

namespace fs = std::filesystem;
using T = TensorType;

using ::lq::test::oracle_dir;
using ::lq::test::shell;
using Shell = ::lq::test::ShellResult;
inline std::string quote(const std::string& s) { return ::lq::test::shell_quote(s); }
#define REQUIRE_ORACLE() LQ_REQUIRE_ORACLE()

class Oracle : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir = fs::temp_directory_path() /
          ("lq_oracle_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir);  // kept for a look when something failed
  }

  // Writes the model and runs it with random:1 inputs into *out.
  void run_oracle(const Model& m, fs::path* out) {
    const fs::path model = dir / "model.tflite";
    const std::vector<uint8_t> bytes = write_model(m);
    write_file_atomic(model.string(), bytes.data(), bytes.size());
    *out = dir / "out";
    const Shell r = shell(quote((fs::path(oracle_dir()) / "oracle.sh").string()) + " --quiet " +
                          quote(model.string()) + " random:1 " + quote(out->string()));
    ASSERT_EQ(r.status, 0) << "the TFLite runtime rejected or failed to run " << model << ":\n"
                           << r.output;
  }

  static std::vector<float> floats(const fs::path& file) {
    const std::vector<uint8_t> b = read_file(file.string());
    std::vector<float> v(b.size() / 4);
    if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * 4);
    return v;
  }

  static void expect_near(const std::vector<float>& got, const std::vector<float>& want,
                          const char* what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_NEAR(got[i], want[i], 1e-5) << what << " element " << i;
  }
};

// x [2, 5] -> FULLY_CONNECTED (w [3, 5], bias [3], fused RELU) -> y [2, 3]
TEST_F(Oracle, FullyConnectedWithBiasAndRelu) {
  REQUIRE_ORACLE();
  Model m = test::empty_model();
  const std::vector<float> w = test::pseudo_random(15, 21), b = test::pseudo_random(3, 22);
  const int32_t x = test::add_tensor(m, "x", {2, 5}, T::kFloat32);
  const int32_t wt = test::add_tensor(m, "w", {3, 5}, T::kFloat32, test::float_bytes(w));
  const int32_t bt = test::add_tensor(m, "b", {3}, T::kFloat32, test::float_bytes(b));
  const int32_t y = test::add_tensor(m, "y", {2, 3}, T::kFloat32);
  test::add_op(m, Op::kFullyConnected, {x, wt, bt}, {y}, FullyConnectedOptions{Activation::kRelu});
  m.inputs = {x};
  m.outputs = {y};
  fs::path out;
  ASSERT_NO_FATAL_FAILURE(run_oracle(m, &out));
  const std::vector<float> in = floats(out / "input_0.bin");
  ASSERT_EQ(in.size(), 10u);
  std::vector<float> want(6);
  int positive = 0;
  for (int n = 0; n < 2; ++n)
    for (int o = 0; o < 3; ++o) {
      float acc = b[o];
      for (int i = 0; i < 5; ++i) acc += in[n * 5 + i] * w[o * 5 + i];
      want[n * 3 + o] = std::max(acc, 0.0f);
      positive += acc > 0;
    }
  EXPECT_GT(positive, 0);
  EXPECT_LT(positive, 6);  // the RELU mattered
  expect_near(floats(out / "output_0.bin"), want, "FULLY_CONNECTED");
  const std::string result = test::read_text(out / "result.json");
  EXPECT_NE(result.find("\"FULLY_CONNECTED\": 1"), std::string::npos) << result;
  EXPECT_NE(result.find("\"xnnpack_delegate_used\": false"), std::string::npos);
}

// x [1, 7, 6, 2] -> CONV_2D (3 filters 3x3, SAME, stride 2: padding 1 top, 0 left)
// -> [1, 4, 3, 3] -> RESHAPE [1, 36] -> SOFTMAX. The conv result is a second output.
TEST_F(Oracle, ConvSameStride2ReshapeSoftmax) {
  REQUIRE_ORACLE();
  const int H = 7, W = 6, C = 2, O = 3, K = 3, S = 2, OH = 4, OW = 3;
  Model m = test::empty_model();
  const std::vector<float> w = test::pseudo_random(O * K * K * C, 31),
                           b = test::pseudo_random(O, 32);
  const int32_t x = test::add_tensor(m, "x", {1, H, W, C}, T::kFloat32);
  const int32_t wt = test::add_tensor(m, "w", {O, K, K, C}, T::kFloat32, test::float_bytes(w));
  const int32_t bt = test::add_tensor(m, "b", {O}, T::kFloat32, test::float_bytes(b));
  const int32_t conv = test::add_tensor(m, "conv", {1, OH, OW, O}, T::kFloat32);
  test::add_op(m, Op::kConv2D, {x, wt, bt}, {conv},
               Conv2DOptions{Padding::kSame, S, S, Activation::kNone, 1, 1});
  const int32_t shape =
      test::add_tensor(m, "shape", {2}, T::kInt32, test::int32_bytes({1, OH * OW * O}));
  const int32_t flat = test::add_tensor(m, "flat", {1, OH * OW * O}, T::kFloat32);
  test::add_op(m, Op::kReshape, {conv, shape}, {flat}, ReshapeOptions{{1, OH * OW * O}});
  const int32_t y = test::add_tensor(m, "y", {1, OH * OW * O}, T::kFloat32);
  test::add_op(m, Op::kSoftmax, {flat}, {y}, SoftmaxOptions{1.0f});
  m.inputs = {x};
  m.outputs = {y, conv};
  fs::path out;
  ASSERT_NO_FATAL_FAILURE(run_oracle(m, &out));
  const std::vector<float> in = floats(out / "input_0.bin");
  ASSERT_EQ(in.size(), static_cast<size_t>(H * W * C));
  // TFLite SAME padding: total = (out - 1) * stride + k - in, the smaller half before.
  const int pad_top = ((OH - 1) * S + K - H) / 2, pad_left = ((OW - 1) * S + K - W) / 2;
  ASSERT_EQ(pad_top, 1);
  ASSERT_EQ(pad_left, 0);
  std::vector<float> c(OH * OW * O);
  for (int oy = 0; oy < OH; ++oy)
    for (int ox = 0; ox < OW; ++ox)
      for (int o = 0; o < O; ++o) {
        float acc = b[o];
        for (int ky = 0; ky < K; ++ky)
          for (int kx = 0; kx < K; ++kx) {
            const int iy = oy * S + ky - pad_top, ix = ox * S + kx - pad_left;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            for (int i = 0; i < C; ++i)
              acc += in[(iy * W + ix) * C + i] * w[((o * K + ky) * K + kx) * C + i];
          }
        c[(oy * OW + ox) * O + o] = acc;
      }
  expect_near(floats(out / "output_1.bin"), c, "CONV_2D");
  const float mx = *std::max_element(c.begin(), c.end());
  double sum = 0;
  for (float v : c) sum += std::exp(static_cast<double>(v - mx));
  std::vector<float> sm(c.size());
  for (size_t i = 0; i < c.size(); ++i)
    sm[i] = static_cast<float>(std::exp(static_cast<double>(c[i] - mx)) / sum);
  expect_near(floats(out / "output_0.bin"), sm, "SOFTMAX");
}

// x [1, 16] -> QUANTIZE (int8, scale 0.02, zero point 5) -> DEQUANTIZE -> [1, 16]
TEST_F(Oracle, QuantizeDequantizePerTensor) {
  REQUIRE_ORACLE();
  Model m = test::empty_model();
  const int32_t x = test::add_tensor(m, "x", {1, 16}, T::kFloat32);
  const int32_t q = test::add_tensor(m, "q", {1, 16}, T::kInt8, {}, {{0.02f}, {5}, 0});
  const int32_t y = test::add_tensor(m, "y", {1, 16}, T::kFloat32);
  test::add_op(m, Op::kQuantize, {x}, {q});
  test::add_op(m, Op::kDequantize, {q}, {y}, {}, 2);
  m.inputs = {x};
  m.outputs = {y};
  fs::path out;
  ASSERT_NO_FATAL_FAILURE(run_oracle(m, &out));
  const std::vector<float> in = floats(out / "input_0.bin");
  std::vector<float> want(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const float qv = std::clamp(std::round(in[i] / 0.02f) + 5.0f, -128.0f, 127.0f);
    want[i] = (qv - 5.0f) * 0.02f;
  }
  expect_near(floats(out / "output_0.bin"), want, "QUANTIZE+DEQUANTIZE");
}

// Constant per-channel int8 weights and float16 bias, each through DEQUANTIZE, into a
// FULLY_CONNECTED: per-channel quantization parameters and float16 buffers as TFLite reads them.
TEST_F(Oracle, PerChannelInt8AndFloat16Constants) {
  REQUIRE_ORACLE();
  Model m = test::empty_model();
  const std::vector<int8_t> wq = {10, -20, 30, -40, 127, -127, 0, 1, -5, 6, -7, 8};
  const std::vector<float> scale = {0.01f, 0.02f, 0.03f};
  const std::vector<uint16_t> bias_half = {0x3800, 0xB400, 0x3E00};  // 0.5, -0.25, 1.5
  const std::vector<float> bias = {0.5f, -0.25f, 1.5f};
  std::vector<uint8_t> wbytes(wq.size()), bbytes(6);
  std::memcpy(wbytes.data(), wq.data(), wq.size());
  std::memcpy(bbytes.data(), bias_half.data(), 6);
  const int32_t x = test::add_tensor(m, "x", {1, 4}, T::kFloat32);
  const int32_t w8 = test::add_tensor(m, "w_int8", {3, 4}, T::kInt8, wbytes, {scale, {0, 0, 0}, 0});
  const int32_t w = test::add_tensor(m, "w", {3, 4}, T::kFloat32);
  const int32_t b16 = test::add_tensor(m, "b_f16", {3}, T::kFloat16, bbytes);
  const int32_t b = test::add_tensor(m, "b", {3}, T::kFloat32);
  const int32_t y = test::add_tensor(m, "y", {1, 3}, T::kFloat32);
  test::add_op(m, Op::kDequantize, {w8}, {w}, {}, 5);
  test::add_op(m, Op::kDequantize, {b16}, {b}, {}, 3);
  test::add_op(m, Op::kFullyConnected, {x, w, b}, {y}, FullyConnectedOptions{});
  m.inputs = {x};
  m.outputs = {y};
  fs::path out;
  ASSERT_NO_FATAL_FAILURE(run_oracle(m, &out));
  const std::vector<float> in = floats(out / "input_0.bin");
  ASSERT_EQ(in.size(), 4u);
  std::vector<float> want(3);
  for (int o = 0; o < 3; ++o) {
    float acc = bias[o];
    for (int i = 0; i < 4; ++i) acc += in[i] * (static_cast<float>(wq[o * 4 + i]) * scale[o]);
    want[o] = acc;
  }
  expect_near(floats(out / "output_0.bin"), want, "DEQUANTIZE+FULLY_CONNECTED");
}

// The every-op model (with GELU, an op litequant does not know) loads and runs too.
TEST_F(Oracle, EveryOpModelLoadsAndRuns) {
  REQUIRE_ORACLE();
  Model m = test::every_op_model();
  // The int8 conv weights need an int8 graph; give CONV_2D float weights and bias instead.
  m.tensors[1].type = T::kFloat32;
  m.tensors[1].quantization = {};
  m.buffers[m.tensors[1].buffer] = Buffer::take(test::float_bytes(test::pseudo_random(108, 5)));
  m.tensors[2].type = T::kFloat32;
  m.tensors[2].quantization = {};
  m.operators[0].version = 1;
  // TFLite 2.12 has no int4 tensors ("Unsupported data type 17"); nothing uses this one.
  ASSERT_EQ(m.tensors[m.tensors.size() - 3].type, T::kInt4);
  m.tensors.erase(m.tensors.end() - 3);
  // float16 depthwise weights are dequantized first, as TFLite's fp16 models do.
  const int32_t dw16 = m.operators[1].inputs[1];
  const int32_t dw = test::add_tensor(m, "dw/w_f32", {1, 3, 3, 8}, T::kFloat32);
  m.operators.insert(m.operators.begin(),
                     Operator{static_cast<int32_t>(Op::kDequantize), 3, {dw16}, {dw}, {}});
  m.operators[2].inputs[1] = dw;
  fs::path out;
  ASSERT_NO_FATAL_FAILURE(run_oracle(m, &out));
  const std::string result = test::read_text(out / "result.json");
  for (const char* op :
       {"CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "MAX_POOL_2D", "RESHAPE",
        "FULLY_CONNECTED", "SOFTMAX", "CONCATENATION", "ADD", "MUL", "PAD", "MEAN", "QUANTIZE",
        "DEQUANTIZE", "RELU", "RELU6", "LOGISTIC", "TANH", "GELU"}) {
    std::string key = "\"";
    key += op;
    key += "\":";
    EXPECT_NE(result.find(key), std::string::npos) << op << " did not run";
  }
}

TEST_F(Oracle, TfliteInfoReadsOurFile) {
  REQUIRE_ORACLE();
  const fs::path model = dir / "every_op.tflite";
  const std::vector<uint8_t> bytes = write_model(test::every_op_model());
  write_file_atomic(model.string(), bytes.data(), bytes.size());
  const Shell r =
      shell("node " + quote((fs::path(oracle_dir()) / "tfjs" / "tflite_info.js").string()) + " " +
            quote(model.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("\"file_identifier\": \"TFL3\""), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\"schema_version\": 3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("GELU"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("DEPTHWISE_CONV_2D"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace lq::tflite
