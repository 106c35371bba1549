// Names, element sizes and value semantics of the in-memory TFLite model.
#include "litequant/tflite/model.h"

#include <algorithm>
#include <functional>
#include <string>

#include "litequant/core/error.h"

namespace lq::tflite {

std::string type_name(TensorType t) {
  switch (t) {
    case TensorType::kFloat32: return "float32";
    case TensorType::kFloat16: return "float16";
    case TensorType::kInt32: return "int32";
    case TensorType::kUInt8: return "uint8";
    case TensorType::kInt64: return "int64";
    case TensorType::kString: return "string";
    case TensorType::kBool: return "bool";
    case TensorType::kInt16: return "int16";
    case TensorType::kInt8: return "int8";
    case TensorType::kFloat64: return "float64";
    case TensorType::kUInt32: return "uint32";
    case TensorType::kUInt16: return "uint16";
    case TensorType::kInt4: return "int4";
  }
  return "type_" + std::to_string(static_cast<int>(t));
}

size_t type_size(TensorType t) {
  switch (t) {
    case TensorType::kFloat32: return 4;
    case TensorType::kFloat16: return 2;
    case TensorType::kInt32: return 4;
    case TensorType::kUInt8: return 1;
    case TensorType::kInt64: return 8;
    case TensorType::kString: return 0;
    case TensorType::kBool: return 1;
    case TensorType::kInt16: return 2;
    case TensorType::kInt8: return 1;
    case TensorType::kFloat64: return 8;
    case TensorType::kUInt32: return 4;
    case TensorType::kUInt16: return 2;
    case TensorType::kInt4: return 0;
  }
  return 0;
}

uint64_t data_size(TensorType t, uint64_t elements) {
  if (t == TensorType::kInt4) return elements / 2 + elements % 2;
  return elements * type_size(t);
}

std::vector<uint8_t> pack_int4(std::span<const int8_t> values) {
  std::vector<uint8_t> out((values.size() + 1) / 2, 0);
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] < -8 || values[i] > 7)
      throw Error("pack_int4: value " + std::to_string(values[i]) + " at " + std::to_string(i) + " is not in [-8, 7]");
    const auto nibble = static_cast<uint8_t>(values[i] & 0x0F);
    out[i / 2] = static_cast<uint8_t>(out[i / 2] | (i % 2 ? nibble << 4 : nibble));
  }
  return out;
}

std::vector<int8_t> unpack_int4(std::span<const uint8_t> packed, uint64_t elements) {
  if (packed.size() < (elements + 1) / 2) throw Error("unpack_int4: " + std::to_string(packed.size()) +
                                                      " bytes hold fewer than " + std::to_string(elements) + " values");
  std::vector<int8_t> out(static_cast<size_t>(elements));
  for (uint64_t i = 0; i < elements; ++i) {
    const int nibble = (i % 2 ? packed[i / 2] >> 4 : packed[i / 2]) & 0x0F;
    out[static_cast<size_t>(i)] = static_cast<int8_t>(nibble >= 8 ? nibble - 16 : nibble);
  }
  return out;
}

std::string op_name(int32_t builtin_code) {
  switch (builtin_code) {
    case 0: return "ADD";
    case 1: return "AVERAGE_POOL_2D";
    case 2: return "CONCATENATION";
    case 3: return "CONV_2D";
    case 4: return "DEPTHWISE_CONV_2D";
    case 6: return "DEQUANTIZE";
    case 9: return "FULLY_CONNECTED";
    case 14: return "LOGISTIC";
    case 17: return "MAX_POOL_2D";
    case 18: return "MUL";
    case 19: return "RELU";
    case 21: return "RELU6";
    case 22: return "RESHAPE";
    case 25: return "SOFTMAX";
    case 28: return "TANH";
    case 32: return "CUSTOM";
    case 34: return "PAD";
    case 40: return "MEAN";
    case 41: return "SUB";
    case 67: return "TRANSPOSE_CONV";
    case 98: return "LEAKY_RELU";
    case 114: return "QUANTIZE";
    case 117: return "HARD_SWISH";
    case 126: return "BATCH_MATMUL";
    case 150: return "GELU";
    default: return "BUILTIN_" + std::to_string(builtin_code);
  }
}

Buffer Buffer::copy_of(std::span<const uint8_t> bytes) {
  return take(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

Buffer Buffer::take(std::vector<uint8_t> bytes) {
  Buffer b;
  b.owned = std::move(bytes);
  b.view = b.owned;
  return b;
}

Buffer::Buffer(const Buffer& other) : owned(other.owned), view(other.view) {
  // A view into the other's own bytes must point into ours.
  const uint8_t* begin = other.owned.data();
  const uint8_t* end = begin + other.owned.size();
  const uint8_t* v = other.view.data();
  const std::less<const uint8_t*> less;
  if (!other.owned.empty() && !less(v, begin) && !less(end, v + other.view.size()))
    view = std::span<const uint8_t>(owned).subspan(
        static_cast<size_t>(other.view.data() - other.owned.data()), other.view.size());
}

Buffer& Buffer::operator=(const Buffer& other) {
  if (this != &other) *this = Buffer(other);
  return *this;
}

bool Buffer::operator==(const Buffer& other) const { return std::ranges::equal(view, other.view); }

bool Model::operator==(const Model& other) const {
  return version == other.version && description == other.description && tensors == other.tensors &&
         inputs == other.inputs && outputs == other.outputs && operators == other.operators &&
         buffers == other.buffers && subgraph_name == other.subgraph_name;
}

}  // namespace lq::tflite
