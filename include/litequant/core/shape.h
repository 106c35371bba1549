#pragma once
// Shapes are plain vectors of dimensions. Layer shapes exclude the batch dimension
// (as Keras prints them with "None"); tensor shapes include it. Layout is NHWC.
#include <cstdint>
#include <string>
#include <vector>

namespace lq {

using Shape = std::vector<int64_t>;

// Product of all dimensions (1 for a scalar shape). Throws lq::Error on overflow or a
// negative dimension.
int64_t num_elements(const Shape& shape);

// "(28, 28, 1)".
std::string to_string(const Shape& shape);

// Keras style, batch first: "(None, 28, 28, 1)".
std::string batch_shape_string(const Shape& shape_without_batch);

// {batch} followed by `shape`.
Shape with_batch(int64_t batch, const Shape& shape);

}  // namespace lq
