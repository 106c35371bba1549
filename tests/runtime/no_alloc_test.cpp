// invoke() allocates nothing after allocate_tensors(): every kernel's scratch is sized at
// prepare (the optimized int8 kernels, thread pool jobs included), every activation lives
// in the arena. This binary replaces the global operator new / delete with counting
// versions that forward to malloc / free (every other test in runtime_tests runs on them
// unchanged); the count is compared around invoke() only.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "common/op_oracle.h"
#include "litequant/convert/converter.h"
#include "litequant/core/rng.h"
#include "litequant/nn/zoo.h"
#include "litequant/runtime/interpreter.h"

namespace {
std::atomic<int64_t> g_allocations{0};  // test instrumentation only

void* counted_alloc(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}

void* counted_aligned_alloc(std::size_t size, std::align_val_t align) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  const std::size_t a = std::max(static_cast<std::size_t>(align), sizeof(void*));
  void* p = nullptr;
  if (posix_memalign(&p, a, size ? size : 1) != 0) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(std::size_t size) { return counted_alloc(size); }
void* operator new[](std::size_t size) { return counted_alloc(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t align) { return counted_aligned_alloc(size, align); }
void* operator new[](std::size_t size, std::align_val_t align) { return counted_aligned_alloc(size, align); }
void* operator new(std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  try {
    return counted_aligned_alloc(size, align);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  try {
    return counted_aligned_alloc(size, align);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

namespace lq::runtime {
namespace {

std::vector<uint8_t> convert(const std::string& name, bool int8) {
  Model m = name == "convnet" ? zoo::convnet() : zoo::by_name(name);
  m.initialize(1);
  TFLiteConverter c = TFLiteConverter::from_keras_model(m);
  if (int8) {
    Shape shape = m.input_shape();
    shape.insert(shape.begin(), 20);
    Tensor representative(shape);
    Rng rng(3);
    for (int64_t i = 0; i < representative.size(); ++i) representative[i] = rng.uniform(0.0f, 1.0f);
    c.optimizations = {Optimize::kDefault};
    c.representative_dataset = {representative};
  }
  return c.convert();
}

// Dynamic-range form (int8 weights, float activations: the hybrid kernels).
std::vector<uint8_t> convert_dynamic(const std::string& name) {
  Model m = name == "convnet" ? zoo::convnet() : zoo::by_name(name);
  m.initialize(1);
  TFLiteConverter c = TFLiteConverter::from_keras_model(m);
  c.optimizations = {Optimize::kDefault};
  return c.convert();
}

// Allocations made by the first invoke after allocate_tensors() and by the next two
// (a buffer grown lazily shows up in `first` only; per-call allocations in both).
struct Counts {
  int64_t first = 0, later = 0;
};

// Counts around the invokes of a prepared interpreter whose inputs are set.
Counts count_invokes(Interpreter& it) {
  Counts c;
  int64_t before = g_allocations.load();
  it.invoke();
  c.first = g_allocations.load() - before;
  before = g_allocations.load();
  it.invoke();
  it.invoke();
  c.later = g_allocations.load() - before;
  EXPECT_FALSE(it.tensor_bytes(it.get_output_details()[0].index).empty());
  return c;
}

void expect_none(const Counts& c) {
  EXPECT_EQ(c.first, 0) << "the first invoke after allocate_tensors() allocates";
  EXPECT_EQ(c.later, 0) << "every invoke allocates";
}

Counts invoke_allocations(const std::vector<uint8_t>& bytes, int batch, int threads) {
  Interpreter it = Interpreter::from_bytes(bytes, "model.tflite", {.num_threads = threads});
  auto shape = it.get_input_details()[0].shape;
  shape[0] = batch;
  it.resize_input_tensor(0, shape);
  it.allocate_tensors();
  const TensorDetails in = it.get_input_details()[0];
  std::vector<float> x(it.tensor_bytes(in.index).size() / sizeof(float));
  Rng rng(2);
  for (float& v : x) v = rng.uniform(0.0f, 1.0f);
  it.set_tensor<float>(in.index, x);
  return count_invokes(it);
}

// A hand-built model (batch fixed) whose first input of element type T gets value(i).
template <typename T, typename Value>
void expect_no_invoke_allocations(const std::vector<uint8_t>& bytes, Value&& value) {
  for (int threads : {1, 2}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    Interpreter it = Interpreter::from_bytes(bytes, "model.tflite", {.num_threads = threads});
    it.allocate_tensors();
    const TensorDetails in = it.get_input_details()[0];
    std::vector<T> x(it.tensor_bytes(in.index).size() / sizeof(T));
    for (size_t i = 0; i < x.size(); ++i) x[i] = value(i);
    it.set_tensor<T>(in.index, x);
    expect_none(count_invokes(it));
  }
}

TEST(InvokeAllocations, CountingOperatorNewIsActive) {
  const int64_t before = g_allocations.load();
  auto* p = new std::vector<int>(100);
  delete p;
  EXPECT_GE(g_allocations.load() - before, 2);  // the vector and its elements
}

TEST(InvokeAllocations, NoneAfterAllocateTensors) {
  for (const char* name : {"cnn", "mlp", "convnet"}) {
    for (bool int8 : {false, true}) {
      const std::vector<uint8_t> bytes = convert(name, int8);
      for (const auto& [batch, threads] : {std::pair{1, 1}, {8, 1}, {8, 2}}) {
        SCOPED_TRACE(std::string(name) + (int8 ? " int8" : " float") + " batch " + std::to_string(batch) +
                     " threads " + std::to_string(threads));
        expect_none(invoke_allocations(bytes, batch, threads));
      }
    }
  }
}

// Batch 256 on 2 threads: the int8 cnn's CONV_2D (small-channel direct path), MAX_POOL_2D
// (few channels) and FULLY_CONNECTED split their work over the pool.
TEST(InvokeAllocations, NoneWhenTheInt8CnnSplitsOverThreads) {
  expect_none(invoke_allocations(convert("cnn", true), 256, 2));
}

// Batch 64 on 2 threads: the int8 convnet's CONV_2D (direct path, chunks of images) and
// MAX_POOL_2D (64 and 128 channels, chunks of rows) hand out their work over the pool.
TEST(InvokeAllocations, NoneWhenTheInt8ConvnetSplitsOverThreads) {
  expect_none(invoke_allocations(convert("convnet", true), 64, 2));
}

TEST(InvokeAllocations, NoneInDynamicRangeModels) {
  for (const char* name : {"cnn", "mlp", "convnet"}) {
    const std::vector<uint8_t> bytes = convert_dynamic(name);
    for (const auto& [batch, threads] : {std::pair{1, 1}, {8, 2}}) {
      SCOPED_TRACE(std::string(name) + " dynamic batch " + std::to_string(batch) + " threads " +
                   std::to_string(threads));
      expect_none(invoke_allocations(bytes, batch, threads));
    }
  }
}

// One int8 model through the ops without a zoo layer: PAD, RELU6, CONCATENATION, ADD and
// MUL broadcast (per-channel vector, scalar), TANH, LOGISTIC, MEAN, SOFTMAX, QUANTIZE
// (int8 -> int8) and per-channel DEQUANTIZE.
std::vector<uint8_t> int8_op_chain() {
  using tflite::Op;
  using tflite::TensorType;
  const TensorType s8 = TensorType::kInt8;
  const tflite::Quantization q{{0.05f}, {-3}, 0};
  test::ModelBuilder b;
  const int x = b.tensor("x", {2, 6, 6, 8}, s8, q);
  const int padded = b.tensor("padded", {2, 8, 8, 8}, s8, q);
  b.op(Op::kPad, 3, {x, b.constant("p", {4, 2}, TensorType::kInt32, std::vector<int32_t>{0, 0, 1, 1, 1, 1, 0, 0})},
       {padded});
  const int relu6 = b.tensor("relu6", {2, 8, 8, 8}, s8, q);
  b.op(Op::kRelu6, 2, {padded}, {relu6});
  const int cat = b.tensor("cat", {2, 8, 8, 16}, s8, q);
  b.op(Op::kConcatenation, 3, {relu6, padded}, {cat}, tflite::ConcatenationOptions{3, tflite::Activation::kNone});
  const int bias = b.constant("bias", {16}, s8, std::vector<int8_t>(16, 7), {{0.02f}, {1}, 0});
  const int added = b.tensor("added", {2, 8, 8, 16}, s8, {{0.1f}, {0}, 0});
  b.op(Op::kAdd, 2, {cat, bias}, {added}, tflite::ActivationOptions{});
  const int two = b.constant("two", {1}, s8, std::vector<int8_t>{20}, {{0.1f}, {0}, 0});
  const int mul = b.tensor("mul", {2, 8, 8, 16}, s8, {{0.1f}, {2}, 0});
  b.op(Op::kMul, 2, {added, two}, {mul}, tflite::ActivationOptions{});
  const int tanh = b.tensor("tanh", {2, 8, 8, 16}, s8, {{1.0f / 128}, {0}, 0});
  b.op(Op::kTanh, 2, {mul}, {tanh});
  const int logistic = b.tensor("logistic", {2, 8, 8, 16}, s8, {{1.0f / 256}, {-128}, 0});
  b.op(Op::kLogistic, 2, {tanh}, {logistic});
  const int mean = b.tensor("mean", {2, 1, 1, 16}, s8, {{0.004f}, {-100}, 0});
  b.op(Op::kMean, 2, {logistic, b.constant("axes", {2}, TensorType::kInt32, std::vector<int32_t>{1, 2})}, {mean},
       tflite::ReducerOptions{true});
  const int softmax = b.tensor("softmax", {2, 1, 1, 16}, s8, {{1.0f / 256}, {-128}, 0});
  b.op(Op::kSoftmax, 2, {mean}, {softmax}, tflite::SoftmaxOptions{1.0f});
  const int requant = b.tensor("requant", {2, 1, 1, 16}, s8, {{0.002f}, {5}, 0});
  b.op(Op::kQuantize, 2, {softmax}, {requant});
  const int y = b.tensor("y", {2, 1, 1, 16}, TensorType::kFloat32);
  b.op(Op::kDequantize, 2, {requant}, {y});
  // Per-channel DEQUANTIZE (of a constant: activations are per tensor).
  std::vector<float> scales(16);
  for (size_t c = 0; c < scales.size(); ++c) scales[c] = 0.001f * static_cast<float>(c + 1);
  const int w = b.constant("w", {4, 16}, s8, std::vector<int8_t>(64, -9), {scales, std::vector<int64_t>(16, 0), 1});
  const int wf = b.tensor("wf", {4, 16}, TensorType::kFloat32);
  b.op(Op::kDequantize, 2, {w}, {wf});
  return tflite::write_model(b.build({x}, {y, wf}));
}

TEST(InvokeAllocations, NoneInTheInt8OpChain) {
  const std::vector<uint8_t> bytes = int8_op_chain();
  expect_no_invoke_allocations<int8_t>(bytes, [](size_t i) { return static_cast<int8_t>(i * 37); });
}

// One float model through the optimized float ops (float_ops_optimized.h): PAD, RELU,
// RELU6, CONCATENATION, ADD and MUL (broadcast), TANH, LOGISTIC, MAX_POOL_2D,
// AVERAGE_POOL_2D, MEAN, SOFTMAX and DEQUANTIZE of a non-constant float16 input. Large
// enough that the 2-thread runs split TANH and the pools over the pool.
std::vector<uint8_t> float_op_chain() {
  using tflite::Op;
  const tflite::TensorType f32 = tflite::TensorType::kFloat32;
  test::ModelBuilder b;
  const int x = b.tensor("x", {2, 62, 62, 8}, f32);
  const int padded = b.tensor("padded", {2, 64, 64, 8}, f32);
  b.op(Op::kPad, 1, {x, b.constant("p", {4, 2}, tflite::TensorType::kInt32, std::vector<int32_t>{0, 0, 1, 1, 1, 1, 0, 0})},
       {padded});
  const int relu = b.tensor("relu", {2, 64, 64, 8}, f32);
  b.op(Op::kRelu, 1, {padded}, {relu});
  const int relu6 = b.tensor("relu6", {2, 64, 64, 8}, f32);
  b.op(Op::kRelu6, 1, {padded}, {relu6});
  const int cat = b.tensor("cat", {2, 64, 64, 16}, f32);
  b.op(Op::kConcatenation, 1, {relu, relu6}, {cat}, tflite::ConcatenationOptions{3, tflite::Activation::kNone});
  const int half = b.tensor("half", {16}, tflite::TensorType::kFloat16);
  const int bias = b.tensor("bias", {16}, f32);
  b.op(Op::kDequantize, 3, {half}, {bias});
  const int added = b.tensor("added", {2, 64, 64, 16}, f32);
  b.op(Op::kAdd, 1, {cat, bias}, {added}, tflite::ActivationOptions{});
  const int mul = b.tensor("mul", {2, 64, 64, 16}, f32);
  b.op(Op::kMul, 1, {added, b.constant("two", {1}, f32, std::vector<float>{2.0f})}, {mul},
       tflite::ActivationOptions{});
  const int tanh = b.tensor("tanh", {2, 64, 64, 16}, f32);
  b.op(Op::kTanh, 1, {mul}, {tanh});
  const int logistic = b.tensor("logistic", {2, 64, 64, 16}, f32);
  b.op(Op::kLogistic, 1, {tanh}, {logistic});
  const int maxpool = b.tensor("maxpool", {2, 64, 64, 16}, f32);
  b.op(Op::kMaxPool2D, 1, {logistic}, {maxpool}, tflite::Pool2DOptions{tflite::Padding::kSame, 1, 1, 3, 3});
  const int avgpool = b.tensor("avgpool", {2, 32, 32, 16}, f32);
  b.op(Op::kAveragePool2D, 1, {maxpool}, {avgpool}, tflite::Pool2DOptions{tflite::Padding::kValid, 2, 2, 2, 2});
  const int mean = b.tensor("mean", {2, 1, 1, 16}, f32);
  b.op(Op::kMean, 1, {avgpool, b.constant("axes", {2}, tflite::TensorType::kInt32, std::vector<int32_t>{1, 2})},
       {mean}, tflite::ReducerOptions{true});
  const int y = b.tensor("y", {2, 1, 1, 16}, f32);
  b.op(Op::kSoftmax, 1, {mean}, {y}, tflite::SoftmaxOptions{1.0f});
  return tflite::write_model(b.build({x, half}, {y}));
}

TEST(InvokeAllocations, NoneInTheFloatOpChain) {
  const std::vector<uint8_t> bytes = float_op_chain();
  expect_no_invoke_allocations<float>(bytes, [](size_t i) { return static_cast<float>(i % 17) * 0.25f - 2.0f; });
}

// Float DEPTHWISE_CONV_2D with constant weights (DepthwiseConv2DFloatOptimized): SAME
// padding and depth multiplier 2 (both read the per-slot image copy), large enough that
// the 2-thread runs split it.
TEST(InvokeAllocations, NoneInTheFloatDepthwiseConv) {
  using tflite::Op;
  const tflite::TensorType f32 = tflite::TensorType::kFloat32;
  test::ModelBuilder b;
  const int x = b.tensor("x", {2, 40, 40, 24}, f32);
  std::vector<float> weights(3 * 3 * 48), biases(48);
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<float>(i % 7) * 0.1f - 0.3f;
  for (size_t i = 0; i < biases.size(); ++i) biases[i] = static_cast<float>(i % 5) * 0.01f;
  const int w = b.constant("w", {1, 3, 3, 48}, f32, weights);
  const int bias = b.constant("bias", {48}, f32, biases);
  const int y = b.tensor("y", {2, 40, 40, 48}, f32);
  b.op(Op::kDepthwiseConv2D, 2, {x, w, bias}, {y},
       tflite::DepthwiseConv2DOptions{tflite::Padding::kSame, 1, 1, 2, tflite::Activation::kRelu, 1, 1});
  const std::vector<uint8_t> bytes = tflite::write_model(b.build({x}, {y}));
  expect_no_invoke_allocations<float>(bytes, [](size_t i) { return static_cast<float>(i % 13) * 0.25f - 1.5f; });
}

}  // namespace
}  // namespace lq::runtime
