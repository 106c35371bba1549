#pragma once
// Element-wise activations used inside layers (Dense(activation=...)) and by the
// Activation layer. Softmax works over the last axis.
#include <string>

#include "litequant/core/tensor.h"
#include "litequant/core/thread_pool.h"

namespace lq {

enum class Activation { kLinear, kReLU, kReLU6, kSigmoid, kTanh, kSoftmax };

// Keras names: "linear" (or ""), "relu", "relu6", "sigmoid", "tanh", "softmax".
Activation parse_activation(const std::string& name);
std::string activation_name(Activation a);

// In place: y = f(y).
void activation_forward(Activation a, Tensor& y, ThreadPool* pool);
// grad = grad * f'(x), computed from the activation's output y (every supported
// activation's derivative is a function of its output). Writes into `grad_x`.
void activation_backward(Activation a, const Tensor& y, const Tensor& grad_y, Tensor& grad_x,
                         ThreadPool* pool);

}  // namespace lq
