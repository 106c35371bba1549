// MAX_POOL_2D and AVERAGE_POOL_2D (TFLite reference/pooling.h).
#include <algorithm>

#include "checks.h"

namespace lq::kernels {

Pool2DParams prepare_pool2d(const Dims& input, const Pool2DOptions& options,
                            const std::string& op) {
  detail::require_rank(op, "input", input, 4);
  Pool2DParams p;
  detail::make_window(op, input,
                      {options.padding, options.filter_h, options.filter_w, options.stride_h,
                       options.stride_w, 1, 1, options.activation},
                      input[3], p);
  return p;
}

namespace {

// Calls reduce(value) for every in-image tap of the window at (b, oy, ox, c), ky then kx;
// the tap range is clipped to the image as in TFLite (filter_x_start / filter_x_end).
template <typename Fn>
void for_each_tap(const Pool2DParams& p, const float* input, int64_t b, int64_t oy, int64_t ox,
                  int64_t c, Fn&& reduce) {
  const int64_t iy0 = oy * p.stride_h - p.pad_top;
  const int64_t ix0 = ox * p.stride_w - p.pad_left;
  const int64_t ky_begin = std::max<int64_t>(0, -iy0);
  const int64_t ky_end = std::min<int64_t>(p.filter_h, p.in_h - iy0);
  const int64_t kx_begin = std::max<int64_t>(0, -ix0);
  const int64_t kx_end = std::min<int64_t>(p.filter_w, p.in_w - ix0);
  for (int64_t ky = ky_begin; ky < ky_end; ++ky)
    for (int64_t kx = kx_begin; kx < kx_end; ++kx)
      reduce(input[((b * p.in_h + iy0 + ky) * p.in_w + ix0 + kx) * p.in_c + c]);
}

template <typename Fn>
void for_each_output(const Pool2DParams& p, float* output, Fn&& compute) {
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t oy = 0; oy < p.out_h; ++oy)
      for (int64_t ox = 0; ox < p.out_w; ++ox)
        for (int64_t c = 0; c < p.out_c; ++c)
          output[((b * p.out_h + oy) * p.out_w + ox) * p.out_c + c] =
              clamp_activation(compute(b, oy, ox, c), p.activation);
}

}  // namespace

void eval_max_pool2d(const Pool2DParams& p, const float* input, float* output) {
  for_each_output(p, output, [&](int64_t b, int64_t oy, int64_t ox, int64_t c) {
    float max = std::numeric_limits<float>::lowest();
    for_each_tap(p, input, b, oy, ox, c, [&](float v) { max = std::max(max, v); });
    return max;
  });
}

void eval_average_pool2d(const Pool2DParams& p, const float* input, float* output) {
  for_each_output(p, output, [&](int64_t b, int64_t oy, int64_t ox, int64_t c) {
    float total = 0.0f;
    int64_t count = 0;
    for_each_tap(p, input, b, oy, ox, c, [&](float v) {
      total += v;
      ++count;
    });
    // TFLite's padding rule always leaves at least one tap in the image.
    return count > 0 ? total / static_cast<float>(count) : 0.0f;
  });
}

}  // namespace lq::kernels
