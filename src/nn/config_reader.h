#pragma once
// Strict reading of one JSON object (a layer config, a spec): typed getters with
// defaults, and finish() rejects keys nobody asked for, so typos are errors.
#include <array>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "litequant/core/shape.h"

namespace lq {

class ConfigReader {
 public:
  // `where` prefixes every error, e.g. "model.json: layer 3 (conv2d): ".
  ConfigReader(const nlohmann::json& j, std::string where);
  bool has(const std::string& key) const;
  std::string string(const std::string& key, const std::string& fallback);
  std::string required_string(const std::string& key);
  int64_t integer(const std::string& key, int64_t fallback);
  int64_t required_integer(const std::string& key);
  float number(const std::string& key, float fallback);
  bool boolean(const std::string& key, bool fallback);
  // An integer n (meaning {n, n}) or a list of two integers.
  std::array<int64_t, 2> pair(const std::string& key, std::array<int64_t, 2> fallback);
  Shape shape(const std::string& key);  // a list of integers (required)
  const nlohmann::json& raw(const std::string& key);  // marks the key as used
  void ignore(const std::string& key) { used_.insert(key); }
  void finish() const;
  const std::string& where() const { return where_; }

 private:
  const nlohmann::json& get(const std::string& key);
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;
  const nlohmann::json& j_;
  std::string where_;
  std::set<std::string> used_;
};

}  // namespace lq
