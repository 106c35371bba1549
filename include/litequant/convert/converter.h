#pragma once
// Keras-style model -> TensorFlow Lite, mirroring tf.lite.TFLiteConverter:
//
//   auto converter = lq::TFLiteConverter::from_keras_model(model);
//   std::vector<uint8_t> bytes = converter.convert();
//
// Float conversion (this file's scope so far):
//   Dense -> FULLY_CONNECTED (weights [units, in]), Conv2D -> CONV_2D (OHWI),
//   DepthwiseConv2D -> DEPTHWISE_CONV_2D ([1, kh, kw, C*M]), pools -> MAX/AVERAGE_POOL_2D,
//   GlobalAveragePooling2D -> MEAN over H, W; Flatten/Reshape -> RESHAPE (batch -1);
//   Softmax -> SOFTMAX, sigmoid -> LOGISTIC, tanh -> TANH; Add -> ADD;
//   Concatenate -> CONCATENATION. ReLU/ReLU6 are fused into the producing CONV_2D,
//   DEPTHWISE_CONV_2D, FULLY_CONNECTED or ADD when that op has no activation and no other
//   consumer; otherwise they become RELU/RELU6 ops. Dropout is removed.
//   BatchNormalization directly after a Conv2D/DepthwiseConv2D/Dense without activation
//   (and with no other consumer) is folded into its weights and bias; elsewhere it becomes
//   MUL + ADD with per-channel constants.
// Tensors are named after layers; inputs get shape [1, ...] with shape_signature
// [-1, ...]; every op gets its minimum version.
//
// Quantization, chosen as TFLite chooses it (rules in include/litequant/quant/ptq.h):
//   optimizations empty                                -> float32
//   {kDefault} + target_spec.supported_types {float16} -> float16 weights
//   {kDefault}, no representative_dataset              -> dynamic range (int8 weights)
//   {kDefault} + representative_dataset                -> int8, float fallback for ops
//                                                         without an int8 kernel and for
//                                                         float_layers
//   ... + target_spec.supported_ops {kBuiltinsInt8}    -> int8 only (an op that cannot be
//                                                         int8 is an error naming it)
//   inference_input_type / inference_output_type: float32, int8 or uint8 (int8 modes).
// A quantization-aware model (include/litequant/quant/qat.h) converts to int8 ("int8
// only" with supported_ops {kBuiltinsInt8}) with its learned ranges and weight bits,
// whatever `optimizations` says; no representative dataset is needed.
#include <cstdint>
#include <string>
#include <vector>

#include "litequant/core/tensor.h"
#include "litequant/nn/model.h"
#include "litequant/quant/ptq.h"
#include "litequant/tflite/model.h"

namespace lq {

enum class Optimize : int8_t { kDefault };
enum class OpsSet : int8_t { kBuiltins, kBuiltinsInt8 };

struct TargetSpec {
  std::vector<OpsSet> supported_ops{OpsSet::kBuiltins};
  std::vector<tflite::TensorType> supported_types;  // {kFloat16}: float16 weights
};

class TFLiteConverter {
 public:
  static TFLiteConverter from_keras_model(const Model& model) { return TFLiteConverter(model); }

  std::vector<Optimize> optimizations;
  TargetSpec target_spec;
  // One tensor per model input, [N, ...input shape]: calibration samples (e.g. 100
  // training images).
  std::vector<Tensor> representative_dataset;
  tflite::TensorType inference_input_type = tflite::TensorType::kFloat32;
  tflite::TensorType inference_output_type = tflite::TensorType::kFloat32;
  bool per_channel = true;               // per-channel CONV_2D / DEPTHWISE weights
  std::vector<std::string> float_layers;  // layers kept in float32 (int8 with fallback)
  int num_threads = 1;                   // for calibration
  // Weights of 4 bits or fewer (quantization-aware models with weight_bits <= 4) as packed
  // INT4 tensors (see quant::Int8Options::pack_int4 for which runtimes read them).
  bool pack_int4 = false;

  // "float32", "float16", "dynamic range", "int8" or "int8 only".
  std::string mode() const;

  // The .tflite flatbuffer. Throws lq::Error naming the layer that cannot be converted.
  std::vector<uint8_t> convert() const;
  // The same model before serialisation.
  tflite::Model convert_to_model() const;
  // The float32 model, before any quantization.
  tflite::Model convert_float() const;

 private:
  explicit TFLiteConverter(const Model& model) : model_(&model) {}
  tflite::Model convert_quantization_aware(quant::IoType in, quant::IoType out, bool integer_only) const;
  const Model* model_;
};

}  // namespace lq
