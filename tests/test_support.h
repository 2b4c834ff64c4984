#pragma once
// Shared helpers for the doctest suites: paths to fixtures and the built binary.

#include <cstdlib>
#include <filesystem>
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

}  // namespace runbook::testing
