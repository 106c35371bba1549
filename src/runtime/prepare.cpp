// Which operators the interpreter runs, and the prepare step of one operator: the
// quantized families first (by tensor types), then float.
#include "node_context.h"

namespace lq::runtime {
namespace {
using tflite::Op;

bool known(int32_t code) {
  switch (static_cast<Op>(code)) {
    case Op::kConv2D: case Op::kDepthwiseConv2D: case Op::kFullyConnected: case Op::kMaxPool2D:
    case Op::kAveragePool2D: case Op::kAdd: case Op::kMul: case Op::kRelu: case Op::kRelu6:
    case Op::kLogistic: case Op::kTanh: case Op::kSoftmax: case Op::kReshape: case Op::kConcatenation:
    case Op::kMean: case Op::kPad: case Op::kDequantize: case Op::kQuantize:
      return true;
    default:
      return false;
  }
}
}  // namespace

void check_supported(const Interpreter::Impl& m) {
  for (size_t i = 0; i < m.model.operators.size(); ++i)
    if (!known(m.model.operators[i].opcode)) throw Error(m.op_label(i) + ": not supported by litequant's interpreter");
}

std::function<void()> prepare_node(Interpreter::Impl& m, size_t op_index) {
  NodeContext c(m, op_index);
  try {
    if (auto quantized = prepare_quantized(c)) return std::move(*quantized);
    return prepare_float(c);
  } catch (const Error& e) {
    const std::string msg = e.what();
    if (msg.rfind(c.label(), 0) == 0) throw;
    throw Error(c.label() + ": " + msg);
  }
}

}  // namespace lq::runtime
