// Model::summary — the Keras table.
#include <algorithm>
#include <ostream>

#include "model_impl.h"

namespace lq {
namespace {

std::string with_commas(int64_t v) {
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// One row: each field left-aligned in its column with at least one space before the next
// (the Keras 2.x layout); a longer field wraps onto continuation lines instead of being cut.
void print_row(std::ostream& out, const std::vector<std::string>& fields,
               const std::vector<int>& ends) {
  std::vector<std::string> rest = fields;
  bool first = true;
  while (first || std::any_of(rest.begin(), rest.end(), [](const std::string& s) { return !s.empty(); })) {
    std::string line;
    int start = 0;
    for (size_t i = 0; i < rest.size(); ++i) {
      const int width = ends[i] - start - 1;
      std::string part = rest[i].substr(0, static_cast<size_t>(std::max(width, 1)));
      rest[i] = rest[i].substr(part.size());
      line += part;
      line.resize(static_cast<size_t>(ends[i]), ' ');
      start = ends[i];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
    first = false;
  }
}

}  // namespace

void Model::summary(std::ostream& out, int line_length) const {
  const bool connected = !sequential_;
  if (line_length <= 0) line_length = connected ? 98 : 65;
  const double L = line_length;
  std::vector<int> ends = connected
      ? std::vector<int>{int(L * .33), int(L * .55), int(L * .67), line_length}
      : std::vector<int>{int(L * .45), int(L * .85), line_length};
  std::vector<std::string> header{"Layer (type)", "Output Shape", "Param #"};
  if (connected) header.push_back("Connected to");

  out << "Model: \"" << name_ << "\"\n" << std::string(static_cast<size_t>(line_length), '_') << "\n";
  print_row(out, header, ends);
  out << std::string(static_cast<size_t>(line_length), '=') << "\n";
  bool first = true;
  for (size_t i = 0; i < impl_->nodes.size(); ++i) {
    const Impl::Node& n = impl_->nodes[i];
    if (sequential_ && n.is_input) continue;
    if (!first) out << std::string(static_cast<size_t>(line_length), '_') << "\n";
    first = false;
    std::vector<std::string> row{n.layer->name() + " (" + n.layer->type() + ")",
                                 batch_shape_string(n.shape), std::to_string(n.layer->count_params())};
    if (connected) {
      std::string links;
      for (const std::string& src : inbound_layers(i)) links += (links.empty() ? "" : ", ") + src;
      links = links.empty() ? "[]" : "[" + links + "]";
      row.push_back(links);
    }
    print_row(out, row, ends);
  }
  const int64_t total = count_params(), trainable = count_trainable_params();
  out << std::string(static_cast<size_t>(line_length), '=') << "\n"
      << "Total params: " << with_commas(total) << "\n"
      << "Trainable params: " << with_commas(trainable) << "\n"
      << "Non-trainable params: " << with_commas(total - trainable) << "\n"
      << std::string(static_cast<size_t>(line_length), '_') << "\n";
}

}  // namespace lq
