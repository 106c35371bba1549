// litequant's int8 reference kernels against the real TensorFlow Lite runtime: one-op
// models written with write_model, random int8 inputs from the oracle, byte-identical
// outputs required (FC and CONV_2D single rounding, DEPTHWISE_CONV_2D double rounding).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <functional>

#include "common/oracle.h"
#include "litequant/core/file.h"
#include "litequant/core/rng.h"
#include "litequant/kernels/int8_reference.h"
#include "litequant/tflite/model.h"

namespace lq::kernels {
namespace {
namespace fs = std::filesystem;
namespace tfl = lq::tflite;
using Eval = std::function<std::vector<int8_t>(const std::vector<int8_t>&)>;

std::vector<int8_t> random_int8(size_t n, Rng& rng) {
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(static_cast<int>(rng.below(255)) - 127);
  return v;
}
std::vector<int32_t> random_bias(size_t n, Rng& rng) {
  std::vector<int32_t> v(n);
  for (auto& x : v) x = static_cast<int32_t>(rng.below(4001)) - 2000;
  return v;
}
template <typename T>
tfl::Buffer buffer_of(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return tfl::Buffer::take(std::move(b));
}

// A model: input 0 -> op(input, weights, bias) -> output 3.
tfl::Model one_op(int32_t opcode, int version, tfl::Options options, const std::vector<tfl::Tensor>& tensors,
                  const std::vector<int8_t>& w, const std::vector<int32_t>& bias) {
  tfl::Model m;
  m.buffers.resize(1);
  m.buffers.push_back(buffer_of(w));
  m.buffers.push_back(buffer_of(bias));
  m.tensors = tensors;
  m.inputs = {0};
  m.outputs = {3};
  tfl::Operator op;
  op.opcode = opcode;
  op.version = version;
  op.inputs = {0, 1, 2};
  op.outputs = {3};
  op.options = std::move(options);
  m.operators = {op};
  return m;
}

// Runs the model in the real runtime on 5 random inputs; our eval must give the same bytes.
void expect_identical(const std::string& name, const tfl::Model& m, const Eval& eval) {
  LQ_REQUIRE_ORACLE();
  const fs::path dir = fs::temp_directory_path() / ("lq_int8_" + std::to_string(::getpid()) + "_" + name);
  fs::create_directories(dir);
  const auto bytes = tfl::write_model(m);
  const std::string model = (dir / "model.tflite").string();
  write_file_atomic(model, bytes.data(), bytes.size());
  int64_t compared = 0, differ = 0;
  for (int seed = 1; seed <= 5; ++seed) {
    const fs::path out = dir / ("out" + std::to_string(seed));
    const auto r = test::run_oracle(model, "random:" + std::to_string(seed), out.string(), false);
    ASSERT_EQ(r.status, 0) << r.output;
    const auto in = read_file((out / "input_0.bin").string());
    const auto want = read_file((out / "output_0.bin").string());
    const auto got = eval(std::vector<int8_t>(in.begin(), in.end()));
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) differ += static_cast<uint8_t>(got[i]) != want[i];
    compared += static_cast<int64_t>(got.size());
  }
  std::printf("%s: %lld int8 outputs compared with real TFLite, %lld differ\n", name.c_str(),
              static_cast<long long>(compared), static_cast<long long>(differ));
  EXPECT_EQ(differ, 0);
  fs::remove_all(dir);
}

TEST(Int8Oracle, FullyConnectedPerChannelRelu) {
  Rng rng(1);
  const int B = 4, I = 37, O = 9;
  const auto w = random_int8(O * I, rng);
  const auto bias = random_bias(O, rng);
  const float si = 0.0371f, so = 0.1731f;
  const int zi = -7, zo = 11;
  std::vector<float> ws(O), bs(O);
  for (int c = 0; c < O; ++c) ws[c] = 0.00913f * (1 + 0.1f * c), bs[c] = si * ws[c];
  const std::vector<int64_t> zeros(O, 0);
  const auto m = one_op(9, 4, tfl::FullyConnectedOptions{tfl::Activation::kRelu, false, false},
                        {{"x", {B, I}, tfl::TensorType::kInt8, 0, {{si}, {zi}, 0}},
                         {"w", {O, I}, tfl::TensorType::kInt8, 1, {ws, zeros, 0}},
                         {"b", {O}, tfl::TensorType::kInt32, 2, {bs, zeros, 0}},
                         {"y", {B, O}, tfl::TensorType::kInt8, 0, {{so}, {zo}, 0}}},
                        w, bias);
  const auto p = prepare_fully_connected_int8({B, I}, {O, I}, Dims{O}, {si, zi}, ws, {so, zo}, {Activation::kRelu, false});
  expect_identical("fc", m, [&](const std::vector<int8_t>& in) {
    std::vector<int8_t> out(B * O);
    eval_fully_connected_int8(p, in.data(), w.data(), bias.data(), out.data());
    return out;
  });
}

// SAME padding with an odd total pad, stride (2, 1), per-channel scales.
void conv_case(bool depthwise) {
  Rng rng(depthwise ? 3 : 2);
  const int N = 2, H = 7, W = 6, C = 3, O = depthwise ? 6 : 5, KH = 3, KW = 2, OH = 4, OW = 6;
  const Dims fd = depthwise ? Dims{1, KH, KW, O} : Dims{O, KH, KW, C};
  const auto w = random_int8(static_cast<size_t>(flat_size(fd)), rng);
  const auto bias = random_bias(O, rng);
  const float si = 0.0421f, so = 0.2113f;
  const int zi = 5, zo = -9;
  std::vector<float> ws(O), bs(O);
  for (int c = 0; c < O; ++c) ws[c] = 0.003f + 0.0017f * c, bs[c] = si * ws[c];
  const std::vector<int64_t> zeros(O, 0);
  const std::vector<tfl::Tensor> tensors{{"x", {N, H, W, C}, tfl::TensorType::kInt8, 0, {{si}, {zi}, 0}},
                                         {"w", fd, tfl::TensorType::kInt8, 1, {ws, zeros, depthwise ? 3 : 0}},
                                         {"b", {O}, tfl::TensorType::kInt32, 2, {bs, zeros, 0}},
                                         {"y", {N, OH, OW, O}, tfl::TensorType::kInt8, 0, {{so}, {zo}, 0}}};
  std::vector<int8_t> out(static_cast<size_t>(N * OH * OW * O));
  if (depthwise) {
    const auto m = one_op(4, 3, tfl::DepthwiseConv2DOptions{tfl::Padding::kSame, 1, 2, 2, tfl::Activation::kNone, 1, 1},
                          tensors, w, bias);
    const auto p = prepare_depthwise_conv2d_int8({N, H, W, C}, fd, Dims{O}, {si, zi}, ws, {so, zo},
                                                 {Padding::kSame, 2, 1, 2, 1, 1, Activation::kNone});
    expect_identical("depthwise", m, [&](const std::vector<int8_t>& in) {
      eval_depthwise_conv2d_int8(p, in.data(), w.data(), bias.data(), out.data());
      return out;
    });
  } else {
    const auto m = one_op(3, 3, tfl::Conv2DOptions{tfl::Padding::kSame, 1, 2, tfl::Activation::kRelu6, 1, 1},
                          tensors, w, bias);
    const auto p = prepare_conv2d_int8({N, H, W, C}, fd, Dims{O}, {si, zi}, ws, {so, zo},
                                       {Padding::kSame, 2, 1, 1, 1, Activation::kRelu6});
    expect_identical("conv", m, [&](const std::vector<int8_t>& in) {
      eval_conv2d_int8(p, in.data(), w.data(), bias.data(), out.data());
      return out;
    });
  }
}

TEST(Int8Oracle, Conv2DPerChannelRelu6) { conv_case(false); }
TEST(Int8Oracle, DepthwiseConv2DPerChannel) { conv_case(true); }

}  // namespace
}  // namespace lq::kernels
