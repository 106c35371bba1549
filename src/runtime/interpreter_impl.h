#pragma once
// Interpreter internals: runtime tensors, prepared nodes, the arena.
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "litequant/core/tensor.h"
#include "litequant/core/thread_pool.h"
#include "litequant/kernels/common.h"
#include "litequant/runtime/interpreter.h"

namespace lq::runtime {

struct RuntimeTensor {
  kernels::Dims shape;
  tflite::TensorType type = tflite::TensorType::kFloat32;
  const uint8_t* constant = nullptr;  // in place in the model file, or null
  // The constant was computed at prepare (Impl::computed_constant), not read from the
  // model; allocate_tensors() drops it before preparing again.
  bool computed = false;
  size_t bytes = 0;
  size_t arena_offset = 0;
  bool in_arena = false;
};

struct Interpreter::Impl {
  tflite::Model model;
  InterpreterOptions options;
  std::vector<RuntimeTensor> tensors;
  std::vector<std::function<void()>> nodes;  // prepared kernels, in execution order
  AlignedVector<uint8_t> arena;
  bool allocated = false;
  // Set by prepare when a kernel sizes scratch on first use (sgemm's per-thread packing
  // buffers): allocate_tensors() then runs the graph once on the zeroed arena, so that
  // invoke() allocates nothing. The pool gives each thread the same chunk every run.
  bool warm_up = false;
  // Workers for kernels that split their work (the optimized int8 kernels); null with
  // one thread. Owned here, never global.
  std::unique_ptr<ThreadPool> pool;

  // Storage of the computed constants: outputs that depend on constants only and that a
  // prepare step computes once (float16 DEQUANTIZE of a constant). Such a tensor is a
  // constant from then on: later prepares may read it (and pack it), it takes no arena
  // space, and invoke() does not recompute it. A deque: adding one moves no other.
  std::deque<AlignedVector<uint8_t>> computed;

  // Makes tensor t a computed constant of `bytes` bytes (zeroed) and returns its storage.
  uint8_t* computed_constant(int t, size_t bytes) {
    AlignedVector<uint8_t>& v = computed.emplace_back(bytes, uint8_t{0});
    RuntimeTensor& r = tensors[static_cast<size_t>(t)];
    r.constant = v.data();
    r.computed = true;
    return v.data();
  }
  // Turns every computed constant back into an ordinary output (before re-preparing).
  void drop_computed_constants() {
    for (RuntimeTensor& r : tensors)
      if (r.computed) {
        r.constant = nullptr;
        r.computed = false;
      }
    computed.clear();
  }

  std::string op_label(size_t op_index) const;  // "operator 3 (CONV_2D)"
  const uint8_t* data(int t) const {
    const RuntimeTensor& r = tensors[static_cast<size_t>(t)];
    return r.constant ? r.constant : arena.data() + r.arena_offset;
  }
  uint8_t* mutable_data(int t) { return arena.data() + tensors[static_cast<size_t>(t)].arena_offset; }
  const float* f32(int t) const { return reinterpret_cast<const float*>(data(t)); }
  float* f32_out(int t) { return reinterpret_cast<float*>(mutable_data(t)); }
  template <typename T>
  const T* in(int t) const { return reinterpret_cast<const T*>(data(t)); }
  template <typename T>
  T* out(int t) { return reinterpret_cast<T*>(mutable_data(t)); }
};

// Checks every operator is one litequant runs; throws naming the first that is not.
void check_supported(const Interpreter::Impl& m);
// Prepares operator `op_index`: validates input types and shapes, sets the output
// tensors' shapes and returns the kernel call (which only computes).
std::function<void()> prepare_node(Interpreter::Impl& m, size_t op_index);

}  // namespace lq::runtime
