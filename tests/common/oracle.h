#pragma once
// Test helpers for conformance with the real TensorFlow Lite runtime (../shared/oracle).
// LQ_TFLITE_ORACLE names a set-up copy of the oracle directory (scripts/test.sh sets it up
// and exports it); without it the conformance tests skip with a message.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace lq::test {

inline std::string oracle_dir() {
  const char* d = std::getenv("LQ_TFLITE_ORACLE");
  return d ? d : "";
}

#define LQ_REQUIRE_ORACLE()                                                                 \
  do {                                                                                      \
    if (::lq::test::oracle_dir().empty())                                                   \
      GTEST_SKIP() << "LQ_TFLITE_ORACLE not set: conformance with real TFLite not checked"; \
    ASSERT_TRUE(std::filesystem::exists(std::filesystem::path(::lq::test::oracle_dir()) / "oracle.sh")) \
        << "LQ_TFLITE_ORACLE=" << ::lq::test::oracle_dir() << " holds no oracle.sh";        \
  } while (0)

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

struct ShellResult {
  int status = -1;
  std::string output;  // stdout + stderr
};

inline ShellResult shell(const std::string& command) {
  ShellResult r;
  std::FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// Runs oracle.sh [--batch] MODEL INPUT OUT_DIR.
inline ShellResult run_oracle(const std::string& model, const std::string& input, const std::string& out_dir,
                              bool batch) {
  return shell(shell_quote(oracle_dir() + "/oracle.sh") + (batch ? " --batch " : " ") + shell_quote(model) + " " +
               shell_quote(input) + " " + shell_quote(out_dir));
}

}  // namespace lq::test
