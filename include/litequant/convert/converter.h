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
#include <cstdint>
#include <vector>

#include "litequant/nn/model.h"
#include "litequant/tflite/model.h"

namespace lq {

class TFLiteConverter {
 public:
  static TFLiteConverter from_keras_model(const Model& model) { return TFLiteConverter(model); }

  // The .tflite flatbuffer. Throws lq::Error naming the layer that cannot be converted.
  std::vector<uint8_t> convert() const;
  // The same model before serialisation.
  tflite::Model convert_to_model() const;

 private:
  explicit TFLiteConverter(const Model& model) : model_(&model) {}
  const Model* model_;
};

}  // namespace lq
