#pragma once
// Saving and loading trained models: the .lqm format, version 1 (docs/MODEL_FORMAT.md).
//
//   bytes 0..7    magic "LQMODEL\0"
//   bytes 8..11   format version, uint32 little-endian (1)
//   bytes 12..15  header length H, uint32 LE
//   bytes 16..23  payload length P, uint64 LE
//   then H bytes of JSON header, zero padding to a multiple of 64, P payload bytes
//   (float32 LE tensors, each starting at a multiple of 64 within the payload), and a
//   uint32 LE CRC-32 (zlib) of every byte before it.
//
// The header holds the architecture (Model::to_config), a manifest of every weight
// (layer, name, shape, offset) and, optionally, the training setup and optimizer state.
#include <string>

#include "litequant/nn/model.h"

namespace lq {

inline constexpr uint32_t kModelFormatVersion = 1;

struct SaveOptions {
  bool include_optimizer = true;  // optimizer slots and step count, to resume training
};

// Atomic: writes a temporary file and renames it.
void save_model(Model& model, const std::string& path, const SaveOptions& options = {});
// Returns a model compiled as when it was saved (when the file has a training setup).
// Throws lq::Error naming `path` on a truncated, corrupt or inconsistent file.
Model load_model(const std::string& path);

// The same, on bytes in memory; `name` is used in error messages.
std::vector<uint8_t> serialize_model(Model& model, const SaveOptions& options = {});
Model deserialize_model(const std::vector<uint8_t>& bytes, const std::string& name);

}  // namespace lq
