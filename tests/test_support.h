#pragma once
// Shared helpers for the doctest suites: paths to fixtures and the built binary.

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace runbook::testing {

/// The repository root (set by meson as RUNBOOK_SOURCE_ROOT).
inline std::filesystem::path source_root() {
  const char* v = std::getenv("RUNBOOK_SOURCE_ROOT");
  return v ? v : ".";
}

/// ../shared/playbooks (set by meson as RUNBOOK_SHARED_PLAYBOOKS).
inline std::filesystem::path shared_playbooks() {
  const char* v = std::getenv("RUNBOOK_SHARED_PLAYBOOKS");
  return v ? v : "../shared/playbooks";
}

/// The built `runbook` executable (set by meson as RUNBOOK_BIN).
inline std::string runbook_bin() {
  const char* v = std::getenv("RUNBOOK_BIN");
  return v ? v : "runbook";
}

/// A fresh, empty directory under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "test") {
    std::string pattern = (std::filesystem::temp_directory_path() / ("runbook-" + tag + "-XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  /// A path inside the directory (that need not exist yet).
  std::string sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace runbook::testing
