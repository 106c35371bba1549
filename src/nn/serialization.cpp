#include "litequant/nn/serialization.h"

#include <zlib.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "litequant/core/error.h"
#include "litequant/core/file.h"

namespace lq {
namespace {

constexpr char kMagic[8] = {'L', 'Q', 'M', 'O', 'D', 'E', 'L', '\0'};
constexpr size_t kFixedHeader = 24;
constexpr size_t kAlign = 64;

size_t align_up(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

template <typename T>
void put_le(std::vector<uint8_t>& out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

template <typename T>
T get_le(const uint8_t* p) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<T>(p[i]) << (8 * i));
  return v;
}

uint32_t crc32_of(const uint8_t* p, size_t n) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (n > 0) {
    const uInt chunk = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    crc = crc32(crc, p, chunk);
    p += chunk;
    n -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

// Appends tensors to the payload and describes them in the manifest.
struct PayloadWriter {
  std::vector<uint8_t> payload;
  nlohmann::json add(const Tensor& t) {
    payload.resize(align_up(payload.size()), 0);
    const size_t offset = payload.size();
    for (int64_t i = 0; i < t.size(); ++i) {
      uint32_t bits;
      std::memcpy(&bits, &t.data()[i], 4);
      put_le(payload, bits);
    }
    return {{"shape", t.shape()}, {"dtype", "float32"}, {"offset", offset}};
  }
};

// Reads a manifest entry's tensor into `dst` (whose shape is the expected one).
void read_tensor(const nlohmann::json& entry, const uint8_t* payload, uint64_t payload_size,
                 Tensor& dst, const std::string& where) {
  if (!entry.is_object() || !entry.contains("offset") || !entry["offset"].is_number_unsigned() ||
      !entry.contains("shape") || !entry["shape"].is_array())
    throw Error(where + ": malformed manifest entry " + entry.dump());
  if (entry.value("dtype", "") != "float32") throw Error(where + ": unsupported dtype " + entry.value("dtype", "?"));
  Shape shape;
  for (const auto& d : entry["shape"]) {
    if (!d.is_number_integer()) throw Error(where + ": malformed shape " + entry["shape"].dump());
    shape.push_back(d.get<int64_t>());
  }
  if (shape != dst.shape())
    throw Error(where + ": stored shape " + to_string(shape) + " does not match the model's " +
                to_string(dst.shape()));
  const uint64_t offset = entry["offset"].get<uint64_t>();
  const uint64_t bytes = static_cast<uint64_t>(dst.size()) * 4;
  if (offset > payload_size || bytes > payload_size - offset)
    throw Error(where + ": data lies outside the file's payload");
  for (int64_t i = 0; i < dst.size(); ++i) {
    const uint32_t bits = get_le<uint32_t>(payload + offset + static_cast<uint64_t>(i) * 4);
    std::memcpy(&dst.data()[i], &bits, 4);
  }
}

}  // namespace

std::vector<uint8_t> serialize_model(Model& model, const SaveOptions& options) {
  PayloadWriter pw;
  nlohmann::json weights = nlohmann::json::array();
  for (Layer* layer : model.layers()) {
    for (const Weight* w : std::as_const(*layer).weights()) {
      nlohmann::json e = pw.add(w->value);
      e["layer"] = layer->name();
      e["name"] = w->name;
      e["trainable"] = w->trainable;
      weights.push_back(std::move(e));
    }
  }
  nlohmann::json header{{"format", "litequant.model"},
                        {"version", kModelFormatVersion},
                        {"producer", "litequant"},
                        {"model", model.to_config()},
                        {"weights", weights}};
  if (model.compiled()) {
    nlohmann::json training{{"optimizer", model.optimizer()->config()},
                            {"loss", model.loss()->config()},
                            {"metrics", model.metrics()}};
    Optimizer* opt = model.optimizer();
    if (options.include_optimizer && opt->iterations() > 0) {
      training["iterations"] = opt->iterations();
      nlohmann::json slots = nlohmann::json::array();
      for (Tensor* t : opt->slots()) slots.push_back(pw.add(*t));
      training["slots"] = slots;
    }
    header["training"] = training;
  }
  const std::string json = header.dump();
  std::vector<uint8_t> out(kMagic, kMagic + 8);
  put_le<uint32_t>(out, kModelFormatVersion);
  put_le<uint32_t>(out, static_cast<uint32_t>(json.size()));
  put_le<uint64_t>(out, pw.payload.size());
  out.insert(out.end(), json.begin(), json.end());
  out.resize(align_up(out.size()), 0);
  out.insert(out.end(), pw.payload.begin(), pw.payload.end());
  put_le<uint32_t>(out, crc32_of(out.data(), out.size()));
  return out;
}

void save_model(Model& model, const std::string& path, const SaveOptions& options) {
  const std::vector<uint8_t> bytes = serialize_model(model, options);
  write_file_atomic(path, bytes.data(), bytes.size());
}

Model deserialize_model(const std::vector<uint8_t>& bytes, const std::string& name) {
  const uint8_t* p = bytes.data();
  if (bytes.size() < 8 || std::memcmp(p, kMagic, 8) != 0)
    throw Error(name + ": not a litequant model file (bad magic; expected \"LQMODEL\")");
  if (bytes.size() < kFixedHeader + 4) throw Error(name + ": truncated (" + std::to_string(bytes.size()) + " bytes)");
  const uint32_t version = get_le<uint32_t>(p + 8);
  if (version != kModelFormatVersion)
    throw Error(name + ": format version " + std::to_string(version) + " is not supported (this build reads version " +
                std::to_string(kModelFormatVersion) + ")");
  const uint64_t header_len = get_le<uint32_t>(p + 12);
  const uint64_t payload_len = get_le<uint64_t>(p + 16);
  const uint64_t payload_at = align_up(kFixedHeader + header_len);
  if (payload_len > bytes.size() || payload_at + payload_len + 4 != bytes.size())
    throw Error(name + ": truncated or corrupt: the header announces " +
                std::to_string(payload_at + payload_len + 4) + " bytes, the file has " +
                std::to_string(bytes.size()));
  const uint32_t stored_crc = get_le<uint32_t>(p + bytes.size() - 4);
  if (crc32_of(p, bytes.size() - 4) != stored_crc) throw Error(name + ": corrupt (checksum mismatch)");

  nlohmann::json header;
  try {
    header = nlohmann::json::parse(p + kFixedHeader, p + kFixedHeader + header_len);
  } catch (const std::exception& e) {
    throw Error(name + ": corrupt header JSON: " + e.what());
  }
  if (!header.is_object() || header.value("format", "") != "litequant.model" ||
      !header.contains("model") || !header.contains("weights") || !header["weights"].is_array())
    throw Error(name + ": header is not a litequant model description");
  Model model = [&] {
    try {
      return Model::from_config(header["model"], static_cast<int64_t>(payload_len / 4));
    } catch (const Error& e) {
      throw Error(name + ": " + e.what());
    }
  }();
  const uint8_t* payload = p + payload_at;
  size_t next = 0;
  const auto& entries = header["weights"];
  for (Layer* layer : model.layers()) {
    for (Weight* w : layer->weights()) {
      const std::string where = name + ": weight " + layer->name() + "/" + w->name;
      if (next >= entries.size()) throw Error(where + " is missing");
      const auto& e = entries[next++];
      if (e.value("layer", "") != layer->name() || e.value("name", "") != w->name)
        throw Error(where + ": the manifest has " + e.value("layer", "?") + "/" + e.value("name", "?") + " here");
      read_tensor(e, payload, payload_len, w->value, where);
    }
  }
  if (next != entries.size()) throw Error(name + ": the manifest lists weights the model does not have");

  if (header.contains("training")) {
    const auto& t = header["training"];
    try {
      model.compile(optimizer_from_config(t.at("optimizer")), loss_from_config(t.at("loss")),
                    t.value("metrics", std::vector<std::string>{}));
    } catch (const Error& e) {
      throw Error(name + ": training setup: " + e.what());
    } catch (const nlohmann::json::exception& e) {
      throw Error(name + ": training setup: " + e.what());
    }
    if (t.contains("slots")) {
      Optimizer* opt = model.optimizer();
      opt->build(model.trainable_weights());
      const std::vector<Tensor*> slots = opt->slots();
      if (!t["slots"].is_array() || t["slots"].size() != slots.size())
        throw Error(name + ": optimizer state does not fit the model");
      for (size_t i = 0; i < slots.size(); ++i)
        read_tensor(t["slots"][i], payload, payload_len, *slots[i], name + ": optimizer slot " + std::to_string(i));
      if (!t.contains("iterations") || !t["iterations"].is_number_integer())
        throw Error(name + ": optimizer state without an iteration count");
      opt->set_iterations(t["iterations"].get<int64_t>());
    }
  }
  return model;
}

Model load_model(const std::string& path) { return deserialize_model(read_file(path), path); }

}  // namespace lq
