#pragma once
// Every failure litequant reports to a user is an lq::Error whose message names the
// file, layer or argument at fault and what is wrong with it.
#include <stdexcept>
#include <string>

namespace lq {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace lq
