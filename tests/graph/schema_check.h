#pragma once
// Validating JSON text against schemas/playbook-graph.schema.json with the same python validator
// the shell test uses (tests/graph/validate_json.py, Debian's python3-jsonschema).

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "test_support.h"

namespace runbook::testing {

/// Whether /usr/bin/python3 can import jsonschema.
inline bool have_jsonschema() {
  static const bool ok = std::system("/usr/bin/python3 -c 'import jsonschema' >/dev/null 2>&1") == 0;
  return ok;
}

/// Writes `json` to a temporary file and validates it; true when valid. Errors go to stdout
/// unless `quiet` (for documents expected to fail).
inline bool matches_schema(const std::string& json, bool quiet = false) {
  static int counter = 0;
  const auto file = std::filesystem::temp_directory_path() /
                    ("runbook-schema-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".json");
  {
    std::ofstream out(file, std::ios::binary);
    out << json;
  }
  const auto root = source_root();
  const std::string cmd = "/usr/bin/python3 '" + (root / "tests/graph/validate_json.py").string() + "' '" +
                          (root / "schemas/playbook-graph.schema.json").string() + "' '" + file.string() + "'" +
                          (quiet ? " >/dev/null" : "");
  const int status = std::system(cmd.c_str());
  std::filesystem::remove(file);
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace runbook::testing
