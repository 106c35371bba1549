// Optimized float ADD, MUL, RELU, RELU6, LOGISTIC, TANH and float16 DEQUANTIZE
// (float_ops_optimized.h): path choice, the portable table and the broadcast walk.
#include "litequant/core/cpu.h"
#include "litequant/core/error.h"
#include "float_row_kernels_impl.h"

namespace lq::kernels {
namespace float_opt {

const RowKernels& row_kernels_portable() { return kLoopKernels; }

const RowKernels& row_kernels(OpPath path) {
  const CpuFeatures& f = cpu_features();
  const RowKernels* avx512 = f.avx512_core() ? row_kernels_avx512() : nullptr;
  const RowKernels* avx2 = f.avx2_fma() ? row_kernels_avx2() : nullptr;
  switch (path) {
    case OpPath::kPortable: return kLoopKernels;
    case OpPath::kAvx2:
      if (!avx2) throw Error("float ops: the avx2 code path is not available on this CPU");
      return *avx2;
    case OpPath::kAvx512:
      if (!avx512) throw Error("float ops: the avx512 code path is not available on this CPU");
      return *avx512;
    case OpPath::kAuto: break;
  }
  return avx512 ? *avx512 : avx2 ? *avx2 : kLoopKernels;
}

}  // namespace float_opt

namespace {

using float_opt::RowKernels;
using BinaryRow = void (*)(const float*, int64_t, const float*, int64_t, float*, int64_t, float, float);

// Same shapes: one flat row split over threads. Broadcast: TFLite's 4-D walk with the
// innermost dimension as a row (each input steps 1 or 0 along it).
void eval_binary(const BinaryParams& p, const float* a, const float* b, float* out, ThreadPool* pool,
                 BinaryRow row) {
  const float lo = p.activation.min, hi = p.activation.max;
  if (!p.broadcast) {
    constexpr int64_t kUnit = 64;
    float_opt::parallel_units(pool, (p.size + kUnit - 1) / kUnit, kUnit, [&](int64_t u0, int64_t u1) {
      const int64_t i0 = u0 * kUnit, i1 = std::min(p.size, u1 * kUnit);
      row(a + i0, 1, b + i0, 1, out + i0, i1 - i0, lo, hi);
    });
    return;
  }
  const int64_t n = p.out4[3];
  const int64_t rows = int64_t{p.out4[0]} * p.out4[1] * p.out4[2];
  float_opt::parallel_units(pool, rows, n, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t d2 = r % p.out4[2], d1 = r / p.out4[2] % p.out4[1], d0 = r / p.out4[2] / p.out4[1];
      const int64_t i1 = d0 * p.stride1[0] + d1 * p.stride1[1] + d2 * p.stride1[2];
      const int64_t i2 = d0 * p.stride2[0] + d1 * p.stride2[1] + d2 * p.stride2[2];
      row(a + i1, p.stride1[3], b + i2, p.stride2[3], out + r * n, n, lo, hi);
    }
  });
}

// A flat elementwise op over threads, in 64-element units.
template <typename T, typename Row>
void eval_flat(int64_t size, const T* in, float* out, ThreadPool* pool, Row row, int64_t cost) {
  constexpr int64_t kUnit = 64;
  float_opt::parallel_units(pool, (size + kUnit - 1) / kUnit, kUnit * cost, [&](int64_t u0, int64_t u1) {
    const int64_t i0 = u0 * kUnit, i1 = std::min(size, u1 * kUnit);
    row(in + i0, out + i0, i1 - i0);
  });
}

}  // namespace

void eval_add_optimized(const BinaryParams& params, const float* input1, const float* input2, float* output,
                        ThreadPool* pool, OpPath path) {
  eval_binary(params, input1, input2, output, pool, float_opt::row_kernels(path).add);
}

void eval_mul_optimized(const BinaryParams& params, const float* input1, const float* input2, float* output,
                        ThreadPool* pool, OpPath path) {
  eval_binary(params, input1, input2, output, pool, float_opt::row_kernels(path).mul);
}

void eval_unary_optimized(UnaryOp op, const UnaryParams& params, const float* input, float* output,
                          ThreadPool* pool, OpPath path) {
  const RowKernels& k = float_opt::row_kernels(path);
  switch (op) {
    case UnaryOp::kRelu: return eval_flat(params.size, input, output, pool, k.relu, 1);
    case UnaryOp::kRelu6: return eval_flat(params.size, input, output, pool, k.relu6, 1);
    // exp / tanh: ~20 flops per element.
    case UnaryOp::kLogistic: return eval_flat(params.size, input, output, pool, k.logistic, 8);
    case UnaryOp::kTanh: return eval_flat(params.size, input, output, pool, k.tanh, 8);
  }
}

void eval_dequantize_float16_optimized(const UnaryParams& params, const uint16_t* input, float* output,
                                       ThreadPool* pool, OpPath path) {
  eval_flat(params.size, input, output, pool, float_opt::row_kernels(path).half_to_float, 1);
}

float exp_approx(float x) { return float_opt::exp_fast(x); }
float tanh_approx(float x) { return float_opt::tanh_fast(x); }

}  // namespace lq::kernels
