#include "lint/lint.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "playbook/front_matter.h"
#include "util/text.h"

namespace runbook::lint {

namespace {

using playbook::Finding;
using playbook::Playbook;
using playbook::Step;
using playbook::StepKind;

void unresolved(const Playbook& pb, const Step& s, const playbook::Bindings& known,
                const playbook::Bindings& defaults, std::vector<Diagnostic>& out) {
  if (s.kind == StepKind::Snippet) return;
  for (const auto& v : s.variables) {
    if (known.count(v.key) || v.has_default || defaults.count(v.key)) continue;
    // Templates are filled by the operator at send time; their blanks are notes, not problems.
    if (s.kind == StepKind::Template) continue;
    out.push_back({Severity::Warning, "unresolved-placeholder", pb.path, v.line,
                   "step " + s.id + " needs " + v.written + " (bind it with --var " + v.key +
                       "=VALUE or a front matter default)",
                   s.id, pb.title});
  }
}

void dangerous(const Playbook& pb, const Step& s, std::vector<Diagnostic>& out) {
  if (s.kind != StepKind::Command) return;
  for (const auto& p : s.parts) {
    if (p.safety.level != safety::Level::Destructive) continue;
    std::string first_line = std::string(util::trim(p.text.substr(0, p.text.find('\n'))));
    out.push_back({Severity::Warning, "destructive-command", pb.path, p.lines.first,
                   "destructive command `" + first_line + "`: " + p.safety.reason + " [rule " + p.safety.rule + "]",
                   s.id, pb.title});
  }
}

}  // namespace

std::vector<Diagnostic> lint_playbook(const Playbook& pb, const playbook::Bindings& known) {
  std::vector<Diagnostic> out;
  for (const Finding& f : pb.findings)
    out.push_back({f.level == Finding::Level::Error ? Severity::Error : Severity::Warning, f.code, pb.path, f.line,
                   f.message, "", pb.title});
  const playbook::Bindings defaults = playbook::front_matter_defaults(pb.front_matter);
  for (const Step& s : pb.steps) {
    unresolved(pb, s, known, defaults, out);
    dangerous(pb, s, out);
  }
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
  return out;
}

void deduplicate(std::vector<Diagnostic>& diagnostics) {
  std::set<std::tuple<std::string, int, std::string, std::string>> seen;
  std::vector<Diagnostic> kept;
  for (auto& d : diagnostics)
    if (seen.insert({d.file, d.line, d.code, d.message}).second) kept.push_back(std::move(d));
  diagnostics = std::move(kept);
}

std::string format_text(const Diagnostic& d, const std::vector<std::string>* source_lines, bool color) {
  const char* word = d.severity == Severity::Error ? "error" : "warning";
  std::string out = d.file + ":" + std::to_string(d.line) + ": ";
  if (color) out += d.severity == Severity::Error ? "\x1b[1;31m" : "\x1b[1;33m";
  out += word;
  if (color) out += "\x1b[0m";
  out += ": " + d.message + " [" + d.code + "]\n";
  if (source_lines && d.line >= 1 && static_cast<std::size_t>(d.line) <= source_lines->size()) {
    std::string src = (*source_lines)[static_cast<std::size_t>(d.line - 1)];
    if (src.size() > 160) src = src.substr(0, 157) + "...";
    out += "    " + std::to_string(d.line) + " | " + src + "\n";
  }
  return out;
}

nlohmann::ordered_json to_json(const Diagnostic& d) {
  nlohmann::ordered_json j;
  j["file"] = d.file;
  j["line"] = d.line;
  j["severity"] = d.severity == Severity::Error ? "error" : "warning";
  j["code"] = d.code;
  j["message"] = d.message;
  j["step"] = d.step_id.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(d.step_id);
  j["playbook"] = d.playbook;
  return j;
}

}  // namespace runbook::lint
