#pragma once
// Small .tflite models built in tests and run both in the real TensorFlow Lite runtime
// (../shared/oracle) and in litequant's interpreter on the same input bytes.
//
//   ModelBuilder b;
//   int x = b.tensor("x", {1, 8}, TensorType::kInt8, {{0.05f}, {-3}});
//   int w = b.constant("w", {4, 8}, TensorType::kInt8, weights, {{0.01f}, {0}});
//   int y = b.tensor("y", {1, 4}, TensorType::kInt8, {{0.1f}, {2}});
//   b.op(tflite::Op::kFullyConnected, 4, {x, w, -1}, {y}, tflite::FullyConnectedOptions{});
//   auto r = compare_with_oracle("fc", b.build({x}, {y}));   // r.differ == 0
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "common/oracle.h"
#include "litequant/core/file.h"
#include "litequant/runtime/interpreter.h"
#include "litequant/tflite/model.h"

namespace lq::test {

class ModelBuilder {
 public:
  ModelBuilder() { model_.buffers.resize(1); }

  int tensor(const std::string& name, std::vector<int32_t> shape, tflite::TensorType type,
             tflite::Quantization q = {}) {
    model_.tensors.push_back({name, std::move(shape), type, 0, std::move(q), false});
    return static_cast<int>(model_.tensors.size() - 1);
  }
  template <typename T>
  int constant(const std::string& name, std::vector<int32_t> shape, tflite::TensorType type,
               const std::vector<T>& values, tflite::Quantization q = {}) {
    std::vector<uint8_t> bytes(values.size() * sizeof(T));
    if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    model_.buffers.push_back(tflite::Buffer::take(std::move(bytes)));
    const int t = tensor(name, std::move(shape), type, std::move(q));
    model_.tensors.back().buffer = static_cast<uint32_t>(model_.buffers.size() - 1);
    return t;
  }
  void op(tflite::Op code, int version, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
          tflite::Options options = {}) {
    model_.operators.push_back({static_cast<int32_t>(code), version, std::move(inputs), std::move(outputs),
                                std::move(options)});
  }
  tflite::Model build(std::vector<int32_t> inputs, std::vector<int32_t> outputs) const {
    tflite::Model m = model_;
    m.inputs = std::move(inputs);
    m.outputs = std::move(outputs);
    return m;
  }

 private:
  tflite::Model model_;
};

struct OracleComparison {
  int64_t compared = 0;  // output elements compared
  int64_t differ = 0;    // integer outputs: bytes-different elements; float: beyond rel_tol
  double max_abs_diff = 0.0;
};

// Adds the comparison of one output (litequant's bytes `got`, TFLite's `want`) to r.
inline void compare_output(std::span<const uint8_t> got, std::span<const uint8_t> want, tflite::TensorType dtype,
                           double rel_tol, OracleComparison& r) {
  if (dtype == tflite::TensorType::kFloat32) {
    const size_t n = got.size() / 4;
    for (size_t e = 0; e < n; ++e) {
      float a, b;
      std::memcpy(&a, got.data() + 4 * e, 4);
      std::memcpy(&b, want.data() + 4 * e, 4);
      const double d = std::fabs(static_cast<double>(a) - b);
      r.max_abs_diff = std::max(r.max_abs_diff, d);
      r.differ += !(d <= rel_tol * std::max(1.0, std::fabs(static_cast<double>(b))));
    }
    r.compared += static_cast<int64_t>(n);
    return;
  }
  const size_t width = tflite::type_size(dtype);
  const size_t n = got.size() / width;
  for (size_t e = 0; e < n; ++e) {
    const bool same = std::memcmp(got.data() + e * width, want.data() + e * width, width) == 0;
    r.differ += !same;
    if (!same && width == 1) {
      const int a = dtype == tflite::TensorType::kInt8 ? static_cast<int8_t>(got[e]) : got[e];
      const int b = dtype == tflite::TensorType::kInt8 ? static_cast<int8_t>(want[e]) : want[e];
      r.max_abs_diff = std::max(r.max_abs_diff, static_cast<double>(std::abs(a - b)));
    }
  }
  r.compared += static_cast<int64_t>(n);
}

inline void print_comparison(const std::string& name, const OracleComparison& r) {
  std::printf("%s: %lld outputs compared with real TFLite, %lld differ (max |diff| %g)\n", name.c_str(),
              static_cast<long long>(r.compared), static_cast<long long>(r.differ), r.max_abs_diff);
}

// A fresh temporary directory holding `m` as model.tflite.
struct WrittenModel {
  std::filesystem::path dir;
  std::string path;
};
inline WrittenModel write_temp_model(const std::string& prefix, const std::string& name, const tflite::Model& m) {
  namespace fs = std::filesystem;
  WrittenModel w{fs::temp_directory_path() / (prefix + std::to_string(::getpid()) + "_" + name), ""};
  fs::create_directories(w.dir);
  w.path = (w.dir / "model.tflite").string();
  const auto bytes = tflite::write_model(m);
  write_file_atomic(w.path, bytes.data(), bytes.size());
  return w;
}

// Compares every output of `it` with output_<i>.bin in `oracle_out`; false (after
// ADD_FAILURE) when a size differs.
inline bool compare_outputs(const std::string& name, const runtime::Interpreter& it,
                            const std::filesystem::path& oracle_out, double rel_tol, OracleComparison& r) {
  const auto outs = it.get_output_details();
  for (size_t i = 0; i < outs.size(); ++i) {
    const auto want = read_file((oracle_out / ("output_" + std::to_string(i) + ".bin")).string());
    const auto got = it.tensor_bytes(outs[i].index);
    if (got.size() != want.size()) {
      ADD_FAILURE() << name << ": output " << i << " has " << got.size() << " bytes, TFLite's " << want.size();
      return false;
    }
    compare_output(got, want, outs[i].dtype, rel_tol, r);
  }
  return true;
}

// Writes `m`, runs it in the real runtime on `seeds` random inputs (random:1..seeds: full
// range for int8/uint8, uniform [-1, 1) for float) and in litequant's interpreter on the
// very bytes the oracle fed; compares every output. Integer outputs must be
// byte-identical; float outputs may differ by rel_tol * max(1, |want|). Prints
// "<name>: N outputs compared with real TFLite, M differ (max |diff| D)". Call
// LQ_REQUIRE_ORACLE() first. Fails the test (ADD_FAILURE) when the oracle rejects it.
inline OracleComparison compare_with_oracle(const std::string& name, const tflite::Model& m, int seeds = 3,
                                            double rel_tol = 0.0) {
  OracleComparison r;
  const WrittenModel w = write_temp_model("lq_op_", name, m);
  runtime::Interpreter it = runtime::Interpreter::from_file(w.path);
  it.allocate_tensors();
  const auto ins = it.get_input_details();
  for (int seed = 1; seed <= seeds; ++seed) {
    const auto out = w.dir / ("out" + std::to_string(seed));
    const auto run = run_oracle(w.path, "random:" + std::to_string(seed), out.string(), false);
    if (run.status != 0) {
      ADD_FAILURE() << name << ": the real TFLite runtime rejected the model:\n" << run.output;
      return r;
    }
    for (size_t i = 0; i < ins.size(); ++i) {
      const auto in = read_file((out / ("input_" + std::to_string(i) + ".bin")).string());
      it.set_tensor(ins[i].index, in.data(), in.size(), ins[i].dtype);
    }
    it.invoke();
    if (!compare_outputs(name, it, out, rel_tol, r)) return r;
  }
  print_comparison(name, r);
  std::filesystem::remove_all(w.dir);
  return r;
}

// Runs `m` in the real runtime on `records` records (`input`: raw bytes of every record
// of input 0 back to back, oracle --batch) and in litequant's interpreter with the batch
// dimension set to `records`; compares as compare_with_oracle. Single-input models.
inline OracleComparison compare_batch_with_oracle(const std::string& name, const tflite::Model& m,
                                                  const std::vector<uint8_t>& input, int32_t records,
                                                  double rel_tol = 0.0) {
  OracleComparison r;
  const WrittenModel w = write_temp_model("lq_batch_", name, m);
  const std::string in_path = (w.dir / "input.bin").string();
  write_file_atomic(in_path, input.data(), input.size());
  const auto run = run_oracle(w.path, in_path, (w.dir / "out").string(), true);
  if (run.status != 0) {
    ADD_FAILURE() << name << ": the real TFLite runtime rejected the model:\n" << run.output;
    return r;
  }
  // litequant runs the records in chunks (bounded arena), outputs gathered per output.
  runtime::Interpreter it = runtime::Interpreter::from_file(w.path);
  const auto in = it.get_input_details()[0];
  const size_t record_bytes = input.size() / static_cast<size_t>(records);
  const auto outs = it.get_output_details();
  std::vector<std::vector<uint8_t>> got(outs.size());
  constexpr int32_t kChunk = 500;
  for (int32_t start = 0; start < records; start += kChunk) {
    const int32_t count = std::min(kChunk, records - start);
    auto shape = in.shape;
    shape[0] = count;
    it.resize_input_tensor(0, shape);
    it.allocate_tensors();
    it.set_tensor(in.index, input.data() + static_cast<size_t>(start) * record_bytes,
                  static_cast<size_t>(count) * record_bytes, in.dtype);
    it.invoke();
    for (size_t i = 0; i < outs.size(); ++i) {
      const auto b = it.tensor_bytes(outs[i].index);
      got[i].insert(got[i].end(), b.begin(), b.end());
    }
  }
  for (size_t i = 0; i < outs.size(); ++i) {
    const auto want = read_file((w.dir / "out" / ("output_" + std::to_string(i) + ".bin")).string());
    if (got[i].size() != want.size()) {
      ADD_FAILURE() << name << ": output " << i << " has " << got[i].size() << " bytes, TFLite's " << want.size();
      return r;
    }
    compare_output(got[i], want, outs[i].dtype, rel_tol, r);
  }
  print_comparison(name, r);
  std::filesystem::remove_all(w.dir);
  return r;
}

}  // namespace lq::test
