#pragma once
// What the subcommands share: exit codes, loading and selecting playbooks, --var parsing.

#include <string>
#include <vector>

#include "playbook/loader.h"
#include "playbook/placeholders.h"
#include "safety/classifier.h"

namespace runbook::cli {

/// Exit codes scripts can rely on (documented in `runbook --help`).
enum Exit : int {
  kOk = 0,
  kFindings = 1,      ///< lint found errors
  kUsage = 2,         ///< bad command line
  kInputError = 3,    ///< a file could not be read or parsed
  kNotFound = 4,      ///< --playbook matched nothing
  kIncomplete = 5,    ///< run/resume: the operator quit or input ended before the end; resumable
  kRunFailed = 6,     ///< run/resume: the evidence log could not be written (or verify: it is broken)
};

/// Options every command that reads playbooks accepts.
struct InputOptions {
  std::vector<std::string> rule_files;  ///< --rules FILE (repeatable)
  std::size_t max_bytes = 32u << 20;    ///< --max-bytes
};

/// The classifier for these options; prints an error and returns nullptr on bad rule files.
const safety::Classifier* make_classifier(const InputOptions& options);

/// Loads a file's playbooks, printing "file:line: error" to stderr on failure.
bool load(const std::string& path, const InputOptions& options, const safety::Classifier* classifier,
          std::vector<playbook::Playbook>& out);

/// The playbook titled `title` (exact, then case-insensitive, then unique substring); prints
/// the candidates on failure. Empty title: the first playbook of the file.
const playbook::Playbook* select(const std::vector<playbook::Playbook>& playbooks, const std::string& title);

/// Parses `k=v` pairs into bindings keyed by playbook::binding_key(k); false and a message on error.
bool parse_vars(const std::vector<std::string>& pairs, playbook::Bindings& out);

/// Expands directories into the markdown files below them (sorted); files are kept as given.
std::vector<std::string> expand_paths(const std::vector<std::string>& paths);

}  // namespace runbook::cli
