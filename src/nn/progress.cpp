#include "progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace lq {

std::string format_metrics(const MetricList& metrics) {
  std::string s;
  char buf[64];
  for (const auto& [name, value] : metrics) {
    std::snprintf(buf, sizeof(buf), "%.4f", value);
    s += " - " + name + ": " + buf;
  }
  return s;
}

std::string format_per_step(double sec) {
  char buf[32];
  if (sec >= 1.0) std::snprintf(buf, sizeof(buf), "%.0fs/step", sec);
  else if (sec >= 1e-3) std::snprintf(buf, sizeof(buf), "%.0fms/step", sec * 1e3);
  else std::snprintf(buf, sizeof(buf), "%.0fus/step", sec * 1e6);
  return buf;
}

bool is_terminal(const std::ostream& out) {
  if (&out == &std::cout) return isatty(STDOUT_FILENO);
  if (&out == &std::cerr) return isatty(STDERR_FILENO);
  return false;
}

ProgressBar::ProgressBar(std::ostream& out, int64_t total_steps, bool live)
    : out_(out), total_(total_steps), live_(live), start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

double ProgressBar::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string ProgressBar::bar(int64_t step) const {
  const int width = 30;
  const int done = total_ > 0 ? static_cast<int>(width * step / total_) : width;
  std::string s = std::to_string(step) + "/" + std::to_string(total_) + " [";
  for (int i = 0; i < width; ++i) {
    if (i < done - 1 || (i == done - 1 && step == total_)) s += '=';
    else if (i == done - 1 || (done == 0 && i == 0 && step < total_)) s += '>';
    else s += '.';
  }
  const int pad = static_cast<int>(std::to_string(total_).size() - std::to_string(step).size());
  return std::string(static_cast<size_t>(std::max(pad, 0)), ' ') + s + "]";
}

void ProgressBar::update(int64_t step, const MetricList& metrics) {
  if (!live_ || step >= total_) return;
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_draw_).count() < 0.05) return;
  last_draw_ = now;
  const double elapsed = elapsed_seconds();
  const double eta = step > 0 ? elapsed / static_cast<double>(step) * static_cast<double>(total_ - step) : 0.0;
  char buf[48];
  std::snprintf(buf, sizeof(buf), " - ETA: %.0fs", std::ceil(eta));
  out_ << '\r' << bar(step) << buf << format_metrics(metrics) << "\x1b[K" << std::flush;
}

void ProgressBar::finish(const MetricList& metrics) {
  const double elapsed = elapsed_seconds();
  char buf[48];
  std::snprintf(buf, sizeof(buf), " - %.0fs ", elapsed);
  if (live_) out_ << '\r';
  out_ << bar(total_) << buf << format_per_step(elapsed / static_cast<double>(std::max<int64_t>(total_, 1)))
       << format_metrics(metrics) << (live_ ? "\x1b[K" : "") << '\n'
       << std::flush;
}

}  // namespace lq
