#pragma once
// An in-memory TensorFlow Lite model (the subset of schema.fbs litequant reads and
// writes), independent of the flatbuffers library. write_model() serialises it to a
// .tflite flatbuffer; read_model() verifies a flatbuffer and validates every index,
// shape, buffer size and option before returning it.
//
// Conventions (TFLite's): activations NHWC; CONV_2D weights [O, H, W, I];
// DEPTHWISE_CONV_2D weights [1, H, W, C*M]; FULLY_CONNECTED weights [O, I]; buffers[0]
// is the empty sentinel; all data little-endian.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace lq::tflite {

// schema.fbs TensorType values.
enum class TensorType : int8_t {
  kFloat32 = 0, kFloat16 = 1, kInt32 = 2, kUInt8 = 3, kInt64 = 4, kString = 5, kBool = 6,
  kInt16 = 7, kInt8 = 9, kFloat64 = 10, kUInt32 = 15, kUInt16 = 16, kInt4 = 17,
};
std::string type_name(TensorType t);  // "float32", "int8", ...
// Bytes per element; 0 for types without a fixed size (string, int4 packs two per byte).
size_t type_size(TensorType t);
// Bytes of a dense tensor of `elements` elements of type t (int4: ceil(n/2)); 0 for string.
uint64_t data_size(TensorType t, uint64_t elements);
// INT4 storage (TFLite's): two values per byte, element 2i in the low nibble and 2i + 1 in
// the high nibble, two's complement; an odd count leaves the last high nibble 0.
// pack_int4 requires every value in [-8, 7].
std::vector<uint8_t> pack_int4(std::span<const int8_t> values);
std::vector<int8_t> unpack_int4(std::span<const uint8_t> packed, uint64_t elements);

// schema.fbs BuiltinOperator values of the ops litequant knows.
enum class Op : int32_t {
  kAdd = 0, kAveragePool2D = 1, kConcatenation = 2, kConv2D = 3, kDepthwiseConv2D = 4,
  kDequantize = 6, kFullyConnected = 9, kLogistic = 14, kMaxPool2D = 17, kMul = 18,
  kRelu = 19, kRelu6 = 21, kReshape = 22, kSoftmax = 25, kTanh = 28, kPad = 34, kMean = 40,
  kQuantize = 114,
};
std::string op_name(int32_t builtin_code);  // "CONV_2D"; "BUILTIN_<n>" when unknown

enum class Padding : int8_t { kSame = 0, kValid = 1 };
enum class Activation : int8_t { kNone = 0, kRelu = 1, kReluN1To1 = 2, kRelu6 = 3, kTanh = 4 };

struct Conv2DOptions {
  Padding padding = Padding::kSame;
  int32_t stride_w = 1, stride_h = 1;
  Activation activation = Activation::kNone;
  int32_t dilation_w = 1, dilation_h = 1;
  bool operator==(const Conv2DOptions&) const = default;
};
struct DepthwiseConv2DOptions {
  Padding padding = Padding::kSame;
  int32_t stride_w = 1, stride_h = 1, depth_multiplier = 1;
  Activation activation = Activation::kNone;
  int32_t dilation_w = 1, dilation_h = 1;
  bool operator==(const DepthwiseConv2DOptions&) const = default;
};
struct Pool2DOptions {
  Padding padding = Padding::kSame;
  int32_t stride_w = 1, stride_h = 1, filter_width = 1, filter_height = 1;
  Activation activation = Activation::kNone;
  bool operator==(const Pool2DOptions&) const = default;
};
struct FullyConnectedOptions {
  Activation activation = Activation::kNone;
  bool keep_num_dims = false;
  bool asymmetric_quantize_inputs = false;
  bool operator==(const FullyConnectedOptions&) const = default;
};
struct ActivationOptions {  // ADD, MUL
  Activation activation = Activation::kNone;
  bool operator==(const ActivationOptions&) const = default;
};
struct ConcatenationOptions {
  int32_t axis = 0;
  Activation activation = Activation::kNone;
  bool operator==(const ConcatenationOptions&) const = default;
};
struct SoftmaxOptions {
  float beta = 1.0f;  // a file without SoftmaxOptions (or without beta) means 0, as in TFLite
  bool operator==(const SoftmaxOptions&) const = default;
};
struct ReshapeOptions {
  std::vector<int32_t> new_shape;
  bool operator==(const ReshapeOptions&) const = default;
};
struct ReducerOptions {  // MEAN
  bool keep_dims = false;
  bool operator==(const ReducerOptions&) const = default;
};
using Options = std::variant<std::monostate, Conv2DOptions, DepthwiseConv2DOptions, Pool2DOptions,
                             FullyConnectedOptions, ActivationOptions, ConcatenationOptions,
                             SoftmaxOptions, ReshapeOptions, ReducerOptions>;

struct Quantization {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t quantized_dimension = 0;
  bool empty() const { return scale.empty(); }
  bool operator==(const Quantization&) const = default;
};

struct Tensor {
  std::string name;
  std::vector<int32_t> shape;
  TensorType type = TensorType::kFloat32;
  uint32_t buffer = 0;  // 0 = no constant data
  Quantization quantization;
  bool is_variable = false;
  bool operator==(const Tensor&) const = default;
};

struct Operator {
  int32_t opcode = 0;   // builtin code (Op, or any other builtin code; never CUSTOM = 32)
  int32_t version = 1;  // the op version (OperatorCode.version in the file)
  std::vector<int32_t> inputs;  // -1 = optional input absent (FULLY_CONNECTED's bias)
  std::vector<int32_t> outputs;
  Options options;
  bool operator==(const Operator&) const = default;
};

// One buffer: in place in the file bytes when read, owned when built for writing.
// Copies stay valid: a copy of a Buffer whose view points into its own `owned` bytes
// points into the copy's `owned`; a view into file bytes is shared (keep Model::file).
struct Buffer {
  std::vector<uint8_t> owned;
  std::span<const uint8_t> view;  // what the data is; points into `owned` or the file
  std::span<const uint8_t> data() const { return view; }
  static Buffer copy_of(std::span<const uint8_t> bytes);
  static Buffer take(std::vector<uint8_t> bytes);  // owns `bytes`, no copy

  Buffer() = default;
  Buffer(const Buffer& other);
  Buffer& operator=(const Buffer& other);
  Buffer(Buffer&&) noexcept = default;  // a moved vector keeps its storage: view stays valid
  Buffer& operator=(Buffer&&) noexcept = default;
  bool operator==(const Buffer& other) const;  // same bytes
};

struct Model {
  uint32_t version = 3;
  std::string description;
  // Subgraph 0 (the only one litequant runs).
  std::vector<Tensor> tensors;
  std::vector<int32_t> inputs, outputs;
  std::vector<Operator> operators;  // execution order
  std::vector<Buffer> buffers;      // buffers[0] is the empty sentinel
  std::string subgraph_name;

  // Keeps the file bytes alive for buffers read in place.
  std::shared_ptr<const std::vector<uint8_t>> file;

  // Same content (version, description, subgraph, buffer bytes); `file` is not compared.
  bool operator==(const Model& other) const;
};

// The rules read_model() enforces on what it returns, for a Model built in memory:
// version 3; buffers[0] exists and is empty; every tensor and buffer index in range;
// -1 only where TFLite 2.12 accepts an absent input (FULLY_CONNECTED's bias, any input
// of an op litequant does not know; CONV_2D and DEPTHWISE_CONV_2D without bias take 2
// inputs); input and output counts of known ops; rank <= 16, dims >= 0, at most 2^31
// elements; a non-empty buffer holds exactly the tensor's bytes (float16 2 per element,
// int4 ceil(n/2); no constant strings); quantization consistent (1 scale or
// dim[quantized_dimension] scales, finite and > 0, as many zero points, within the
// type's range); each op carries exactly the options alternative it takes (monostate
// for ops without options and for ops litequant does not know) with valid values
// (strides, filters, dilations > 0, known padding and activation, finite softmax beta,
// new_shape entries >= -1 with at most one -1); no custom ops.
// Throws lq::Error("<name>: ...") naming the tensor, buffer or operator at fault.
void validate(const Model& model, const std::string& name);

// Validates (as above, name "write_model"), then serialises: file identifier "TFL3",
// both builtin_code fields set (deprecated_builtin_code = min(code, 127)), one
// OperatorCode per distinct (code, version) in order of first use, the operator
// versions given in Operator::version, options tables for every op that takes them,
// buffer data 16-byte aligned. Deterministic: equal models give equal bytes.
std::vector<uint8_t> write_model(const Model& model);

// Verifies (flatbuffers Verifier) and validates; throws lq::Error("<name>: ...") naming
// the problem (operator index and op name for unsupported ops or bad options, tensor
// index for bad shapes or buffers). Reads subgraph 0 only (others are ignored). Builtin
// code = max(builtin_code, deprecated_builtin_code) as in TFLite; ops litequant does not
// know are kept with monostate options (the interpreter reports them); custom ops,
// sparse tensors, custom quantization and data outside the flatbuffer are rejected. A
// missing options table reads as the schema defaults, as TFLite does (e.g. stride 0,
// which is then rejected; SOFTMAX beta 0). Constant data is referenced in place, not
// copied: the Model keeps `bytes` alive in Model::file.
Model read_model(std::shared_ptr<const std::vector<uint8_t>> bytes, const std::string& name);
Model read_model_file(const std::string& path);

}  // namespace lq::tflite
