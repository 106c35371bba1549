// Optimized float32 FULLY_CONNECTED with weights packed at prepare (contract in
// float_fully_connected_optimized.h). The blocking is lq::sgemm's (gemm_internal.h):
// per column block (nc) -> k block (kc, cut from k alone) -> row block (mc), each block
// handed to the path's block kernel; B = W^T comes from the prepacked panels, A (the
// input rows) is read in place.
#include <algorithm>
#include <string>

#include "core/gemm_internal.h"
#include "litequant/core/cpu.h"
#include "litequant/core/error.h"
#include "litequant/kernels/float_fully_connected_optimized.h"
#include "litequant/kernels/float_optimized.h"

namespace lq::kernels {
namespace gi = gemm_internal;
namespace {

const gi::KernelSet* kernel_set(FloatFcPath path) {
  switch (path) {
    case FloatFcPath::kAuto:
      if (const auto* ks = kernel_set(FloatFcPath::kAvx512)) return ks;
      if (const auto* ks = kernel_set(FloatFcPath::kAvx2)) return ks;
      return &gi::portable_kernels();
    case FloatFcPath::kPortable: return &gi::portable_kernels();
    case FloatFcPath::kAvx2: return gi::isa_available(gi::Isa::kAvx2) ? gi::avx2_kernels() : nullptr;
    case FloatFcPath::kAvx512: return gi::isa_available(gi::Isa::kAvx512) ? gi::avx512_kernels() : nullptr;
  }
  return nullptr;
}

// sgemm's k split (gemm.cpp): ceil(k / kKcTarget) near-equal blocks.
int64_t k_blocks(int64_t k) { return (k + gi::kKcTarget - 1) / gi::kKcTarget; }
int64_t k_begin(int64_t k, int64_t blocks, int64_t i) { return k * i / blocks; }

// Below this many multiply-adds an eval runs on the caller only (sgemm's threshold).
constexpr int64_t kMinParallelWork = int64_t{1} << 16;

}  // namespace

bool float_fc_path_available(FloatFcPath path) { return kernel_set(path) != nullptr; }

FullyConnectedFloatOptimized::FullyConnectedFloatOptimized(const FullyConnectedParams& params, const float* weights,
                                                           const float* bias, FloatFcPath path)
    : p_(params) {
  const gi::KernelSet* ks = kernel_set(path);
  if (!ks) throw Error("FULLY_CONNECTED: the requested float GEMM path is not available on this CPU");
  kernels_ = ks;
  const int64_t n = p_.output_depth, k = p_.input_depth;
  bias_.assign(static_cast<size_t>(n), 0.0f);
  if (p_.has_bias) std::copy(bias, bias + n, bias_.begin());
  if (p_.batch < 4 || n == 0 || k == 0) return;
  // Panel q of k block kb: B(p, q*nr + j) = W[q*nr + j, p0 + p] at
  // kb_base + q * nr * kc + p * nr + j; columns past n are zeros.
  const int64_t nr = ks->nr, panels = (n + nr - 1) / nr, blocks = k_blocks(k);
  panels_.assign(static_cast<size_t>(panels * nr * k), 0.0f);
  for (int64_t kb = 0; kb < blocks; ++kb) {
    const int64_t p0 = k_begin(k, blocks, kb), kc = k_begin(k, blocks, kb + 1) - p0;
    float* base = panels_.data() + panels * nr * p0;
    for (int64_t o = 0; o < n; ++o) {
      float* dst = base + (o / nr) * nr * kc + o % nr;
      const float* src = weights + o * k + p0;
      for (int64_t p = 0; p < kc; ++p) dst[p * nr] = src[p];
    }
  }
}

void FullyConnectedFloatOptimized::run_rows(const float* input, float* output, int64_t row0, int64_t row1) const {
  const auto& ks = *static_cast<const gi::KernelSet*>(kernels_);
  const int64_t n = p_.output_depth, k = p_.input_depth, nr = ks.nr;
  const int64_t panels = (n + nr - 1) / nr, blocks = k_blocks(k);
  gi::Block blk;
  blk.ldc = n;
  blk.alpha = 1.0f;
  blk.beta = 0.0f;
  blk.a_rs = k;
  blk.a_ks = 1;
  blk.a_tile = ks.mr * k;
  blk.a_rows = true;
  blk.b_ks = nr;
  for (int64_t jc = 0; jc < n; jc += ks.nc) {
    const int64_t nb = std::min(ks.nc, n - jc);
    for (int64_t kb = 0; kb < blocks; ++kb) {
      const int64_t p0 = k_begin(k, blocks, kb), kc = k_begin(k, blocks, kb + 1) - p0;
      blk.mode = kb == 0 ? gi::CMode::kOverwrite : gi::CMode::kAccumulate;
      blk.b = panels_.data() + panels * nr * p0 + (jc / nr) * nr * kc;
      blk.b_panel = nr * kc;
      for (int64_t ic = row0; ic < row1; ic += ks.mc) {
        blk.m = std::min(ks.mc, row1 - ic);
        blk.n = nb;
        blk.kc = kc;
        blk.a = input + ic * k + p0;
        blk.c = output + ic * n + jc;
        ks.block(blk);
      }
    }
  }
  const ActivationRange act = p_.activation;
  for (int64_t r = row0; r < row1; ++r) {
    float* row = output + r * n;
    for (int64_t c = 0; c < n; ++c) row[c] = std::min(std::max(row[c] + bias_[static_cast<size_t>(c)], act.min), act.max);
  }
}

void FullyConnectedFloatOptimized::eval(const float* input, const float* weights, float* output,
                                        ThreadPool* pool) const {
  const int64_t in = p_.input_depth, out = p_.output_depth;
  if (!packed()) {
    detail::fully_connected_by_rows(p_, input, weights, bias_.data(), output, pool);
    return;
  }
  const int64_t mr = static_cast<const gi::KernelSet*>(kernels_)->mr;
  const int64_t tiles = (p_.batch + mr - 1) / mr;
  if (!pool || pool->num_threads() <= 1 || tiles < 2 || p_.batch * in * out < kMinParallelWork) {
    run_rows(input, output, 0, p_.batch);
    return;
  }
  // Whole row tiles per thread: every output is computed the same way for any split.
  struct Job {
    const FullyConnectedFloatOptimized* self;
    const float* input;
    float* output;
    int64_t mr, rows;
  } job{this, input, output, mr, p_.batch};
  pool->parallel_for(tiles, [j = &job](int64_t t0, int64_t t1) {
    j->self->run_rows(j->input, j->output, t0 * j->mr, std::min(t1 * j->mr, j->rows));
  });
}

}  // namespace lq::kernels
