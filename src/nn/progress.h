#pragma once
// Keras-style progress output:
//   1875/1875 [==============================] - 2s 1ms/step - loss: 0.4961 - accuracy: 0.8268
// Live (redrawn with '\r', with ETA) only when the stream is a terminal; otherwise one
// final line.
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace lq {

using MetricList = std::vector<std::pair<std::string, double>>;

class ProgressBar {
 public:
  ProgressBar(std::ostream& out, int64_t total_steps, bool live);
  void update(int64_t step, const MetricList& metrics);
  // Prints the final line with all metrics (including validation ones).
  void finish(const MetricList& metrics);
  double elapsed_seconds() const;

 private:
  std::string bar(int64_t step) const;
  std::ostream& out_;
  int64_t total_;
  bool live_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

std::string format_metrics(const MetricList& metrics);
// "1ms/step", "620us/step", "2s/step".
std::string format_per_step(double seconds_per_step);
// True when `out` is std::cout or std::cerr attached to a terminal.
bool is_terminal(const std::ostream& out);

}  // namespace lq
