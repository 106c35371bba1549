// litequant inspect / run: .tflite files.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "litequant/core/error.h"
#include "litequant/core/file.h"
#include "litequant/runtime/interpreter.h"

namespace lq::cli {
namespace {
namespace fs = std::filesystem;

std::string dims(const std::vector<int32_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

std::string activation(tflite::Activation a) {
  switch (a) {
    case tflite::Activation::kNone: return "NONE";
    case tflite::Activation::kRelu: return "RELU";
    case tflite::Activation::kReluN1To1: return "RELU_N1_TO_1";
    case tflite::Activation::kRelu6: return "RELU6";
    case tflite::Activation::kTanh: return "TANH";
  }
  return "?";
}
std::string padding(tflite::Padding p) { return p == tflite::Padding::kSame ? "SAME" : "VALID"; }

std::string options_text(const tflite::Options& o) {
  std::ostringstream s;
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, tflite::Conv2DOptions>)
          s << "padding=" << padding(v.padding) << " stride=" << v.stride_h << "x" << v.stride_w << " dilation="
            << v.dilation_h << "x" << v.dilation_w << " activation=" << activation(v.activation);
        else if constexpr (std::is_same_v<T, tflite::DepthwiseConv2DOptions>)
          s << "padding=" << padding(v.padding) << " stride=" << v.stride_h << "x" << v.stride_w
            << " depth_multiplier=" << v.depth_multiplier << " dilation=" << v.dilation_h << "x" << v.dilation_w
            << " activation=" << activation(v.activation);
        else if constexpr (std::is_same_v<T, tflite::Pool2DOptions>)
          s << "padding=" << padding(v.padding) << " filter=" << v.filter_height << "x" << v.filter_width
            << " stride=" << v.stride_h << "x" << v.stride_w << " activation=" << activation(v.activation);
        else if constexpr (std::is_same_v<T, tflite::FullyConnectedOptions>)
          s << "activation=" << activation(v.activation) << (v.keep_num_dims ? " keep_num_dims" : "");
        else if constexpr (std::is_same_v<T, tflite::ActivationOptions>)
          s << "activation=" << activation(v.activation);
        else if constexpr (std::is_same_v<T, tflite::ConcatenationOptions>)
          s << "axis=" << v.axis << " activation=" << activation(v.activation);
        else if constexpr (std::is_same_v<T, tflite::SoftmaxOptions>)
          s << "beta=" << v.beta;
        else if constexpr (std::is_same_v<T, tflite::ReshapeOptions>)
          s << "new_shape=" << dims(v.new_shape);
        else if constexpr (std::is_same_v<T, tflite::ReducerOptions>)
          s << "keep_dims=" << (v.keep_dims ? "true" : "false");
      },
      o);
  return s.str();
}

std::string quant_text(const tflite::Quantization& q) {
  if (q.empty()) return "";
  std::ostringstream s;
  if (q.scale.size() == 1) {
    s << "scale=" << q.scale[0] << " zero_point=" << (q.zero_point.empty() ? 0 : q.zero_point[0]);
  } else {
    s << "per-channel(dim " << q.quantized_dimension << ", " << q.scale.size() << " scales)";
  }
  return s.str();
}

void run_inspect(const std::string& path) {
  runtime::Interpreter it = runtime::Interpreter::from_file(path);
  it.allocate_tensors();
  // The file as written (the interpreter holds INT4 weights unpacked to int8).
  const tflite::Model m = tflite::read_model_file(path);
  size_t weight_bytes = 0;
  for (const auto& b : m.buffers) weight_bytes += b.data().size();
  std::printf("%s: %zu bytes, TFLite schema version %u, description \"%s\"\n", path.c_str(),
              static_cast<size_t>(fs::file_size(path)), m.version, m.description.c_str());
  std::printf("inputs:");
  for (const auto& d : it.get_input_details()) std::printf(" %d '%s' %s %s", d.index, d.name.c_str(), tflite::type_name(d.dtype).c_str(), dims(d.shape).c_str());
  std::printf("\noutputs:");
  for (const auto& d : it.get_output_details()) std::printf(" %d '%s' %s %s", d.index, d.name.c_str(), tflite::type_name(d.dtype).c_str(), dims(d.shape).c_str());
  std::printf("\n\noperators (%zu):\n", m.operators.size());
  for (size_t i = 0; i < m.operators.size(); ++i) {
    const auto& o = m.operators[i];
    std::string ins, outs;
    for (int t : o.inputs) ins += (ins.empty() ? "" : ",") + std::to_string(t);
    for (int t : o.outputs) outs += (outs.empty() ? "" : ",") + std::to_string(t);
    std::printf("  %3zu  %-18s v%-2d in=[%s] out=[%s]  %s\n", i, tflite::op_name(o.opcode).c_str(), o.version,
                ins.c_str(), outs.c_str(), options_text(o.options).c_str());
  }
  std::printf("\ntensors (%zu):\n", m.tensors.size());
  for (size_t i = 0; i < m.tensors.size(); ++i) {
    const auto& t = m.tensors[i];
    const size_t bytes = t.buffer ? m.buffers[t.buffer].data().size() : 0;
    const auto details = it.tensor_details(static_cast<int>(i));
    std::printf("  %3zu  %-30s %-8s %-18s %s%s\n", i, t.name.c_str(), tflite::type_name(t.type).c_str(),
                dims(details.shape).c_str(), bytes ? ("constant " + std::to_string(bytes) + " B ").c_str() : "",
                quant_text(t.quantization).c_str());
  }
  std::printf("\nweights: %zu bytes in %zu buffers; activation arena: %zu bytes (batch %d)\n", weight_bytes,
              m.buffers.size(), it.arena_bytes(), it.get_input_details()[0].shape.empty() ? 1 : it.get_input_details()[0].shape[0]);
}

struct RunArgs {
  std::string model, input, out_dir;
  bool batch = false;
};

// Same conventions as ../shared/oracle/oracle.sh: INPUT is one little-endian file with
// the inputs back to back (or f0,f1,... one per input); OUT_DIR/output_<i>.bin.
void run_run(const RunArgs& a) {
  runtime::Interpreter it = runtime::Interpreter::from_file(a.model);
  it.allocate_tensors();
  const auto inputs = it.get_input_details();
  std::vector<std::vector<uint8_t>> files;
  std::stringstream list(a.input);
  for (std::string f; std::getline(list, f, ',');) files.push_back(read_file(f));
  size_t record = 0;
  std::vector<size_t> sizes;
  for (const auto& d : inputs) {
    sizes.push_back(it.tensor_bytes(d.index).size());
    record += sizes.back();
  }
  if (files.size() != 1 && files.size() != inputs.size())
    throw Error(a.input + ": give one file, or one per model input (" + std::to_string(inputs.size()) + ")");
  // Records: input sets of `record` bytes (one file) or of sizes[i] bytes per file.
  const size_t unit = files.size() == 1 ? record : sizes[0];
  const size_t records = unit ? files[0].size() / unit : 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const size_t want = files.size() == 1 ? record : sizes[i];
    if (want == 0 || files[i].size() == 0 || files[i].size() % want != 0 || files[i].size() / want != records)
      throw Error(a.input + ": " + std::to_string(files[i].size()) + " bytes are not whole records of " +
                  std::to_string(want) + " bytes");
  }
  if (!a.batch && records != 1)
    throw Error(a.input + ": holds " + std::to_string(records) + " records; pass --batch to run them all");
  fs::create_directories(a.out_dir);
  const auto outputs = it.get_output_details();
  std::vector<std::vector<uint8_t>> results(outputs.size());
  for (size_t r = 0; r < records; ++r) {
    size_t offset = r * record;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const uint8_t* src = files.size() == 1 ? files[0].data() + offset : files[i].data() + r * sizes[i];
      it.set_tensor(inputs[i].index, src, sizes[i], inputs[i].dtype);
      offset += sizes[i];
    }
    it.invoke();
    for (size_t o = 0; o < outputs.size(); ++o) {
      auto b = it.tensor_bytes(outputs[o].index);
      results[o].insert(results[o].end(), b.begin(), b.end());
    }
  }
  // result.json as oracle.sh writes it, so ../shared/oracle/compare.py reads both.
  auto describe = [&](const runtime::TensorDetails& d, const std::string& file, size_t bytes) {
    return nlohmann::json{{"name", d.name}, {"dtype", tflite::type_name(d.dtype)}, {"shape", d.shape},
                          {"bytes", bytes}, {"file", file}, {"tensor_index", d.index},
                          {"quantization", {{"scale", d.quantization.scale},
                                            {"zero_point", d.quantization.zero_point},
                                            {"quantized_dimension", d.quantization.quantized_dimension}}}};
  };
  nlohmann::json result{{"runtime", "litequant"}, {"records", records}, {"inputs", nlohmann::json::array()},
                        {"outputs", nlohmann::json::array()}};
  for (size_t i = 0; i < inputs.size(); ++i) result["inputs"].push_back(describe(inputs[i], a.input, sizes[i] * records));
  for (size_t o = 0; o < outputs.size(); ++o) {
    const std::string file = "output_" + std::to_string(o) + ".bin";
    write_file_atomic((fs::path(a.out_dir) / file).string(), results[o].data(), results[o].size());
    result["outputs"].push_back(describe(outputs[o], file, results[o].size()));
  }
  const std::string text = result.dump(1);
  write_file_atomic((fs::path(a.out_dir) / "result.json").string(), text.data(), text.size());
  std::printf("ran %zu record(s); wrote %zu output file(s) to %s\n", records, outputs.size(),
              a.out_dir.c_str());
}
}  // namespace

void add_tflite_commands(CLI::App& app) {
  auto inspect_path = std::make_shared<std::string>();
  CLI::App* inspect = app.add_subcommand("inspect", "Operators, tensors, weights and arena of a .tflite file");
  inspect->add_option("model", *inspect_path, ".tflite file")->required();
  inspect->callback([inspect_path] { run_inspect(*inspect_path); });

  auto args = std::make_shared<RunArgs>();
  CLI::App* run = app.add_subcommand("run", "Run raw inputs through a .tflite file (oracle.sh conventions)");
  run->add_option("model", args->model, ".tflite file")->required();
  run->add_option("input", args->input, "raw little-endian input file (or f0,f1,... per input)")->required();
  run->add_option("out_dir", args->out_dir, "directory for output_<i>.bin")->required();
  run->add_flag("--batch", args->batch, "the input holds K records back to back: invoke K times");
  run->callback([args] { run_run(*args); });
}

}  // namespace lq::cli
