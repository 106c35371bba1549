// libFuzzer target: reader + allocate_tensors + invoke on arbitrary bytes. Every input
// must end in a clean lq::Error or a successful run: never a crash, a hang or an
// unbounded allocation (the arena is capped at 64 MiB here).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "litequant/core/error.h"
#include "litequant/runtime/interpreter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  try {
    lq::runtime::Interpreter it = lq::runtime::Interpreter::from_bytes(
        std::move(bytes), "fuzz.tflite", {.num_threads = 1, .max_arena_bytes = size_t{64} << 20});
    it.allocate_tensors();
    for (const auto& in : it.get_input_details()) {
      auto b = it.tensor_bytes(in.index);
      std::vector<uint8_t> fill(b.size(), 0x3c);
      it.set_tensor(in.index, fill.data(), fill.size(), in.dtype);
    }
    it.invoke();
    for (const auto& out : it.get_output_details()) (void)it.tensor_bytes(out.index);
  } catch (const lq::Error&) {
  }
  return 0;
}
