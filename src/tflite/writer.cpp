// write_model(): Model -> .tflite bytes (see model.h).
#include "writer.h"

#include <algorithm>
#include <map>
#include <utility>

#include "fb.h"
#include "litequant/core/error.h"
#include "options_codec.h"

namespace lq::tflite {
namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

// An upper bound of the serialised size, to refuse models a flatbuffer cannot hold
// (the builder only asserts on overflow).
uint64_t size_bound(const Model& m) {
  uint64_t n = 1024 + m.description.size() + m.subgraph_name.size();
  for (const Buffer& b : m.buffers) n += 64 + b.data().size();
  for (const Tensor& t : m.tensors)
    n += 128 + t.name.size() + 4 * t.shape.size() + 12 * t.quantization.scale.size() +
         8 * t.quantization.zero_point.size();
  for (const Operator& o : m.operators) {
    n += 128 + 4 * (o.inputs.size() + o.outputs.size()) + 64;
    if (const auto* r = std::get_if<ReshapeOptions>(&o.options)) n += 4 * r->new_shape.size();
  }
  return n + 4 * (m.inputs.size() + m.outputs.size());
}

Offset<fb::QuantizationParameters> quantization(FlatBufferBuilder& fbb, const Quantization& q) {
  if (q.empty() && q.zero_point.empty()) return 0;
  const auto scale = fbb.CreateVector(q.scale);
  const auto zero_point = fbb.CreateVector(q.zero_point);
  fb::QuantizationParametersBuilder b(fbb);
  b.add_scale(scale);
  b.add_zero_point(zero_point);
  b.add_quantized_dimension(q.quantized_dimension);
  return b.Finish();
}

Offset<fb::Tensor> tensor(FlatBufferBuilder& fbb, const Tensor& t) {
  const auto shape = fbb.CreateVector(t.shape);
  const auto name = fbb.CreateString(t.name);
  const auto quant = quantization(fbb, t.quantization);
  fb::TensorBuilder b(fbb);
  b.add_shape(shape);
  b.add_type(static_cast<fb::TensorType>(t.type));
  b.add_buffer(t.buffer);
  b.add_name(name);
  if (!quant.IsNull()) b.add_quantization(quant);
  b.add_is_variable(t.is_variable);
  return b.Finish();
}

Offset<fb::Buffer> buffer(FlatBufferBuilder& fbb, const Buffer& buf) {
  const auto data = buf.data();
  Offset<flatbuffers::Vector<uint8_t>> vec;
  if (!data.empty()) {
    fbb.ForceVectorAlignment(data.size(), sizeof(uint8_t), 16);
    vec = fbb.CreateVector(data.data(), data.size());
  }
  fb::BufferBuilder b(fbb);
  if (!vec.IsNull()) b.add_data(vec);
  return b.Finish();
}

}  // namespace

namespace detail {

std::vector<uint8_t> write_model_unchecked(const Model& m) {
  if (size_bound(m) >= FLATBUFFERS_MAX_BUFFER_SIZE)
    throw Error("write_model: the model is too large for a .tflite flatbuffer (2 GiB limit)");
  FlatBufferBuilder fbb(1024 + size_bound(m) / 16 * 17);

  // Buffers first: they end up last in the file, after the small tables.
  std::vector<Offset<fb::Buffer>> buffers;
  buffers.reserve(m.buffers.size());
  for (const Buffer& b : m.buffers) buffers.push_back(buffer(fbb, b));
  const auto buffers_vec = fbb.CreateVector(buffers);

  std::vector<Offset<fb::Tensor>> tensors;
  tensors.reserve(m.tensors.size());
  for (const Tensor& t : m.tensors) tensors.push_back(tensor(fbb, t));
  const auto tensors_vec = fbb.CreateVector(tensors);

  // One OperatorCode per distinct (code, version), in order of first use.
  std::map<std::pair<int32_t, int32_t>, uint32_t> code_index;
  std::vector<std::pair<int32_t, int32_t>> codes;
  std::vector<Offset<fb::Operator>> ops;
  ops.reserve(m.operators.size());
  for (const Operator& o : m.operators) {
    const auto key = std::make_pair(o.opcode, o.version);
    auto [it, fresh] = code_index.emplace(key, static_cast<uint32_t>(codes.size()));
    if (fresh) codes.push_back(key);
    const auto inputs = fbb.CreateVector(o.inputs);
    const auto outputs = fbb.CreateVector(o.outputs);
    const WrittenOptions options = write_options(fbb, o);
    fb::OperatorBuilder b(fbb);
    b.add_opcode_index(it->second);
    b.add_inputs(inputs);
    b.add_outputs(outputs);
    if (options.type != fb::BuiltinOptions::NONE) {
      b.add_builtin_options_type(options.type);
      b.add_builtin_options(options.table);
    }
    ops.push_back(b.Finish());
  }
  const auto ops_vec = fbb.CreateVector(ops);

  // Both code fields, present even when 0 or 1 (readers of either generation agree).
  std::vector<Offset<fb::OperatorCode>> opcodes;
  fbb.ForceDefaults(true);
  for (const auto& [code, version] : codes)
    opcodes.push_back(fb::CreateOperatorCode(
        fbb, static_cast<int8_t>(std::clamp(code, int32_t{-128}, int32_t{127})), 0, version,
        static_cast<fb::BuiltinOperator>(code)));
  fbb.ForceDefaults(false);
  const auto opcodes_vec = fbb.CreateVector(opcodes);

  const auto sg_inputs = fbb.CreateVector(m.inputs);
  const auto sg_outputs = fbb.CreateVector(m.outputs);
  const auto sg_name =
      m.subgraph_name.empty() ? Offset<flatbuffers::String>() : fbb.CreateString(m.subgraph_name);
  const auto subgraph =
      fb::CreateSubGraph(fbb, tensors_vec, sg_inputs, sg_outputs, ops_vec, sg_name);
  const auto subgraphs_vec = fbb.CreateVector(&subgraph, 1);
  const auto description =
      m.description.empty() ? Offset<flatbuffers::String>() : fbb.CreateString(m.description);

  fb::ModelBuilder b(fbb);
  b.add_version(m.version);
  b.add_operator_codes(opcodes_vec);
  b.add_subgraphs(subgraphs_vec);
  if (!description.IsNull()) b.add_description(description);
  b.add_buffers(buffers_vec);
  fbb.Finish(b.Finish(), fb::ModelIdentifier());
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

}  // namespace detail

std::vector<uint8_t> write_model(const Model& model) {
  validate(model, "write_model");
  return detail::write_model_unchecked(model);
}

}  // namespace lq::tflite
