#pragma once
// Helpers for the evidence tests: a temporary directory and whole-file reads and writes.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "test_support.h"

namespace runbook::testing {

/// The error of a failed result, "" when it succeeded (for REQUIRE_MESSAGE, which evaluates its
/// message also on success when doctest runs with -s).
template <typename R>
std::string why(const R& result) {
  return result.ok() ? std::string() : result.error().describe();
}


inline std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_all(const std::filesystem::path& file, const std::string& data) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << data;
}

inline void append_raw(const std::filesystem::path& file, const std::string& data) {
  std::ofstream out(file, std::ios::binary | std::ios::app);
  out << data;
}

/// The file's lines without their newlines (a last line without '\n' is included).
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

}  // namespace runbook::testing
