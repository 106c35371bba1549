#include "litequant/core/tensor.h"

#include <algorithm>

#include "litequant/core/error.h"

namespace lq {

Tensor::Tensor(Shape shape) : shape_(std::move(shape)) {
  data_.assign(static_cast<size_t>(num_elements(shape_)), 0.0f);
}

Tensor::Tensor(Shape shape, const std::vector<float>& values) : shape_(std::move(shape)) {
  if (num_elements(shape_) != static_cast<int64_t>(values.size()))
    throw Error("tensor of shape " + to_string(shape_) + " cannot hold " +
                std::to_string(values.size()) + " values");
  data_.assign(values.begin(), values.end());
}

void Tensor::resize(const Shape& shape) {
  shape_ = shape;
  data_.resize(static_cast<size_t>(num_elements(shape_)));
}

void Tensor::reshape(const Shape& shape) {
  if (num_elements(shape) != size())
    throw Error("cannot reshape " + to_string(shape_) + " to " + to_string(shape));
  shape_ = shape;
}

void Tensor::fill(float value) { std::fill(data_.begin(), data_.end(), value); }

}  // namespace lq
