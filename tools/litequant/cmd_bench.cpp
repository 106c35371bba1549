// litequant bench MODEL.tflite --batch N --threads T [--repeats R] [--json]: inference
// speed of a .tflite file in litequant's interpreter.
//
// Reports the median latency of R invokes (after one warm-up invoke) on deterministic
// random inputs, images/s = N / median, GMAC/s from the multiply-adds of the model's
// CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED ops (every filter tap counts, padding
// taps included), that rate as a percentage of this CPU's peak (measured here:
// cpu_peak.h; single-thread peak x T; the int8 peak when most multiply-adds have int8
// inputs, else the float32 one), the interpreter's arena and the process's peak RSS.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.h"
#include "cpu_peak.h"
#include "litequant/core/error.h"
#include "litequant/core/rng.h"
#include "litequant/runtime/interpreter.h"

namespace lq::cli {
namespace {
using tflite::Op;
using tflite::TensorType;

struct BenchArgs {
  std::string model;
  int batch = 1;
  int threads = 1;
  int repeats = 20;
  bool json = false;
};

// Multiply-adds per invoke, split by the type of the op's input.
struct MacCount {
  double int8 = 0;   // int8 / uint8 inputs
  double other = 0;  // float32 inputs (float and dynamic-range models)
  double total() const { return int8 + other; }
};

double elements(const std::vector<int32_t>& shape) {
  double n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

MacCount count_macs(const runtime::Interpreter& it) {
  MacCount count;
  for (const tflite::Operator& op : it.model().operators) {
    const Op code = static_cast<Op>(op.opcode);
    if (code != Op::kConv2D && code != Op::kDepthwiseConv2D && code != Op::kFullyConnected) continue;
    if (op.inputs.size() < 2 || op.inputs[0] < 0 || op.inputs[1] < 0 || op.outputs.empty()) continue;
    const runtime::TensorDetails in = it.tensor_details(op.inputs[0]);
    const std::vector<int32_t> w = it.tensor_details(op.inputs[1]).shape;
    const double out = elements(it.tensor_details(op.outputs[0]).shape);
    double macs = 0;
    if (code == Op::kConv2D && w.size() == 4) macs = out * w[1] * w[2] * w[3];   // [O, KH, KW, C]
    if (code == Op::kDepthwiseConv2D && w.size() == 4) macs = out * w[1] * w[2];  // [1, KH, KW, C*M]
    if (code == Op::kFullyConnected && w.size() == 2) macs = out * w[1];         // [O, I]
    (in.dtype == TensorType::kInt8 || in.dtype == TensorType::kUInt8 ? count.int8 : count.other) += macs;
  }
  return count;
}

// Deterministic random bytes for every model input: floats in [0, 1), integers over
// their whole range.
struct InputBytes {
  runtime::TensorDetails details;
  std::vector<uint8_t> bytes;
};

std::vector<InputBytes> random_inputs(const runtime::Interpreter& it) {
  Rng rng(1);
  std::vector<InputBytes> inputs;
  for (const runtime::TensorDetails& d : it.get_input_details()) {
    InputBytes in{d, std::vector<uint8_t>(it.tensor_bytes(d.index).size())};
    if (d.dtype == TensorType::kFloat32) {
      for (size_t i = 0; i + sizeof(float) <= in.bytes.size(); i += sizeof(float)) {
        const float x = rng.uniform(0.0f, 1.0f);
        std::memcpy(in.bytes.data() + i, &x, sizeof(float));
      }
    } else {
      for (uint8_t& x : in.bytes) x = static_cast<uint8_t>(rng.below(256));
    }
    inputs.push_back(std::move(in));
  }
  return inputs;
}

void set_inputs(runtime::Interpreter& it, const std::vector<InputBytes>& inputs) {
  for (const InputBytes& in : inputs) it.set_tensor(in.details.index, in.bytes.data(), in.bytes.size(), in.details.dtype);
}

int64_t peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<int64_t>(u.ru_maxrss) * 1024;  // Linux: kilobytes
}

void run_bench(const BenchArgs& a) {
  if (!std::filesystem::is_regular_file(a.model)) throw Error("bench: " + a.model + ": no such file");
  if (!is_tflite_file(a.model))
    throw Error("bench: " + a.model + " is not a .tflite file (litequant convert writes one)");
  runtime::Interpreter it = runtime::Interpreter::from_file(a.model, {.num_threads = a.threads});
  const auto details = it.get_input_details();
  for (size_t i = 0; i < details.size(); ++i) {
    std::vector<int32_t> shape = details[i].shape;
    if (shape.empty()) throw Error("bench: input " + std::to_string(i) + " is a scalar: no batch dimension");
    shape[0] = a.batch;
    it.resize_input_tensor(i, shape);
  }
  it.allocate_tensors();
  const std::vector<InputBytes> inputs = random_inputs(it);
  set_inputs(it, inputs);
  it.invoke();  // warm-up
  std::vector<double> seconds;
  for (int r = 0; r < a.repeats; ++r) {
    set_inputs(it, inputs);  // outside the timed region: each invoke sees the same input
    const auto start = std::chrono::steady_clock::now();
    it.invoke();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds.size() % 2 ? seconds[seconds.size() / 2]
                                           : 0.5 * (seconds[seconds.size() / 2 - 1] + seconds[seconds.size() / 2]);
  const MacCount macs = count_macs(it);
  const bool int8 = macs.int8 > 0 && macs.int8 >= macs.other;
  const PeakRate peak = int8 ? measure_int8_peak() : measure_float_peak();
  const double gmacs = macs.total() / median * 1e-9;
  const double peak_all = peak.gmac_per_s * a.threads;
  const size_t arena = it.arena_bytes();
  const int64_t rss = peak_rss_bytes();

  if (a.json) {
    nlohmann::json j{{"model", a.model},
                     {"kind", int8 ? "int8" : "float"},
                     {"batch", a.batch},
                     {"threads", a.threads},
                     {"repeats", a.repeats},
                     {"latency_ms", median * 1e3},
                     {"latency_min_ms", seconds.front() * 1e3},
                     {"latency_max_ms", seconds.back() * 1e3},
                     {"images_per_s", a.batch / median},
                     {"macs_per_invoke", macs.total()},
                     {"macs_per_image", macs.total() / a.batch},
                     {"gmac_per_s", gmacs},
                     {"peak_instruction", peak.instruction},
                     {"peak_gmac_per_s_single_thread", peak.gmac_per_s},
                     {"peak_gmac_per_s", peak_all},
                     {"percent_of_peak", peak_all > 0 ? nlohmann::json(100.0 * gmacs / peak_all) : nlohmann::json()},
                     {"arena_bytes", arena},
                     {"peak_rss_bytes", rss}};
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("%s (%s), batch %d, %d thread%s, median of %d invokes\n", a.model.c_str(), int8 ? "int8" : "float",
              a.batch, a.threads, a.threads == 1 ? "" : "s", a.repeats);
  std::printf("  latency      %.3f ms per invoke (min %.3f, max %.3f)\n", median * 1e3, seconds.front() * 1e3,
              seconds.back() * 1e3);
  std::printf("  throughput   %.1f images/s\n", a.batch / median);
  std::printf("  compute      %.2f M MACs per image (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED)\n",
              macs.total() / a.batch * 1e-6);
  std::printf("  rate         %.2f GMAC/s\n", gmacs);
  if (peak_all > 0)
    std::printf("  peak         %.1f GMAC/s (%s, %.1f per thread x %d): %.1f%% of peak\n", peak_all,
                peak.instruction.c_str(), peak.gmac_per_s, a.threads, 100.0 * gmacs / peak_all);
  else
    std::printf("  peak         not measured (no AVX2 / AVX-512 on this CPU)\n");
  std::printf("  arena        %zu bytes (%.1f KiB)\n", arena, static_cast<double>(arena) / 1024.0);
  std::printf("  peak RSS     %lld bytes (%.1f MiB)\n", static_cast<long long>(rss),
              static_cast<double>(rss) / (1024.0 * 1024.0));
}

}  // namespace

void add_bench(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand("bench", "Inference speed of a .tflite file: latency, images/s, GMAC/s, % of peak");
  cmd->add_option("model", args->model, ".tflite file")->required();
  cmd->add_option("--batch", args->batch, "images per invoke")->capture_default_str()->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--threads", args->threads, "interpreter threads")->capture_default_str()->check(CLI::Range(1, 1024));
  cmd->add_option("--repeats", args->repeats, "timed invokes (the median is reported)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd->add_flag("--json", args->json, "print one JSON object");
  cmd->callback([args] { run_bench(*args); });
}

}  // namespace lq::cli
