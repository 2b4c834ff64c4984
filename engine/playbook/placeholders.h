#pragma once
// Finding the values a step needs, and filling them in.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "playbook/model.h"

namespace runbook::playbook {

/// Variables a step's text needs. `interpreter` and `kind` choose the syntaxes looked for:
///  - every kind: `<pod-name>` (not heredoc `<<EOF`, not HTML tags, not `<` redirects),
///    `${VAR}`, `{{var}}`;
///  - shell commands: `$VAR` too, minus special/positional parameters, `$( )`, `$(( ))`, and the
///    names the block assigns or loops over (see shell::assigned_names), and well-known
///    environment variables (HOME, PATH, USER, ...);
///  - templates, checklists and decisions: `[Name]` too (not markdown links `[x](y)`, not `[ ]`).
/// `first_line` is the file line of the text's first line. Each name is reported once, in order
/// of first appearance.
std::vector<Variable> find_variables(std::string_view text, StepKind kind, Interpreter interpreter,
                                     int first_line);

/// True when a variable name looks like it holds a secret (PASSWORD, TOKEN, SECRET, KEY, ...).
bool looks_secret(std::string_view name);

/// The canonical binding key for a name: upper-case, with '-', '.', ' ', '/' turned into '_'.
std::string binding_key(std::string_view name);

/// A second key a variable binds by, or "" when none: for a mustache path such as
/// `{{ .Labels.pod }}` (name "Labels.pod", key "LABELS_POD") the last segment's key, "POD", so
/// alert labels bind it. fill() uses the key first, then this alias.
std::string alias_key(const Variable& var);

/// Values bound to binding keys.
using Bindings = std::map<std::string, std::string>;

/// How a bound value is written into text.
enum class FillMode {
  ShellQuoted,  ///< commands: each value becomes one shell-quoted word (injection-proof)
  Literal,      ///< templates and prose: the value as is
};

/// Replaces each of `vars` that has a value in `bindings` (by key) with that value; unbound ones
/// are left as written. `$VAR`/`${VAR}` in ShellQuoted mode are replaced by the quoted value too.
std::string fill(std::string_view text, const std::vector<Variable>& vars, const Bindings& bindings,
                 FillMode mode);

}  // namespace runbook::playbook
