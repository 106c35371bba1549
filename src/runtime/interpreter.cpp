#include "litequant/runtime/interpreter.h"

#include <algorithm>
#include <cstring>

#include "interpreter_impl.h"
#include "litequant/core/file.h"
#include "litequant/runtime/memory_planner.h"

namespace lq::runtime {
namespace {
size_t element_bytes(const RuntimeTensor& t) {
  const int64_t n = kernels::flat_size(t.shape);
  if (n > (int64_t{1} << 40)) throw Error("a tensor of shape " + kernels::dims_string(t.shape) + " is too large");
  if (t.type == tflite::TensorType::kInt4) return static_cast<size_t>((n + 1) / 2);
  return static_cast<size_t>(n) * tflite::type_size(t.type);
}
}  // namespace

std::string Interpreter::Impl::op_label(size_t op_index) const {
  return "operator " + std::to_string(op_index) + " (" + tflite::op_name(model.operators[op_index].opcode) + ")";
}

namespace {
// INT4 constants (packed weights) become int8 constants once, at load: the int8 kernels
// then run them unchanged.
void unpack_int4_constants(tflite::Model& m) {
  for (tflite::Tensor& t : m.tensors) {
    if (t.type != tflite::TensorType::kInt4 || t.buffer == 0 || t.buffer >= m.buffers.size() ||
        m.buffers[t.buffer].data().empty())
      continue;
    uint64_t n = 1;
    for (int32_t d : t.shape) n *= static_cast<uint64_t>(std::max(d, 0));
    const std::vector<int8_t> v = tflite::unpack_int4(m.buffers[t.buffer].data(), n);
    std::vector<uint8_t> bytes(v.size());
    std::memcpy(bytes.data(), v.data(), v.size());
    m.buffers.push_back(tflite::Buffer::take(std::move(bytes)));
    t.buffer = static_cast<uint32_t>(m.buffers.size() - 1);
    t.type = tflite::TensorType::kInt8;
  }
}
}  // namespace

Interpreter::Interpreter(tflite::Model model, InterpreterOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->model = std::move(model);
  impl_->options = options;
  unpack_int4_constants(impl_->model);
  if (options.num_threads < 1) impl_->options.num_threads = 1;
  if (impl_->options.num_threads > 1) impl_->pool = std::make_unique<ThreadPool>(impl_->options.num_threads);
  const tflite::Model& m = impl_->model;
  impl_->tensors.resize(m.tensors.size());
  for (size_t i = 0; i < m.tensors.size(); ++i) {
    RuntimeTensor& r = impl_->tensors[i];
    r.shape = m.tensors[i].shape;
    r.type = m.tensors[i].type;
    const uint32_t b = m.tensors[i].buffer;
    if (b != 0 && b < m.buffers.size() && !m.buffers[b].data().empty()) r.constant = m.buffers[b].data().data();
  }
  for (int t : m.inputs)
    if (impl_->tensors[static_cast<size_t>(t)].constant)
      throw Error("model input tensor " + std::to_string(t) + " is a constant");
  check_supported(*impl_);
}

Interpreter Interpreter::from_file(const std::string& path, InterpreterOptions options) {
  return Interpreter(tflite::read_model_file(path), options);
}

Interpreter Interpreter::from_bytes(std::vector<uint8_t> bytes, const std::string& name,
                                    InterpreterOptions options) {
  auto shared = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  return Interpreter(tflite::read_model(shared, name), options);
}

Interpreter::Interpreter(Interpreter&&) noexcept = default;
Interpreter& Interpreter::operator=(Interpreter&&) noexcept = default;
Interpreter::~Interpreter() = default;

void Interpreter::resize_input_tensor(size_t input, const std::vector<int32_t>& shape) {
  if (input >= impl_->model.inputs.size())
    throw Error("resize_input_tensor: input " + std::to_string(input) + " does not exist (the model has " +
                std::to_string(impl_->model.inputs.size()) + ")");
  for (int32_t d : shape)
    if (d < 1) throw Error("resize_input_tensor: dimensions must be positive, got " + kernels::dims_string(shape));
  kernels::flat_size(shape, "resize_input_tensor");
  impl_->tensors[static_cast<size_t>(impl_->model.inputs[input])].shape = shape;
  impl_->allocated = false;
}

void Interpreter::allocate_tensors() {
  Impl& m = *impl_;
  const size_t ops = m.model.operators.size();
  // Prepared nodes may point at computed constants: drop both before preparing again (a
  // failed allocate_tensors() leaves the interpreter unallocated).
  m.allocated = false;
  m.nodes.clear();
  m.drop_computed_constants();
  // Shapes of everything that is not a model input come from the model, then prepare.
  std::vector<bool> is_input(m.tensors.size(), false);
  for (int t : m.model.inputs) is_input[static_cast<size_t>(t)] = true;
  for (size_t i = 0; i < m.tensors.size(); ++i)
    if (!is_input[i]) m.tensors[i].shape = m.model.tensors[i].shape;
  // Every operator input must exist before the operator runs; every output is written
  // by exactly one operator and is neither a constant nor a model input.
  std::vector<bool> ready(m.tensors.size(), false);
  for (size_t i = 0; i < m.tensors.size(); ++i) ready[i] = m.tensors[i].constant || is_input[i];
  for (size_t op = 0; op < ops; ++op) {
    const tflite::Operator& o = m.model.operators[op];
    for (int t : o.inputs)
      if (t >= 0 && !ready[static_cast<size_t>(t)])
        throw Error(m.op_label(op) + ": input tensor " + std::to_string(t) +
                    " is neither a constant, a model input nor the output of an earlier operator");
    for (int t : o.outputs) {
      if (ready[static_cast<size_t>(t)])
        throw Error(m.op_label(op) + ": output tensor " + std::to_string(t) +
                    " is a constant, a model input or already written by another operator");
      ready[static_cast<size_t>(t)] = true;
    }
  }
  for (int t : m.model.outputs)
    if (!ready[static_cast<size_t>(t)]) throw Error("model output tensor " + std::to_string(t) + " is never computed");
  m.nodes.clear();
  for (size_t op = 0; op < ops; ++op) m.nodes.push_back(prepare_node(m, op));

  // Lifetimes of every activation: from its producer (or before the first op for model
  // inputs) to its last reader (or past the last op for model outputs and inputs: as in
  // TFLite, invoke() leaves the inputs intact).
  std::vector<int> first(m.tensors.size(), -2), last(m.tensors.size(), -2);
  for (int t : m.model.inputs) first[static_cast<size_t>(t)] = last[static_cast<size_t>(t)] = -1;
  for (size_t op = 0; op < ops; ++op) {
    const tflite::Operator& o = m.model.operators[op];
    for (int t : o.outputs)
      if (first[static_cast<size_t>(t)] == -2) first[static_cast<size_t>(t)] = last[static_cast<size_t>(t)] = static_cast<int>(op);
    for (int t : o.inputs)
      if (t >= 0 && first[static_cast<size_t>(t)] != -2) last[static_cast<size_t>(t)] = static_cast<int>(op);
  }
  for (int t : m.model.outputs)
    if (first[static_cast<size_t>(t)] != -2) last[static_cast<size_t>(t)] = static_cast<int>(ops);
  for (int t : m.model.inputs) last[static_cast<size_t>(t)] = static_cast<int>(ops);
  std::vector<BufferRequest> requests;
  std::vector<size_t> owner;
  for (size_t i = 0; i < m.tensors.size(); ++i) {
    RuntimeTensor& r = m.tensors[i];
    r.bytes = element_bytes(r);
    r.in_arena = !r.constant && first[i] != -2;
    if (!r.in_arena) continue;
    requests.push_back({r.bytes, first[i], last[i]});
    owner.push_back(i);
  }
  size_t total = 0;
  for (const auto& r : requests) {
    if (r.bytes > m.options.max_arena_bytes || total > m.options.max_arena_bytes)
      throw Error("allocate_tensors: the activations need more than the " + std::to_string(m.options.max_arena_bytes) +
                  "-byte arena limit (InterpreterOptions::max_arena_bytes)");
    total += r.bytes;
  }
  const MemoryPlan plan = plan_memory(requests);
  if (plan.arena_bytes > m.options.max_arena_bytes)
    throw Error("allocate_tensors: the activations need " + std::to_string(plan.arena_bytes) + " bytes, above the " +
                std::to_string(m.options.max_arena_bytes) + "-byte arena limit (InterpreterOptions::max_arena_bytes)");
  for (size_t k = 0; k < owner.size(); ++k) m.tensors[owner[k]].arena_offset = plan.offsets[k];
  m.arena.assign(plan.arena_bytes, 0);
  if (m.warm_up)
    for (auto& node : m.nodes) node();
  m.allocated = true;
}

namespace {
TensorDetails details_of(const Interpreter::Impl& m, int index) {
  if (index < 0 || static_cast<size_t>(index) >= m.tensors.size())
    throw Error("tensor index " + std::to_string(index) + " is out of range (the model has " +
                std::to_string(m.tensors.size()) + " tensors)");
  const tflite::Tensor& t = m.model.tensors[static_cast<size_t>(index)];
  return {t.name, index, m.tensors[static_cast<size_t>(index)].shape, t.type, t.quantization};
}
}  // namespace

std::vector<TensorDetails> Interpreter::get_input_details() const {
  std::vector<TensorDetails> out;
  for (int t : impl_->model.inputs) out.push_back(details_of(*impl_, t));
  return out;
}

std::vector<TensorDetails> Interpreter::get_output_details() const {
  std::vector<TensorDetails> out;
  for (int t : impl_->model.outputs) out.push_back(details_of(*impl_, t));
  return out;
}

TensorDetails Interpreter::tensor_details(int tensor_index) const { return details_of(*impl_, tensor_index); }

void Interpreter::check_dtype(int tensor_index, tflite::TensorType dtype) const {
  const TensorDetails d = details_of(*impl_, tensor_index);
  if (d.dtype != dtype)
    throw Error("tensor " + std::to_string(tensor_index) + " ('" + d.name + "') holds " + tflite::type_name(d.dtype) +
                ", not " + tflite::type_name(dtype));
}

void Interpreter::set_tensor(int tensor_index, const void* data, size_t bytes, tflite::TensorType dtype) {
  check_dtype(tensor_index, dtype);
  if (!impl_->allocated) throw Error("set_tensor: call allocate_tensors() first");
  const RuntimeTensor& r = impl_->tensors[static_cast<size_t>(tensor_index)];
  if (!r.in_arena) throw Error("set_tensor: tensor " + std::to_string(tensor_index) + " is a constant or unused");
  if (bytes != r.bytes)
    throw Error("set_tensor: tensor " + std::to_string(tensor_index) + " of shape " + kernels::dims_string(r.shape) +
                " takes " + std::to_string(r.bytes) + " bytes, got " + std::to_string(bytes));
  if (bytes) std::memcpy(impl_->mutable_data(tensor_index), data, bytes);
}

std::span<const uint8_t> Interpreter::tensor_bytes(int tensor_index) const {
  details_of(*impl_, tensor_index);
  const RuntimeTensor& r = impl_->tensors[static_cast<size_t>(tensor_index)];
  if (!r.constant && !impl_->allocated) throw Error("get_tensor: call allocate_tensors() first");
  if (!r.constant && !r.in_arena) throw Error("get_tensor: tensor " + std::to_string(tensor_index) + " is never computed");
  return {impl_->data(tensor_index), r.bytes};
}

void Interpreter::invoke() {
  if (!impl_->allocated) throw Error("invoke: call allocate_tensors() first");
  for (auto& node : impl_->nodes) node();
}

size_t Interpreter::arena_bytes() const { return impl_->arena.size(); }
int Interpreter::num_threads() const { return impl_->options.num_threads; }
const tflite::Model& Interpreter::model() const { return impl_->model; }

}  // namespace lq::runtime
