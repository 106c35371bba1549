#pragma once
// The flatc-generated code of schema/tflite_subset.fbs (namespace ::tflite), reachable
// inside lq::tflite as fb:: (lq::tflite::Model and ::tflite::Model are different types).
#include <flatbuffers/flatbuffers.h>

#include "tflite_subset_generated.h"

namespace lq::tflite {
namespace fb = ::tflite;
}  // namespace lq::tflite
