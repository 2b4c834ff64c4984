#pragma once
// Lint: what a reviewer should fix in a playbook before it is needed at 3 a.m.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "playbook/model.h"
#include "playbook/placeholders.h"

namespace runbook::lint {

/// How bad a diagnostic is. Errors make `runbook lint` exit 1.
enum class Severity { Warning, Error };

/// One lint message about a place in a file.
struct Diagnostic {
  Severity severity = Severity::Warning;
  std::string code;     ///< stable id: "unresolved-placeholder", "destructive-command", ...
  std::string file;
  int line = 0;
  std::string message;
  std::string step_id;  ///< the step concerned, if any
  std::string playbook; ///< title of the playbook it was found in
};

/// All diagnostics for one playbook, ordered by line. Variables bound in `known` (by binding
/// key) or given a default in front matter `variables:` are not reported as unresolved.
std::vector<Diagnostic> lint_playbook(const playbook::Playbook& playbook, const playbook::Bindings& known = {});

/// Removes diagnostics reported twice (the same code and line from a file and its embedded playbooks).
void deduplicate(std::vector<Diagnostic>& diagnostics);

/// "file:line: error: message [code]" followed by the source line when `source` is given.
std::string format_text(const Diagnostic& d, const std::vector<std::string>* source_lines, bool color);

/// The diagnostic as JSON.
nlohmann::ordered_json to_json(const Diagnostic& d);

}  // namespace runbook::lint
