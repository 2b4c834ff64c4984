#pragma once
// What the end-to-end suites share: files written and read back, a run's evidence records, a
// port to try.

#include <doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "evidence/log.h"

namespace runbook::testing {

/// Writes `text` to `path`, creating the directories above it.
inline void write_file(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

/// The whole file ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The records of an evidence directory; fails the test when the log cannot be read.
inline std::vector<nlohmann::json> records_in(const std::string& dir) {
  auto read = evidence::read_log(dir);
  REQUIRE_MESSAGE(read.ok(), (read.ok() ? "" : read.error().describe()));
  return read->records;
}

/// The records of one type, in order.
inline std::vector<nlohmann::json> of_type(const std::vector<nlohmann::json>& records, const std::string& type) {
  std::vector<nlohmann::json> out;
  for (const auto& r : records)
    if (r.value("type", "") == type) out.push_back(r);
  return out;
}

/// A port in 20000-39999 to try (the caller copes with it being taken).
inline int free_port() {
  std::random_device rd;
  return 20000 + static_cast<int>(rd() % 20000);
}

}  // namespace runbook::testing
