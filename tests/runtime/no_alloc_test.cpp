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

// Allocations made by the first invoke after allocate_tensors() and by the next two
// (a buffer grown lazily shows up in `first` only; per-call allocations in both).
struct Counts {
  int64_t first = 0, later = 0;
};

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
        if (!int8 && std::string(name) == "convnet" && batch > 1) continue;  // float reference: slow
        SCOPED_TRACE(std::string(name) + (int8 ? " int8" : " float") + " batch " + std::to_string(batch) +
                     " threads " + std::to_string(threads));
        const Counts c = invoke_allocations(bytes, batch, threads);
        EXPECT_EQ(c.first, 0) << "the first invoke after allocate_tensors() allocates";
        EXPECT_EQ(c.later, 0) << "every invoke allocates";
      }
    }
  }
}

}  // namespace
}  // namespace lq::runtime
