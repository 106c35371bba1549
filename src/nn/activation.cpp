#include "litequant/nn/activation.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cmath>

#include "litequant/core/error.h"

namespace lq {
namespace {
// Element-wise work below this size is not worth a second thread.
constexpr int64_t kGrain = 16384;

void softmax_rows(float* y, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = y + r * cols;
    float mx = *std::max_element(row, row + cols);
    float sum = 0.0f;
    for (int64_t c = 0; c < cols; ++c) {
      row[c] = std::exp(row[c] - mx);
      sum += row[c];
    }
    const float inv = 1.0f / sum;
    for (int64_t c = 0; c < cols; ++c) row[c] *= inv;
  }
}
// g if keep else 0, without a branch (the condition is data-dependent, so branches
// mispredict and block vectorisation).
inline float masked(float g, bool keep) {
  return std::bit_cast<float>(std::bit_cast<uint32_t>(g) & (0u - static_cast<uint32_t>(keep)));
}
}  // namespace

Activation parse_activation(const std::string& name) {
  if (name.empty() || name == "linear" || name == "none") return Activation::kLinear;
  if (name == "relu") return Activation::kReLU;
  if (name == "relu6") return Activation::kReLU6;
  if (name == "sigmoid") return Activation::kSigmoid;
  if (name == "tanh") return Activation::kTanh;
  if (name == "softmax") return Activation::kSoftmax;
  throw Error("unknown activation '" + name +
              "' (known: linear, relu, relu6, sigmoid, tanh, softmax)");
}

std::string activation_name(Activation a) {
  switch (a) {
    case Activation::kLinear: return "linear";
    case Activation::kReLU: return "relu";
    case Activation::kReLU6: return "relu6";
    case Activation::kSigmoid: return "sigmoid";
    case Activation::kTanh: return "tanh";
    case Activation::kSoftmax: return "softmax";
  }
  return "linear";
}

void activation_forward(Activation a, Tensor& y, ThreadPool* pool) {
  float* p = y.data();
  if (a == Activation::kLinear) return;
  if (a == Activation::kSoftmax) {
    const int64_t cols = y.dim(-1);
    const int64_t rows = cols ? y.size() / cols : 0;
    auto body = [&](int64_t b, int64_t e) { softmax_rows(p + b * cols, e - b, cols); };
    parallel_for(pool, rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(cols, 1)), body);
    return;
  }
  auto body = [&](int64_t b, int64_t e) {
    switch (a) {
      case Activation::kReLU:
        for (int64_t i = b; i < e; ++i) p[i] = std::max(p[i], 0.0f);
        break;
      case Activation::kReLU6:
        for (int64_t i = b; i < e; ++i) p[i] = std::min(std::max(p[i], 0.0f), 6.0f);
        break;
      case Activation::kSigmoid:
        for (int64_t i = b; i < e; ++i) p[i] = 1.0f / (1.0f + std::exp(-p[i]));
        break;
      case Activation::kTanh:
        for (int64_t i = b; i < e; ++i) p[i] = std::tanh(p[i]);
        break;
      default:
        break;
    }
  };
  parallel_for(pool, y.size(), kGrain, body);
}

void activation_backward(Activation a, const Tensor& y, const Tensor& grad_y, Tensor& grad_x,
                         ThreadPool* pool) {
  grad_x.resize(y.shape());
  const float* yp = y.data();
  const float* gy = grad_y.data();
  float* gx = grad_x.data();
  if (a == Activation::kSoftmax) {
    const int64_t cols = y.dim(-1);
    const int64_t rows = cols ? y.size() / cols : 0;
    auto body = [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        const float* yr = yp + r * cols;
        const float* gr = gy + r * cols;
        float dot = 0.0f;
        for (int64_t c = 0; c < cols; ++c) dot += yr[c] * gr[c];
        for (int64_t c = 0; c < cols; ++c) gx[r * cols + c] = yr[c] * (gr[c] - dot);
      }
    };
    parallel_for(pool, rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(cols, 1)), body);
    return;
  }
  auto body = [&](int64_t b, int64_t e) {
    switch (a) {
      case Activation::kLinear:
        for (int64_t i = b; i < e; ++i) gx[i] = gy[i];
        break;
      case Activation::kReLU:
        for (int64_t i = b; i < e; ++i) gx[i] = masked(gy[i], yp[i] > 0.0f);
        break;
      case Activation::kReLU6:
        for (int64_t i = b; i < e; ++i) gx[i] = masked(gy[i], (yp[i] > 0.0f) & (yp[i] < 6.0f));
        break;
      case Activation::kSigmoid:
        for (int64_t i = b; i < e; ++i) gx[i] = gy[i] * yp[i] * (1.0f - yp[i]);
        break;
      case Activation::kTanh:
        for (int64_t i = b; i < e; ++i) gx[i] = gy[i] * (1.0f - yp[i] * yp[i]);
        break;
      default:
        break;
    }
  };
  parallel_for(pool, y.size(), kGrain, body);
}

}  // namespace lq
