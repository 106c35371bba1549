#include "config_reader.h"

#include "litequant/core/error.h"

namespace lq {

ConfigReader::ConfigReader(const nlohmann::json& j, std::string where) : j_(j), where_(std::move(where)) {
  if (!j_.is_object()) throw Error(where_ + "expected a JSON object, got " + j_.dump());
}

bool ConfigReader::has(const std::string& key) const { return j_.contains(key); }

void ConfigReader::fail(const std::string& key, const std::string& what) const {
  throw Error(where_ + "'" + key + "' " + what);
}

const nlohmann::json& ConfigReader::get(const std::string& key) {
  used_.insert(key);
  return j_.at(key);
}

const nlohmann::json& ConfigReader::raw(const std::string& key) {
  if (!has(key)) fail(key, "is required");
  return get(key);
}

std::string ConfigReader::string(const std::string& key, const std::string& fallback) {
  if (!has(key)) return fallback;
  const auto& v = get(key);
  if (v.is_null()) return fallback;
  if (!v.is_string()) fail(key, "must be a string, got " + v.dump());
  return v.get<std::string>();
}

std::string ConfigReader::required_string(const std::string& key) {
  if (!has(key)) fail(key, "is required");
  return string(key, "");
}

int64_t ConfigReader::integer(const std::string& key, int64_t fallback) {
  if (!has(key)) return fallback;
  const auto& v = get(key);
  if (!v.is_number_integer()) fail(key, "must be an integer, got " + v.dump());
  return v.get<int64_t>();
}

int64_t ConfigReader::required_integer(const std::string& key) {
  if (!has(key)) fail(key, "is required");
  return integer(key, 0);
}

float ConfigReader::number(const std::string& key, float fallback) {
  if (!has(key)) return fallback;
  const auto& v = get(key);
  if (!v.is_number()) fail(key, "must be a number, got " + v.dump());
  return v.get<float>();
}

bool ConfigReader::boolean(const std::string& key, bool fallback) {
  if (!has(key)) return fallback;
  const auto& v = get(key);
  if (!v.is_boolean()) fail(key, "must be true or false, got " + v.dump());
  return v.get<bool>();
}

std::array<int64_t, 2> ConfigReader::pair(const std::string& key, std::array<int64_t, 2> fallback) {
  if (!has(key)) return fallback;
  const auto& v = get(key);
  if (v.is_number_integer()) return {v.get<int64_t>(), v.get<int64_t>()};
  if (v.is_array() && v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer())
    return {v[0].get<int64_t>(), v[1].get<int64_t>()};
  fail(key, "must be an integer or a list of two integers, got " + v.dump());
}

Shape ConfigReader::shape(const std::string& key) {
  if (!has(key)) fail(key, "is required");
  const auto& v = get(key);
  if (!v.is_array() || v.empty() || v.size() > 8) fail(key, "must be a list of 1 to 8 integers, got " + v.dump());
  Shape s;
  for (const auto& d : v) {
    if (!d.is_number_integer()) fail(key, "must be a list of integers, got " + v.dump());
    s.push_back(d.get<int64_t>());
  }
  return s;
}

void ConfigReader::finish() const {
  for (auto it = j_.begin(); it != j_.end(); ++it)
    if (!used_.count(it.key())) throw Error(where_ + "unknown option '" + it.key() + "'");
}

}  // namespace lq
