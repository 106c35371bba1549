// validate(): the rules every Model read_model() returns (and write_model() accepts)
// obeys. See model.h.
#include <cmath>
#include <limits>
#include <string>

#include "litequant/core/error.h"
#include "litequant/tflite/model.h"
#include "op_traits.h"

namespace lq::tflite {
namespace {

constexpr size_t kMaxRank = 16;
constexpr uint64_t kMaxElements = uint64_t{1} << 31;

std::string list(const std::vector<int32_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

bool known_type(TensorType t) {
  switch (t) {
    case TensorType::kFloat32:
    case TensorType::kFloat16:
    case TensorType::kInt32:
    case TensorType::kUInt8:
    case TensorType::kInt64:
    case TensorType::kString:
    case TensorType::kBool:
    case TensorType::kInt16:
    case TensorType::kInt8:
    case TensorType::kFloat64:
    case TensorType::kUInt32:
    case TensorType::kUInt16:
    case TensorType::kInt4: return true;
  }
  return false;
}

// Range of a zero point for integer types that are quantized with one; false otherwise.
bool zero_point_range(TensorType t, int64_t& lo, int64_t& hi) {
  switch (t) {
    case TensorType::kInt8:
      lo = -128;
      hi = 127;
      return true;
    case TensorType::kUInt8:
      lo = 0;
      hi = 255;
      return true;
    case TensorType::kInt16:
      lo = -32768;
      hi = 32767;
      return true;
    case TensorType::kUInt16:
      lo = 0;
      hi = 65535;
      return true;
    case TensorType::kInt4:
      lo = -8;
      hi = 7;
      return true;
    default: return false;
  }
}

class Validator {
 public:
  Validator(const Model& m, const std::string& name) : m_(m), name_(name) {}

  void run() {
    if (m_.version != 3)
      fail("schema version " + std::to_string(m_.version) + " is not supported (expected 3)");
    if (m_.buffers.empty()) fail("no buffers (buffers[0] must be the empty sentinel)");
    if (!m_.buffers[0].data().empty())
      fail("buffer 0 holds " + std::to_string(m_.buffers[0].data().size()) +
           " bytes; it must be the empty sentinel");
    for (size_t i = 0; i < m_.tensors.size(); ++i) tensor(i);
    for (size_t k = 0; k < m_.inputs.size(); ++k)
      index("model input " + std::to_string(k), m_.inputs[k], false);
    for (size_t k = 0; k < m_.outputs.size(); ++k)
      index("model output " + std::to_string(k), m_.outputs[k], false);
    for (size_t i = 0; i < m_.operators.size(); ++i) op(i);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw Error(name_ + ": " + what); }

  std::string tensor_label(size_t i) const {
    const std::string& n = m_.tensors[i].name;
    return "tensor " + std::to_string(i) + (n.empty() ? "" : " (\"" + n + "\")");
  }

  void index(const std::string& what, int32_t t, bool may_be_absent) const {
    if (t == -1 && may_be_absent) return;
    if (t < 0 || static_cast<size_t>(t) >= m_.tensors.size())
      fail(what + ": tensor index " + std::to_string(t) + " out of range (" +
           std::to_string(m_.tensors.size()) + " tensors)");
  }

  void tensor(size_t i) const {
    const Tensor& t = m_.tensors[i];
    auto bad = [&](const std::string& what) { fail(tensor_label(i) + ": " + what); };
    if (!known_type(t.type)) bad("unsupported type " + std::to_string(static_cast<int>(t.type)));
    if (t.shape.size() > kMaxRank)
      bad("rank " + std::to_string(t.shape.size()) + " exceeds " + std::to_string(kMaxRank));
    uint64_t elements = 1;
    for (int32_t d : t.shape) {
      if (d < 0) bad("negative dimension in shape " + list(t.shape));
      elements *= static_cast<uint64_t>(d);  // <= 2^31 * (2^31 - 1): no overflow
      if (elements > kMaxElements) bad("shape " + list(t.shape) + " has more than 2^31 elements");
    }
    if (t.buffer >= m_.buffers.size())
      bad("buffer index " + std::to_string(t.buffer) + " out of range (" +
          std::to_string(m_.buffers.size()) + " buffers)");
    const size_t bytes = m_.buffers[t.buffer].data().size();
    if (bytes > 0) {
      if (t.type == TensorType::kString) bad("constant string tensors are not supported");
      const uint64_t want = data_size(t.type, elements);
      if (bytes != want)
        bad("buffer " + std::to_string(t.buffer) + " holds " + std::to_string(bytes) +
            " bytes, but " + type_name(t.type) + " " + list(t.shape) + " needs " +
            std::to_string(want));
    }
    quantization(i);
  }

  void quantization(size_t i) const {
    const Tensor& t = m_.tensors[i];
    const Quantization& q = t.quantization;
    auto bad = [&](const std::string& what) { fail(tensor_label(i) + ": quantization: " + what); };
    if (q.scale.empty()) {
      if (!q.zero_point.empty()) bad("zero points without scales");
      if (q.quantized_dimension != 0) bad("quantized_dimension without scales");
      return;
    }
    if (q.zero_point.size() != q.scale.size())
      bad(std::to_string(q.scale.size()) + " scales but " + std::to_string(q.zero_point.size()) +
          " zero points");
    const int32_t qd = q.quantized_dimension;
    const size_t rank = t.shape.size();
    if (qd < 0 || (rank == 0 ? qd != 0 : static_cast<size_t>(qd) >= rank))
      bad("quantized_dimension " + std::to_string(qd) + " out of range for shape " + list(t.shape));
    if (q.scale.size() > 1 && (rank == 0 || static_cast<size_t>(t.shape[qd]) != q.scale.size()))
      bad(std::to_string(q.scale.size()) + " scales, but dimension " + std::to_string(qd) +
          " of shape " + list(t.shape) + " is not that size");
    for (size_t c = 0; c < q.scale.size(); ++c)
      if (!std::isfinite(q.scale[c]) || !(q.scale[c] > 0))
        bad("scale " + std::to_string(c) + " is " + std::to_string(q.scale[c]) +
            " (must be finite and > 0)");
    int64_t lo = 0, hi = 0;
    if (zero_point_range(t.type, lo, hi))
      for (size_t c = 0; c < q.zero_point.size(); ++c)
        if (q.zero_point[c] < lo || q.zero_point[c] > hi)
          bad("zero point " + std::to_string(c) + " is " + std::to_string(q.zero_point[c]) +
              ", outside the " + type_name(t.type) + " range");
  }

  void op(size_t i) const {
    const Operator& o = m_.operators[i];
    const std::string label = "operator " + std::to_string(i) + " (" + op_name(o.opcode) + ")";
    auto bad = [&](const std::string& what) { fail(label + ": " + what); };
    if (o.opcode < 0) bad("invalid builtin code " + std::to_string(o.opcode));
    if (o.opcode == 32) bad("custom ops are not supported");
    if (o.version < 1) bad("invalid version " + std::to_string(o.version));
    const OpTraits* tr = op_traits(o.opcode);
    for (size_t k = 0; k < o.inputs.size(); ++k) {
      const bool optional = !tr || static_cast<int>(k) == tr->optional_input;
      index(label + ": input " + std::to_string(k), o.inputs[k], optional);
    }
    for (size_t k = 0; k < o.outputs.size(); ++k)
      index(label + ": output " + std::to_string(k), o.outputs[k], false);
    const size_t want_options = tr ? tr->options_index : 0;
    if (o.options.index() != want_options)
      bad("options must be " + options_name(want_options) + ", got " +
          options_name(o.options.index()));
    if (!tr) return;
    const int n_in = static_cast<int>(o.inputs.size());
    if (n_in < tr->min_inputs || n_in > tr->max_inputs)
      bad(std::to_string(n_in) + " inputs (takes " + std::to_string(tr->min_inputs) +
          (tr->max_inputs == tr->min_inputs ? ""
           : tr->max_inputs > 1000          ? " or more"
                                            : " to " + std::to_string(tr->max_inputs)) +
          ")");
    if (static_cast<int>(o.outputs.size()) != tr->outputs)
      bad(std::to_string(o.outputs.size()) + " outputs (takes " + std::to_string(tr->outputs) +
          ")");
    std::visit([&](const auto& opt) { options(opt, bad); }, o.options);
  }

  template <class Bad>
  static void activation(Activation a, const Bad& bad) {
    if (static_cast<int>(a) < 0 || static_cast<int>(a) > 4)
      bad("unsupported fused activation " + std::to_string(static_cast<int>(a)));
  }
  template <class Bad>
  static void padding(Padding p, const Bad& bad) {
    if (p != Padding::kSame && p != Padding::kValid)
      bad("unknown padding " + std::to_string(static_cast<int>(p)));
  }
  template <class Bad>
  static void positive(const char* what, int32_t v, const Bad& bad) {
    if (v <= 0) bad(std::string(what) + " must be > 0, got " + std::to_string(v));
  }

  template <class Bad>
  static void options(const std::monostate&, const Bad&) {}
  template <class Bad>
  static void options(const Conv2DOptions& o, const Bad& bad) {
    padding(o.padding, bad);
    positive("stride_w", o.stride_w, bad);
    positive("stride_h", o.stride_h, bad);
    activation(o.activation, bad);
    positive("dilation_w", o.dilation_w, bad);
    positive("dilation_h", o.dilation_h, bad);
  }
  template <class Bad>
  static void options(const DepthwiseConv2DOptions& o, const Bad& bad) {
    padding(o.padding, bad);
    positive("stride_w", o.stride_w, bad);
    positive("stride_h", o.stride_h, bad);
    if (o.depth_multiplier < 0)
      bad("depth_multiplier must be >= 0, got " + std::to_string(o.depth_multiplier));
    activation(o.activation, bad);
    positive("dilation_w", o.dilation_w, bad);
    positive("dilation_h", o.dilation_h, bad);
  }
  template <class Bad>
  static void options(const Pool2DOptions& o, const Bad& bad) {
    padding(o.padding, bad);
    positive("stride_w", o.stride_w, bad);
    positive("stride_h", o.stride_h, bad);
    positive("filter_width", o.filter_width, bad);
    positive("filter_height", o.filter_height, bad);
    activation(o.activation, bad);
  }
  template <class Bad>
  static void options(const FullyConnectedOptions& o, const Bad& bad) {
    activation(o.activation, bad);
  }
  template <class Bad>
  static void options(const ActivationOptions& o, const Bad& bad) {
    activation(o.activation, bad);
  }
  template <class Bad>
  static void options(const ConcatenationOptions& o, const Bad& bad) {
    if (o.axis <= -static_cast<int32_t>(kMaxRank) - 1 || o.axis >= static_cast<int32_t>(kMaxRank))
      bad("axis " + std::to_string(o.axis) + " out of range");
    activation(o.activation, bad);
  }
  template <class Bad>
  static void options(const SoftmaxOptions& o, const Bad& bad) {
    if (!std::isfinite(o.beta)) bad("beta is " + std::to_string(o.beta) + " (must be finite)");
  }
  template <class Bad>
  static void options(const ReshapeOptions& o, const Bad& bad) {
    if (o.new_shape.size() > kMaxRank)
      bad("new_shape has rank " + std::to_string(o.new_shape.size()) + ", more than " +
          std::to_string(kMaxRank));
    int unknown = 0;
    for (int32_t d : o.new_shape) {
      if (d < -1) bad("new_shape " + list(o.new_shape) + " has a dimension below -1");
      unknown += d == -1;
    }
    if (unknown > 1) bad("new_shape " + list(o.new_shape) + " has more than one -1");
  }
  template <class Bad>
  static void options(const ReducerOptions&, const Bad&) {}

  const Model& m_;
  const std::string& name_;
};

}  // namespace

void validate(const Model& model, const std::string& name) { Validator(model, name).run(); }

}  // namespace lq::tflite
