#pragma once
// What litequant knows about each builtin op it names (tflite::Op): which Options
// alternative it carries in memory, which BuiltinOptions union member holds that in a
// file, and how many inputs and outputs it takes. Shared by the validator, the writer
// and the reader so that the three agree.
#include <cstddef>
#include <cstdint>
#include <string>

#include "litequant/tflite/model.h"

namespace lq::tflite {

struct OpTraits {
  size_t options_index;  // Options::index() the op carries (0 = std::monostate)
  uint8_t union_type;    // BuiltinOptions member in a file (0 = NONE)
  int min_inputs, max_inputs;
  // The one input that may be -1 (absent), or -1 for none. TFLite 2.12 accepts a -1
  // bias for FULLY_CONNECTED only; CONV_2D and DEPTHWISE_CONV_2D omit it (2 inputs)
  // and fail to prepare with -1 ("Tensor at index 2 was optional but was expected").
  int optional_input;
  int outputs;
};

// nullptr for ops litequant does not know (they are still read; they carry no options).
const OpTraits* op_traits(int32_t builtin_code);

// "Conv2DOptions", ..., "no options" (monostate), by Options::index().
std::string options_name(size_t options_index);

// Options::index() of alternative T.
template <class T, class V = Options>
struct OptionsIndex;
template <class T, class... Ts>
struct OptionsIndex<T, std::variant<Ts...>> {
  static constexpr size_t value = [] {
    size_t i = 0;
    bool found = false;
    ((found = found || std::is_same_v<T, Ts>, i += found ? 0 : 1), ...);
    return i;
  }();
};
template <class T>
inline constexpr size_t options_index_of = OptionsIndex<T>::value;

}  // namespace lq::tflite
