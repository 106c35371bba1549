// int8 FULLY_CONNECTED, CONV_2D and DEPTHWISE_CONV_2D: reference kernels against the
// optimized ones (int8_optimized.h) on each code path this CPU runs, single thread. Every
// optimized run reports `speedup` = reference time / its time (the reference timed just
// before it on the same data) and `GMAC/s`. BM_Threads* time the best path with a pool
// of 1 or 2 threads on ops around the split threshold (kMinMacsPerPart, int8_parallel.h).
//   build/bench/int8_kernel_bench [--benchmark_filter=conv]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "litequant/core/thread_pool.h"
#include "litequant/kernels/int8_optimized.h"
#include "litequant/kernels/int8_reference.h"

namespace {

namespace k = lq::kernels;
using k::Int8Path;

std::vector<int8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

// Seconds per call of fn, timed over >= 0.2 s.
template <typename Fn>
double seconds_per_call(Fn&& fn) {
  fn();
  int64_t calls = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < 0.2) {
    fn();
    ++calls;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return elapsed / static_cast<double>(calls);
}

// Runs `fn` as the benchmark body; for optimized paths also times `reference`.
template <typename Fn, typename Ref>
void run(benchmark::State& state, Int8Path path, bool reference_only, double macs, Fn&& fn,
         Ref&& reference) {
  const double ref_seconds = reference_only ? 0.0 : seconds_per_call(reference);
  int64_t calls = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    fn();
    benchmark::ClobberMemory();
    ++calls;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
      static_cast<double>(std::max<int64_t>(calls, 1));
  state.counters["GMAC/s"] = benchmark::Counter(macs * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  if (!reference_only) {
    state.counters["speedup"] = ref_seconds / seconds;
    state.counters["ref_us"] = ref_seconds * 1e6;
    state.SetLabel(k::int8_path_name(k::resolve_int8_path(path)));
  } else {
    state.SetLabel("reference");
  }
}

const std::vector<float> kOneScale = {0.004f};

// args: batch, input depth, units, path (-1: reference)
void BM_FullyConnected(benchmark::State& state) {
  const int32_t batch = static_cast<int32_t>(state.range(0)), depth = static_cast<int32_t>(state.range(1)),
                units = static_cast<int32_t>(state.range(2));
  const bool reference_only = state.range(3) < 0;
  const Int8Path path = reference_only ? Int8Path::kAuto : static_cast<Int8Path>(state.range(3));
  if (!k::int8_path_available(path)) return state.SkipWithError("path not available");
  const auto params = k::prepare_fully_connected_int8({batch, depth}, {units, depth}, k::Dims{units},
                                                      {0.02f, -3}, kOneScale, {0.05f, 5},
                                                      {.activation = k::Activation::kRelu});
  const auto input = random_bytes(static_cast<size_t>(batch) * depth, 1);
  const auto weights = random_bytes(static_cast<size_t>(units) * depth, 2);
  const std::vector<int32_t> bias(static_cast<size_t>(units), 100);
  std::vector<int8_t> out(static_cast<size_t>(batch) * units);
  auto ref = [&] { k::eval_fully_connected_int8(params, input.data(), weights.data(), bias.data(), out.data()); };
  const double macs = double(batch) * depth * units;
  if (reference_only) return run(state, path, true, macs, ref, ref);
  auto opt = k::prepare_fully_connected_int8_optimized(params, weights.data(), bias.data(), path);
  run(state, path, false, macs, [&] { k::eval_fully_connected_int8_optimized(opt, input.data(), out.data()); }, ref);
}

// args: batch, size (square), in_c, out_c, same padding, path (-1: reference); 3x3 filter
void BM_Conv2D(benchmark::State& state) {
  const int32_t batch = static_cast<int32_t>(state.range(0)), size = static_cast<int32_t>(state.range(1)),
                in_c = static_cast<int32_t>(state.range(2)), out_c = static_cast<int32_t>(state.range(3));
  const bool same = state.range(4) != 0, reference_only = state.range(5) < 0;
  const Int8Path path = reference_only ? Int8Path::kAuto : static_cast<Int8Path>(state.range(5));
  if (!k::int8_path_available(path)) return state.SkipWithError("path not available");
  const auto params = k::prepare_conv2d_int8(
      {batch, size, size, in_c}, {out_c, 3, 3, in_c}, k::Dims{out_c}, {0.02f, -3}, kOneScale, {0.05f, 5},
      {.padding = same ? k::Padding::kSame : k::Padding::kValid, .activation = k::Activation::kRelu});
  const auto input = random_bytes(static_cast<size_t>(batch) * size * size * in_c, 1);
  const auto filter = random_bytes(static_cast<size_t>(out_c) * 9 * in_c, 2);
  const std::vector<int32_t> bias(static_cast<size_t>(out_c), 100);
  std::vector<int8_t> out(static_cast<size_t>(k::flat_size(params.output_dims)));
  auto ref = [&] { k::eval_conv2d_int8(params, input.data(), filter.data(), bias.data(), out.data()); };
  const double macs = double(k::flat_size(params.output_dims)) * 9 * in_c;
  if (reference_only) return run(state, path, true, macs, ref, ref);
  auto opt = k::prepare_conv2d_int8_optimized(params, filter.data(), bias.data(), path);
  run(state, path, false, macs, [&] { k::eval_conv2d_int8_optimized(opt, input.data(), out.data()); }, ref);
}

// args: batch, size (square), channels, multiplier, stride, path (-1: reference); 3x3 SAME
void BM_DepthwiseConv2D(benchmark::State& state) {
  const int32_t batch = static_cast<int32_t>(state.range(0)), size = static_cast<int32_t>(state.range(1)),
                c = static_cast<int32_t>(state.range(2)), mult = static_cast<int32_t>(state.range(3)),
                stride = static_cast<int32_t>(state.range(4));
  const bool reference_only = state.range(5) < 0;
  const Int8Path path = reference_only ? Int8Path::kAuto : static_cast<Int8Path>(state.range(5));
  if (!k::int8_path_available(path)) return state.SkipWithError("path not available");
  const auto params = k::prepare_depthwise_conv2d_int8(
      {batch, size, size, c}, {1, 3, 3, c * mult}, k::Dims{c * mult}, {0.02f, -3}, kOneScale, {0.05f, 5},
      {.padding = k::Padding::kSame, .stride_h = stride, .stride_w = stride, .depth_multiplier = mult,
       .activation = k::Activation::kRelu6});
  const auto input = random_bytes(static_cast<size_t>(batch) * size * size * c, 1);
  const auto filter = random_bytes(static_cast<size_t>(c) * mult * 9, 2);
  const std::vector<int32_t> bias(static_cast<size_t>(c) * mult, 100);
  std::vector<int8_t> out(static_cast<size_t>(k::flat_size(params.output_dims)));
  auto ref = [&] { k::eval_depthwise_conv2d_int8(params, input.data(), filter.data(), bias.data(), out.data()); };
  const double macs = double(k::flat_size(params.output_dims)) * 9;
  if (reference_only) return run(state, path, true, macs, ref, ref);
  auto opt = k::prepare_depthwise_conv2d_int8_optimized(params, filter.data(), bias.data(), path);
  run(state, path, false, macs, [&] { k::eval_depthwise_conv2d_int8_optimized(opt, input.data(), out.data()); },
      ref);
}

// Best path, pool of `threads` (1: no pool). args: batch, threads; FC 512 -> 256
// (131k MACs per row) and CONV_2D 16x16x16 -> 32 3x3 SAME (37k MACs per output row).
void BM_ThreadsFullyConnected(benchmark::State& state) {
  const int32_t batch = static_cast<int32_t>(state.range(0)), threads = static_cast<int32_t>(state.range(1));
  const auto params = k::prepare_fully_connected_int8({batch, 512}, {256, 512}, k::Dims{256}, {0.02f, -3},
                                                      kOneScale, {0.05f, 5}, {});
  const auto input = random_bytes(static_cast<size_t>(batch) * 512, 1), weights = random_bytes(256 * 512, 2);
  const std::vector<int32_t> bias(256, 100);
  std::vector<int8_t> out(static_cast<size_t>(batch) * 256);
  lq::ThreadPool pool(threads);
  auto opt = k::prepare_fully_connected_int8_optimized(params, weights.data(), bias.data(), Int8Path::kAuto, threads);
  auto fn = [&] { k::eval_fully_connected_int8_optimized(opt, input.data(), out.data(), threads > 1 ? &pool : nullptr); };
  run(state, Int8Path::kAuto, true, double(batch) * 512 * 256, fn, fn);
}

void BM_ThreadsConv2D(benchmark::State& state) {
  const int32_t rows = static_cast<int32_t>(state.range(0)), threads = static_cast<int32_t>(state.range(1));
  const auto params = k::prepare_conv2d_int8({1, rows, 16, 16}, {32, 3, 3, 16}, k::Dims{32}, {0.02f, -3},
                                             kOneScale, {0.05f, 5}, {.padding = k::Padding::kSame});
  const auto input = random_bytes(static_cast<size_t>(rows) * 16 * 16, 1), filter = random_bytes(32 * 9 * 16, 2);
  const std::vector<int32_t> bias(32, 100);
  std::vector<int8_t> out(static_cast<size_t>(k::flat_size(params.output_dims)));
  lq::ThreadPool pool(threads);
  auto opt = k::prepare_conv2d_int8_optimized(params, filter.data(), bias.data(), Int8Path::kAuto, threads);
  auto fn = [&] { k::eval_conv2d_int8_optimized(opt, input.data(), out.data(), threads > 1 ? &pool : nullptr); };
  run(state, Int8Path::kAuto, true, double(k::flat_size(params.output_dims)) * 9 * 16, fn, fn);
}

constexpr int kRef = -1;
const int kPaths[] = {kRef, static_cast<int>(Int8Path::kPortable), static_cast<int>(Int8Path::kAvx2),
                      static_cast<int>(Int8Path::kAvx512Vnni)};

void fc_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"batch", "in", "out", "path"});
  for (auto [batch, in, out] : {std::tuple{1, 784, 128}, {256, 784, 128}, {1, 128, 10}, {256, 128, 10}, {1, 8192, 10},
        {1, 2028, 10}})
    for (int p : kPaths) b->Args({batch, in, out, p});
}

void conv_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"batch", "hw", "cin", "cout", "same", "path"});
  // Seed CNN conv (28x28x1 -> 12, 3x3 VALID), batch 1 and 256; the zoo convnet's four
  // convs (32x32x3 -> 32, 32x32x32 -> 64, 16x16x64 -> 64, 16x16x64 -> 128, SAME).
  for (auto [batch, hw, cin, cout, same] :
       {std::tuple{1, 28, 1, 12, 0}, {256, 28, 1, 12, 0}, {1, 32, 3, 32, 1}, {1, 32, 32, 64, 1},
        {1, 16, 64, 64, 1}, {1, 16, 64, 128, 1}})
    for (int p : kPaths) b->Args({batch, hw, cin, cout, same, p});
}

void depthwise_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"batch", "hw", "c", "mult", "stride", "path"});
  for (auto [batch, hw, c, mult, stride] : {std::tuple{1, 32, 64, 1, 1}, {1, 56, 128, 1, 2}, {4, 16, 32, 2, 1}})
    for (int p : kPaths) b->Args({batch, hw, c, mult, stride, p});
}

void thread_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"units", "threads"});
  for (int units : {1, 4, 8, 16, 32, 64, 256})
    for (int threads : {1, 2}) b->Args({units, threads});
}

BENCHMARK(BM_FullyConnected)->Apply(fc_args)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Conv2D)->Apply(conv_args)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DepthwiseConv2D)->Apply(depthwise_args)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ThreadsFullyConnected)->Apply(thread_args)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ThreadsConv2D)->Apply(thread_args)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
