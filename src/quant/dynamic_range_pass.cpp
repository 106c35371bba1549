// Dynamic-range quantization: int8 weights, float activations (hybrid kernels).
#include <algorithm>

#include "litequant/quant/ptq.h"
#include "model_edit.h"
#include "weights.h"

namespace lq::quant {

tflite::Model quantize_dynamic_range(const tflite::Model& float_model, bool per_channel) {
  using tflite::Op;
  tflite::Model m = float_model;
  for (auto& op : m.operators) {
    const Op code = static_cast<Op>(op.opcode);
    if (code != Op::kFullyConnected && code != Op::kConv2D && code != Op::kDepthwiseConv2D) continue;
    const int w = op.inputs.at(1);
    if (!detail::is_constant(m, w) || m.tensors[static_cast<size_t>(w)].type != tflite::TensorType::kFloat32) continue;
    // The runtime's hybrid kernels (TFLite 2.12, pinned with the oracle): FULLY_CONNECTED
    // reads one scale (per-channel silently gives the bias only below version 12, which
    // it cannot load); DEPTHWISE_CONV_2D requires one scale per channel; CONV_2D with
    // several scales that are all equal also gives the bias only, so equal scales are
    // written once.
    bool channels = code == Op::kDepthwiseConv2D || (per_channel && code == Op::kConv2D);
    const int dim = code == Op::kDepthwiseConv2D ? 3 : 0;
    const tflite::Tensor src = m.tensors[static_cast<size_t>(w)];
    auto q = detail::quantize_symmetric(detail::float_values(m, w), src.shape, channels ? dim : -1);
    if (code == Op::kConv2D && channels &&
        std::all_of(q.scales.begin(), q.scales.end(), [&](float s) { return s == q.scales[0]; })) {
      q.scales.resize(1);
      channels = false;
    }
    op.inputs[1] = detail::add_constant(m, src.name, src.shape, tflite::TensorType::kInt8, q.values,
                                        {q.scales, std::vector<int64_t>(q.scales.size(), 0), channels ? dim : 0});
    // Hybrid op versions (tensorflow/lite/tools/versioning/op_version.cc).
    if (code == Op::kFullyConnected) {
      const auto* o = std::get_if<tflite::FullyConnectedOptions>(&op.options);
      op.version = o && o->keep_num_dims ? 5 : 3;
    }
    else if (code == Op::kConv2D) op.version = channels ? 5 : 2;
    else op.version = channels ? 6 : 4;
  }
  detail::compact(m);
  return m;
}

}  // namespace lq::quant
