#pragma once
// Quantization-aware training passes, after tfmot.quantization.keras:
//
//   lq::Model q = lq::quant::quantize_model(model);      // whole model
//   q.compile(...); q.fit(...);                          // trains with fake quantization
//   auto bytes = lq::TFLiteConverter::from_keras_model(q).convert();  // int8, learned ranges
//
// quantize_model wraps every layer as TFMOT does:
//   * a QuantizeLayer ("quantize_layer", range of all values seen) after each model input;
//   * each layer in a QuantizeWrapperV2 named "quant_<layer>": weights of Dense (per
//     tensor), Conv2D and DepthwiseConv2D (per channel) symmetric narrow range; the output
//     asymmetric per tensor after the fused activation; no fake quantization between a
//     Conv2D / DepthwiseConv2D / Dense / Add and the ReLU / ReLU6 layer that alone reads it
//     (TFLite fuses them); Reshape, Flatten, pools and Dropout pass values through;
//     Softmax / sigmoid / tanh outputs use TFLite's fixed int8 ranges;
//   * a BatchNormalization that alone reads a Conv2D / DepthwiseConv2D / Dense without
//     activation is folded into that layer's wrapper (include/litequant/nn/layers/quantization.h).
// Layers without an int8 form (a standalone BatchNormalization, Dense(activation="softmax"),
// ...) are errors naming the layer; leave them out with quantize_annotate_layer instead.
#include <map>
#include <set>
#include <string>

#include "litequant/nn/layers.h"
#include "litequant/nn/model.h"

namespace lq::quant {

// Fake-quantizes the whole model (above); `config` applies to every layer. The new model
// has the same weights and is not compiled.
Model quantize_model(const Model& model, const QuantizeConfig& config = {});

// Marks a layer for quantize_apply (TFMOT's quantize_annotate_layer); the config sets its
// weight / activation bits.
LayerRef quantize_annotate_layer(const LayerRef& layer, const QuantizeConfig& config = {});

// Quantizes the annotated layers only (QuantizeLayer in front of each annotated region);
// the others stay float. Converting the result gives a mixed model with QUANTIZE /
// DEQUANTIZE at the borders.
Model quantize_apply(const Model& annotated);

// The float model again: fake-quant layers removed, wrappers replaced by their layers
// (folded BatchNormalization restored as its own layer), the same weights.
Model strip_quantization(const Model& model);

// True when the model has fake-quant layers or quantize wrappers (not just annotations).
bool is_quantization_aware(const Model& model);

// What the converter needs from a quantization-aware model.
struct QatExport {
  struct Activation {
    float scale = 1.0f;
    int32_t zero_point = 0;  // int8
    int num_bits = 8;
  };
  // Tensor name in the converted stripped model -> its learned quantization.
  std::map<std::string, Activation> activations;
  std::map<std::string, int> weight_bits;    // layer name -> bits of its kernel
  std::set<std::string> per_tensor_layers;   // Conv2D / DepthwiseConv2D with per-tensor weights
  std::set<std::string> quantized_layers;    // layers whose ops run in int8
};
QatExport qat_export_info(const Model& model);

}  // namespace lq::quant
