#include "litequant/core/shape.h"

#include <limits>

#include "litequant/core/error.h"

namespace lq {

int64_t num_elements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw Error("shape " + to_string(shape) + " has a negative dimension");
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      throw Error("shape " + to_string(shape) + " has too many elements");
    n *= d;
  }
  return n;
}

std::string to_string(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

std::string batch_shape_string(const Shape& shape) {
  std::string s = "(None";
  for (int64_t d : shape) s += ", " + std::to_string(d);
  return s + ")";
}

Shape with_batch(int64_t batch, const Shape& shape) {
  Shape out;
  out.reserve(shape.size() + 1);
  out.push_back(batch);
  out.insert(out.end(), shape.begin(), shape.end());
  return out;
}

}  // namespace lq
