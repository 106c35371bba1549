#pragma once
// Post-training quantization passes on a float32 TensorFlow Lite model (what
// TFLiteConverter produces before serialisation). Each pass returns a new model and
// leaves no unused tensor or buffer behind.
//
// ========================= QUANTIZATION CONTRACT ========================================
// Weights (FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D), symmetric narrow range:
//   scale[c] = max|w[c]| / 127 (1 when the slice is all zero), q = round(w / scale[c])
//   half away from zero, clamped to [-127, 127], zero point 0. Per-channel along the
//   output channel (dim 0, or dim 3 for DEPTHWISE_CONV_2D) when per_channel, else one
//   scale for the tensor.
// Bias: int32, scale s_in * s_w[c], zero point 0, q = round(b / (s_in * s_w[c])),
//   saturated to int32.
// Activations, asymmetric int8 from a calibrated range [min, max]:
//   min = min(min, 0), max = max(max, 0) (zero exactly representable)
//   scale = (max - min) / 255, zero_point = clamp(round(-128 - min / scale), -128, 127)
//   (TFLite's GetAsymmetricQuantizationParams); a range narrower than 1e-8 (e.g. a
//   ReLU output that is always 0) gets scale 1/255 and zero point -128.
// Fixed output parameters (TFLite's int8 spec): SOFTMAX, LOGISTIC 1/256, -128;
//   TANH 1/128, 0; MAX/AVERAGE_POOL_2D, RESHAPE, PAD: the input's; CONCATENATION: one
//   range (the union of its inputs') for all inputs and the output, inputs with other
//   parameters are requantized by an int8 -> int8 QUANTIZE.
// Other constants read by int8 ops (e.g. MUL/ADD of a standalone BatchNormalization):
//   asymmetric int8 per tensor from their own min/max.
// Float16: every float32 constant becomes FLOAT16 (IEEE half, round to nearest even)
//   with a DEQUANTIZE op (version 3) at the start of the graph.
// =========================================================================================
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "litequant/core/tensor.h"
#include "litequant/tflite/model.h"

namespace lq::quant {

// Observed value range of one tensor.
struct TensorRange {
  float min = 0.0f;
  float max = 0.0f;
  bool seen = false;
};

// Runs the float model on every sample of `dataset` (one Tensor per model input, each
// [N, ...input shape without batch]) in batches and returns the min/max of every tensor
// that is not a constant (index = tensor index). Throws lq::Error when the dataset is
// empty, has the wrong number of inputs, a wrong sample shape, or NaN/Inf values.
std::vector<TensorRange> calibrate(const tflite::Model& float_model, const std::vector<Tensor>& dataset,
                                   int num_threads = 1, int64_t batch = 32);

// Asymmetric int8 parameters of a calibrated range (contract above).
tflite::Quantization asymmetric_int8(float min, float max);

enum class IoType : int8_t { kFloat32, kInt8, kUInt8 };

struct Int8Options {
  bool per_channel = true;       // per-channel weights for CONV_2D / DEPTHWISE_CONV_2D
  bool integer_only = false;     // every op int8; fail rather than keep float ops
  IoType input = IoType::kFloat32;   // model input type
  IoType output = IoType::kFloat32;  // model output type
  // Operators (by index in the float model) to keep in float32, between DEQUANTIZE and
  // QUANTIZE (not allowed with integer_only).
  std::set<size_t> float_operators;
  // Exact parameters of activation tensors (by tensor index), used instead of calibrated
  // ranges: the learned ranges of a quantization-aware model. A CONCATENATION whose output
  // has them uses them for the output and requantizes its inputs.
  std::map<int, tflite::Quantization> activation_params;
  // Bits of the symmetric weight grid per layer (the weight tensor's name up to '/'),
  // 2..8, stored in int8 ([-(2^(b-1) - 1), 2^(b-1) - 1]); 8 when absent.
  std::map<std::string, int> weight_bits;
  // Layers (as in weight_bits) whose CONV_2D / DEPTHWISE weights are per tensor even with
  // per_channel.
  std::set<std::string> per_tensor_layers;
  // Weights of 4 bits or fewer stored as packed INT4 (TensorType INT4; CONV_2D and
  // DEPTHWISE_CONV_2D version 7, FULLY_CONNECTED version 10): half the bytes. TFLite 2.14+
  // and TFLite Micro read them; older runtimes reject these op versions.
  bool pack_int4 = false;
};

// Full-integer quantization with the ranges from calibrate(). An operator litequant
// cannot run in int8 stays float32 (or, with integer_only, an lq::Error names it).
tflite::Model quantize_int8(const tflite::Model& float_model, const std::vector<TensorRange>& ranges,
                            const Int8Options& options);

// Float16 weights (contract above); float32 inputs, outputs and arithmetic.
tflite::Model quantize_float16(const tflite::Model& float_model);

// Dynamic range: int8 weights for FULLY_CONNECTED (per-tensor), CONV_2D (per-channel
// when per_channel and the channel scales differ) and DEPTHWISE_CONV_2D (always
// per-channel: TFLite's hybrid kernel requires it), float32 bias and activations; the
// runtime quantizes activations on the fly (hybrid kernels).
tflite::Model quantize_dynamic_range(const tflite::Model& float_model, bool per_channel = true);

// The name of the layer an operator of a converted model computes: its output tensor's
// name up to the first '/'.
std::string layer_of(const tflite::Model& model, size_t op_index);

}  // namespace lq::quant
