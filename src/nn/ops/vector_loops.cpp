#include "vector_loops.h"

#include "litequant/core/cpu.h"

#include <algorithm>
#include <bit>
#include <limits>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LQ_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LQ_VECTOR_CLONES
#endif

namespace lq::ops {
namespace {

bool use_avx512() {
  static const bool avx512 = cpu_features().avx512_core();
  return avx512;
}

}  // namespace

LQ_VECTOR_CLONES void add_clamp_rows(float* y, int64_t rows, int64_t width, const float* b, float lo, float hi) {
  for (int64_t r = 0; r < rows; ++r) {
    float* __restrict row = y + r * width;
    const float* __restrict bias = b;
    for (int64_t j = 0; j < width; ++j) row[j] = std::min(std::max(row[j] + bias[j], lo), hi);
  }
}

LQ_VECTOR_CLONES void relu_grad_rows(const float* y, const float* gy, float* gx, int64_t rows, int64_t width,
                                     float hi, float* acc) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict yr = y + r * width;
    const float* __restrict gr = gy + r * width;
    float* __restrict xr = gx + r * width;
    for (int64_t j = 0; j < width; ++j) {
      // Branch-free select (a mask), so the loop vectorises: the sign of y is random.
      const uint32_t keep = 0u - static_cast<uint32_t>((yr[j] > 0.0f) & (yr[j] < hi));
      xr[j] = std::bit_cast<float>(std::bit_cast<uint32_t>(gr[j]) & keep);
    }
    if (!acc) continue;
    float* __restrict a = acc;
    for (int64_t j = 0; j < width; ++j) a[j] += xr[j];
  }
}

LQ_VECTOR_CLONES void sum_rows(const float* x, int64_t rows, int64_t width, float* acc) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict row = x + r * width;
    float* __restrict a = acc;
    for (int64_t j = 0; j < width; ++j) a[j] += row[j];
  }
}

void detail::max_pool_line_portable(const PoolLine& l, const float* image, float* dst, int32_t* argmax) {
  const int64_t c = l.c;
  for (int64_t ox = 0; ox < l.out_w; ++ox) {
    const auto [x_begin, x_end] = pool_columns(l, ox);
    float* __restrict best = dst + ox * c;
    int32_t* __restrict am = argmax + ox * c;
    // Two passes: the maximum, then (taps in reverse) the first tap in row-major window
    // order that holds it.
    const int32_t first = static_cast<int32_t>((l.y_begin * l.in_w + x_begin) * c);
    for (int64_t ch = 0; ch < c; ++ch) {
      best[ch] = -std::numeric_limits<float>::infinity();
      am[ch] = first + static_cast<int32_t>(ch);
    }
    for (int64_t iy = l.y_begin; iy < l.y_end; ++iy)
      for (int64_t ix = x_begin; ix < x_end; ++ix) {
        const float* __restrict px = image + (iy * l.in_w + ix) * c;
        for (int64_t ch = 0; ch < c; ++ch) best[ch] = std::max(best[ch], px[ch]);
      }
    for (int64_t iy = l.y_end - 1; iy >= l.y_begin; --iy)
      for (int64_t ix = x_end - 1; ix >= x_begin; --ix) {
        const int32_t at = static_cast<int32_t>((iy * l.in_w + ix) * c);
        const float* __restrict px = image + at;
        for (int64_t ch = 0; ch < c; ++ch) {
          const int32_t hit = -static_cast<int32_t>(px[ch] == best[ch]);  // branch-free
          am[ch] = (am[ch] & ~hit) | ((at + static_cast<int32_t>(ch)) & hit);
        }
      }
  }
}

void detail::avg_pool_line_portable(const PoolLine& l, const float* image, float* dst) {
  const int64_t c = l.c;
  for (int64_t ox = 0; ox < l.out_w; ++ox) {
    const auto [x_begin, x_end] = pool_columns(l, ox);
    float* __restrict d = dst + ox * c;
    for (int64_t ch = 0; ch < c; ++ch) d[ch] = 0.0f;
    for (int64_t iy = l.y_begin; iy < l.y_end; ++iy)
      for (int64_t ix = x_begin; ix < x_end; ++ix) {
        const float* __restrict px = image + (iy * l.in_w + ix) * c;
        for (int64_t ch = 0; ch < c; ++ch) d[ch] += px[ch];
      }
    const float inv = 1.0f / static_cast<float>((l.y_end - l.y_begin) * (x_end - x_begin));
    for (int64_t ch = 0; ch < c; ++ch) d[ch] *= inv;
  }
}

void detail::avg_pool_backward_line_portable(const PoolLine& l, const float* grad, float* image_grad) {
  const int64_t c = l.c;
  for (int64_t ox = 0; ox < l.out_w; ++ox) {
    const auto [x_begin, x_end] = pool_columns(l, ox);
    const float inv = 1.0f / static_cast<float>((l.y_end - l.y_begin) * (x_end - x_begin));
    const float* __restrict go = grad + ox * c;
    for (int64_t iy = l.y_begin; iy < l.y_end; ++iy)
      for (int64_t ix = x_begin; ix < x_end; ++ix) {
        float* __restrict d = image_grad + (iy * l.in_w + ix) * c;
        for (int64_t ch = 0; ch < c; ++ch) d[ch] += go[ch] * inv;
      }
  }
}

void max_pool_line(const PoolLine& line, const float* image, float* dst, int32_t* argmax) {
  if (use_avx512()) return detail::max_pool_line_avx512(line, image, dst, argmax);
  detail::max_pool_line_portable(line, image, dst, argmax);
}

void avg_pool_line(const PoolLine& line, const float* image, float* dst) {
  if (use_avx512()) return detail::avg_pool_line_avx512(line, image, dst);
  detail::avg_pool_line_portable(line, image, dst);
}

void avg_pool_backward_line(const PoolLine& line, const float* grad, float* image_grad) {
  if (use_avx512()) return detail::avg_pool_backward_line_avx512(line, grad, image_grad);
  detail::avg_pool_backward_line_portable(line, grad, image_grad);
}

LQ_VECTOR_CLONES void im2col_transposed_line(const float* image, int64_t line_index, int64_t oy, int64_t c,
                                             const ConvGeometry& g, const Window2D& w, int64_t rows,
                                             float* cols_t) {
  const int64_t kh = w.kernel[0], kw = w.kernel[1], sx = w.strides[1];
  for (int64_t ky = 0; ky < kh; ++ky) {
    const int64_t iy = oy * w.strides[0] + ky * w.dilation[0] - g.pad_top;
    const bool row_ok = iy >= 0 && iy < g.in_h;
    for (int64_t kx = 0; kx < kw; ++kx) {
      // Output columns whose tap lands inside the image: [ox_lo, ox_hi).
      const int64_t ix0 = kx * w.dilation[1] - g.pad_left;
      const int64_t ox_lo = row_ok ? std::min(g.out_w, std::max<int64_t>(0, (-ix0 + sx - 1) / sx)) : g.out_w;
      const int64_t ox_hi = row_ok ? std::max(ox_lo, std::min(g.out_w, (g.in_w - ix0 + sx - 1) / sx)) : g.out_w;
      for (int64_t ch = 0; ch < c; ++ch) {
        float* __restrict dst = cols_t + ((ky * kw + kx) * c + ch) * rows + line_index * g.out_w;
        const float* __restrict from = image + (row_ok ? iy : 0) * g.in_w * c + ch;
        for (int64_t ox = 0; ox < ox_lo; ++ox) dst[ox] = 0.0f;
        if (sx == 1 && c == 1) {
          for (int64_t ox = ox_lo; ox < ox_hi; ++ox) dst[ox] = from[ox + ix0];
        } else {
          for (int64_t ox = ox_lo; ox < ox_hi; ++ox) dst[ox] = from[(ox * sx + ix0) * c];
        }
        for (int64_t ox = ox_hi; ox < g.out_w; ++ox) dst[ox] = 0.0f;
      }
    }
  }
}

LQ_VECTOR_CLONES void im2col_line(const float* image, int64_t oy, int64_t c, const ConvGeometry& g,
                                  const Window2D& w, float* out) {
  const int64_t kh = w.kernel[0], kw = w.kernel[1], row_len = kh * kw * c;
  for (int64_t ky = 0; ky < kh; ++ky) {
    const int64_t iy = oy * w.strides[0] + ky * w.dilation[0] - g.pad_top;
    const bool row_ok = iy >= 0 && iy < g.in_h;
    const float* __restrict line = image + (row_ok ? iy : 0) * g.in_w * c;
    for (int64_t kx = 0; kx < kw; ++kx) {
      float* __restrict dst = out + (ky * kw + kx) * c;
      const int64_t ix0 = kx * w.dilation[1] - g.pad_left;
      for (int64_t ox = 0; ox < g.out_w; ++ox) {
        const int64_t ix = ix0 + ox * w.strides[1];
        float* __restrict d = dst + ox * row_len;
        if (row_ok && ix >= 0 && ix < g.in_w) {
          const float* __restrict from = line + ix * c;
          for (int64_t ch = 0; ch < c; ++ch) d[ch] = from[ch];
        } else {
          for (int64_t ch = 0; ch < c; ++ch) d[ch] = 0.0f;
        }
      }
    }
  }
}

LQ_VECTOR_CLONES void col2im_image(const float* cols, int64_t c, const ConvGeometry& g, const Window2D& w,
                                   float* image) {
  const int64_t kh = w.kernel[0], kw = w.kernel[1];
  std::fill(image, image + g.in_h * g.in_w * c, 0.0f);
  const float* src = cols;
  for (int64_t oy = 0; oy < g.out_h; ++oy)
    for (int64_t ox = 0; ox < g.out_w; ++ox)
      for (int64_t ky = 0; ky < kh; ++ky) {
        const int64_t iy = oy * w.strides[0] + ky * w.dilation[0] - g.pad_top;
        for (int64_t kx = 0; kx < kw; ++kx, src += c) {
          const int64_t ix = ox * w.strides[1] + kx * w.dilation[1] - g.pad_left;
          if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
          float* __restrict dst = image + (iy * g.in_w + ix) * c;
          const float* __restrict from = src;
          for (int64_t ch = 0; ch < c; ++ch) dst[ch] += from[ch];
        }
      }
}

}  // namespace lq::ops
