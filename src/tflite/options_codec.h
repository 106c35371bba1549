#pragma once
// Operator options between the in-memory Options variant and the BuiltinOptions union
// of a flatbuffer.
#include <cstdint>
#include <string>

#include "fb.h"
#include "litequant/tflite/model.h"

namespace lq::tflite {

struct WrittenOptions {
  fb::BuiltinOptions type = fb::BuiltinOptions::NONE;
  flatbuffers::Offset<void> table;
};

// The table for op.options. The union member follows the alternative held (so that a
// mismatched model can be written for tests); ActivationOptions becomes MulOptions for
// MUL and AddOptions otherwise; monostate becomes the op's empty options table
// (PadOptions, QuantizeOptions, DequantizeOptions) like TFLite's converter writes, or
// NONE.
WrittenOptions write_options(flatbuffers::FlatBufferBuilder& fbb, const Operator& op);

// Options of an operator read from a file, for builtin code `code`. Ops litequant does
// not know get monostate. A missing table reads as the schema defaults (what an empty
// table holds, e.g. stride 0, SoftmaxOptions beta 0: TFLite reads it so). Throws
// lq::Error("<where>: ...") for a union member that does not belong to the op or values
// that cannot be represented (FULLY_CONNECTED weights_format other than DEFAULT).
// Values are checked by validate().
Options read_options(const fb::Operator& op, int32_t code, const std::string& where);

}  // namespace lq::tflite
