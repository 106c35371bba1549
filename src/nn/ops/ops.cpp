#include "ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace lq::ops {
namespace {
constexpr int64_t kGrain = 16384;  // elements
}  // namespace

void add_bias(float* y, int64_t rows, int64_t cols, const float* bias, ThreadPool* pool) {
  parallel_for(pool, rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(cols, 1)),
               [&](int64_t b, int64_t e) {
                 for (int64_t r = b; r < e; ++r) {
                   float* row = y + r * cols;
                   for (int64_t c = 0; c < cols; ++c) row[c] += bias[c];
                 }
               });
}

void column_sums(const float* x, int64_t rows, int64_t cols, float* out, ThreadPool* pool) {
  blocked_sum(pool, rows, cols, out, [&](int64_t r, float* acc) {
    const float* row = x + r * cols;
    for (int64_t c = 0; c < cols; ++c) acc[c] += row[c];
  });
}

void glorot_uniform(Tensor& t, int64_t fan_in, int64_t fan_out, Rng& rng) {
  const float limit = std::sqrt(6.0f / static_cast<float>(fan_in + fan_out));
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.uniform(-limit, limit);
}

void im2col(const float* images, int64_t n, int64_t c, const ConvGeometry& g, const Window2D& w,
            float* cols, ThreadPool* pool) {
  const int64_t kh = w.kernel[0], kw = w.kernel[1];
  const int64_t row_len = kh * kw * c;
  const int64_t out_pixels = g.out_h * g.out_w;
  parallel_for(pool, n * out_pixels, std::max<int64_t>(1, kGrain / row_len), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const int64_t img = r / out_pixels, pix = r % out_pixels;
      const int64_t oy = pix / g.out_w, ox = pix % g.out_w;
      const float* src = images + img * g.in_h * g.in_w * c;
      float* dst = cols + r * row_len;
      for (int64_t ky = 0; ky < kh; ++ky) {
        const int64_t iy = oy * w.strides[0] + ky * w.dilation[0] - g.pad_top;
        for (int64_t kx = 0; kx < kw; ++kx, dst += c) {
          const int64_t ix = ox * w.strides[1] + kx * w.dilation[1] - g.pad_left;
          if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) {
            std::fill(dst, dst + c, 0.0f);
          } else {
            std::memcpy(dst, src + (iy * g.in_w + ix) * c, static_cast<size_t>(c) * sizeof(float));
          }
        }
      }
    }
  });
}

void col2im(const float* cols, int64_t n, int64_t c, const ConvGeometry& g, const Window2D& w,
            float* images, ThreadPool* pool) {
  const int64_t kh = w.kernel[0], kw = w.kernel[1];
  const int64_t row_len = kh * kw * c;
  const int64_t image_size = g.in_h * g.in_w * c;
  parallel_for(pool, n, 1, [&](int64_t b, int64_t e) {
    for (int64_t img = b; img < e; ++img) {
      float* dst_img = images + img * image_size;
      std::fill(dst_img, dst_img + image_size, 0.0f);
      for (int64_t oy = 0; oy < g.out_h; ++oy) {
        for (int64_t ox = 0; ox < g.out_w; ++ox) {
          const float* src = cols + ((img * g.out_h + oy) * g.out_w + ox) * row_len;
          for (int64_t ky = 0; ky < kh; ++ky) {
            const int64_t iy = oy * w.strides[0] + ky * w.dilation[0] - g.pad_top;
            for (int64_t kx = 0; kx < kw; ++kx, src += c) {
              const int64_t ix = ox * w.strides[1] + kx * w.dilation[1] - g.pad_left;
              if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
              float* dst = dst_img + (iy * g.in_w + ix) * c;
              for (int64_t ch = 0; ch < c; ++ch) dst[ch] += src[ch];
            }
          }
        }
      }
    }
  });
}

}  // namespace lq::ops
