// sgemm throughput (GFLOP/s counter) on the shapes litequant's training and conv layers
// use, for 1 and 2 threads; with OpenBLAS installed, the same shapes through cblas_sgemm.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

#include "core/gemm_internal.h"
#include "litequant/core/gemm.h"
#include "litequant/core/thread_pool.h"

#if defined(LQ_HAVE_OPENBLAS)
#include <cblas.h>
extern "C" void openblas_set_num_threads(int num_threads);
#endif

namespace {

using lq::Trans;

struct Shape {
  const char* name;
  Trans ta, tb;
  int64_t m, n, k;
};

constexpr Trans N = Trans::kNo;
constexpr Trans T = Trans::kYes;
// Batch-32 dense layers (784-128-10 MLP, conv head 2028-10), conv im2col, large squares.
const Shape kShapes[] = {
    {"NN_32x128x784", N, N, 32, 128, 784},      {"TN_784x128x32", T, N, 784, 128, 32},
    {"NN_32x10x128", N, N, 32, 10, 128},        {"TN_128x10x32", T, N, 128, 10, 32},
    {"NT_32x128x10", N, T, 32, 128, 10},        {"NN_21632x12x9", N, N, 21632, 12, 9},
    {"TN_9x12x21632", T, N, 9, 12, 21632},      {"NN_32x10x2028", N, N, 32, 10, 2028},
    {"TN_2028x10x32", T, N, 2028, 10, 32},      {"NT_32x2028x10", N, T, 32, 2028, 10},
    {"NN_512x512x512", N, N, 512, 512, 512},    {"NN_262144x64x288", N, N, 262144, 64, 288},
};
constexpr int kNumShapes = sizeof(kShapes) / sizeof(kShapes[0]);

struct Operands {
  std::vector<float> a, b, c;
  int64_t lda, ldb, ldc;
  explicit Operands(const Shape& s) {
    lda = s.ta == N ? s.k : s.m;
    ldb = s.tb == N ? s.n : s.k;
    ldc = s.n;
    a.resize(static_cast<size_t>(s.m * s.k));
    b.resize(static_cast<size_t>(s.k * s.n));
    c.resize(static_cast<size_t>(s.m * s.n));
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (float& x : a) x = dist(rng);
    for (float& x : b) x = dist(rng);
  }
};

void set_counters(benchmark::State& state, const Shape& s) {
  state.SetLabel(s.name);
  state.counters["GFLOPS"] = benchmark::Counter(2e-9 * static_cast<double>(s.m * s.n * s.k),
                                                benchmark::Counter::kIsIterationInvariantRate);
}

// Args: shape index, threads, ISA (-1 = best, else gemm_internal::Isa).
void BM_lq(benchmark::State& state) {
  const Shape& s = kShapes[state.range(0)];
  const int threads = static_cast<int>(state.range(1));
  const auto isa = state.range(2) < 0 ? lq::gemm_internal::best_isa()
                                      : static_cast<lq::gemm_internal::Isa>(state.range(2));
  if (!lq::gemm_internal::isa_available(isa)) {
    state.SkipWithError("ISA not available");
    return;
  }
  Operands op(s);
  lq::ThreadPool pool(threads);
  for (auto _ : state) {
    lq::gemm_internal::sgemm_with(isa, s.ta, s.tb, s.m, s.n, s.k, 1.0f, op.a.data(), op.lda,
                                  op.b.data(), op.ldb, 0.0f, op.c.data(), op.ldc, &pool);
    benchmark::DoNotOptimize(op.c.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, s);
}

void shape_args(benchmark::internal::Benchmark* b, int isa, std::initializer_list<int> threads) {
  for (int t : threads) {
    for (int i = 0; i < kNumShapes; ++i) b->Args({i, t, isa});
  }
}

constexpr int kBest = -1;
constexpr int kAvx2 = static_cast<int>(lq::gemm_internal::Isa::kAvx2);
constexpr int kPortable = static_cast<int>(lq::gemm_internal::Isa::kPortable);

BENCHMARK(BM_lq)->Apply([](benchmark::internal::Benchmark* b) { shape_args(b, kBest, {1, 2}); })
    ->UseRealTime();
// The slower paths, single-threaded, for reference.
BENCHMARK(BM_lq)->Apply([](benchmark::internal::Benchmark* b) { shape_args(b, kAvx2, {1}); })
    ->UseRealTime();
BENCHMARK(BM_lq)->Args({10, 1, kPortable})->UseRealTime();

#if defined(LQ_HAVE_OPENBLAS)
void BM_openblas(benchmark::State& state) {
  const Shape& s = kShapes[state.range(0)];
  openblas_set_num_threads(static_cast<int>(state.range(1)));
  Operands op(s);
  const auto ta = s.ta == N ? CblasNoTrans : CblasTrans;
  const auto tb = s.tb == N ? CblasNoTrans : CblasTrans;
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, ta, tb, static_cast<int>(s.m), static_cast<int>(s.n),
                static_cast<int>(s.k), 1.0f, op.a.data(), static_cast<int>(op.lda), op.b.data(),
                static_cast<int>(op.ldb), 0.0f, op.c.data(), static_cast<int>(op.ldc));
    benchmark::DoNotOptimize(op.c.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, s);
}
BENCHMARK(BM_openblas)->Apply([](benchmark::internal::Benchmark* b) { shape_args(b, kBest, {1, 2}); })
    ->UseRealTime();
#endif

}  // namespace

BENCHMARK_MAIN();
