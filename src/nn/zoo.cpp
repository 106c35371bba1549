#include "litequant/nn/zoo.h"

#include "litequant/core/error.h"
#include "litequant/nn/layers.h"

namespace lq::zoo {
using namespace lq::layers;

Model cnn(const Shape& input, int64_t classes) {
  if (input.size() != 2 && input.size() != 3)
    throw Error("cnn needs image input (height, width[, channels]), got " + to_string(input));
  const int64_t channels = input.size() == 3 ? input[2] : 1;
  return Sequential({InputLayer(input), Reshape({input[0], input[1], channels}),
                     Conv2D(12, {3, 3}, {.activation = "relu"}), MaxPooling2D({2, 2}), Flatten(),
                     Dense(classes)});
}

Model mlp(const Shape& input, int64_t classes) {
  return Sequential({InputLayer(input), Flatten(), Dense(128, "relu"), Dense(classes)});
}

Model convnet(const Shape& input, int64_t classes) {
  if (input.size() != 3) throw Error("convnet needs image input (height, width, channels), got " + to_string(input));
  const Conv2DOptions same{.padding = "same", .activation = "relu"};
  return Sequential({InputLayer(input), Conv2D(32, {3, 3}, same), Conv2D(64, {3, 3}, same), MaxPooling2D({2, 2}),
                     Conv2D(64, {3, 3}, same), Conv2D(128, {3, 3}, same), MaxPooling2D({2, 2}), Flatten(),
                     Dense(classes)});
}

Model by_name(const std::string& name, const Shape& input, int64_t classes) {
  if (name == "cnn") return cnn(input, classes);
  if (name == "mlp") return mlp(input, classes);
  if (name == "convnet") return convnet(input, classes);
  throw Error("unknown built-in model '" + name + "' (built-in: cnn, mlp, convnet; or give a .json spec)");
}

std::vector<std::string> names() { return {"cnn", "mlp", "convnet"}; }

}  // namespace lq::zoo
