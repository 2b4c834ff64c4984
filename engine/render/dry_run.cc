#include "render/dry_run.h"

#include <cstddef>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "playbook/placeholders.h"
#include "util/text.h"

namespace runbook::render {

namespace {

using playbook::StepKind;
using playbook::Variable;

/// Whether the key already appears among the variables.
bool has_key(const std::vector<const Variable*>& vars, const std::string& key) {
  for (const Variable* v : vars)
    if (v->key == key) return true;
  return false;
}

/// A marker for unresolved placeholders: letters and digits only, so shell quoting leaves it
/// bare, and absent from the text and every value, so it cannot be confused with either.
std::string marker_prefix(const playbook::Step& step, const playbook::Bindings& bindings) {
  for (int salt = 0;; ++salt) {
    const std::string prefix = "RBKUNRESOLVED" + std::to_string(salt) + "X";
    bool clash = step.body.find(prefix) != std::string::npos;
    for (const auto& part : step.parts) clash = clash || part.text.find(prefix) != std::string::npos;
    for (const auto& [key, value] : bindings) clash = clash || value.find(prefix) != std::string::npos;
    if (!clash) return prefix;
  }
}

/// Cuts filled text at the markers, turning each back into the placeholder as written.
std::vector<Piece> cut_markers(const std::string& text, const std::string& prefix,
                               const std::vector<Variable>& vars) {
  std::vector<Piece> pieces;
  auto add = [&pieces](std::string s, bool unresolved) {
    if (s.empty()) return;
    if (!pieces.empty() && pieces.back().unresolved == unresolved && !unresolved)
      pieces.back().text += s;
    else
      pieces.push_back(Piece{std::move(s), unresolved});
  };
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t hit = text.find(prefix, at);
    if (hit == std::string::npos) break;
    std::size_t p = hit + prefix.size();
    std::size_t index = 0;
    std::size_t digits = 0;
    while (p < text.size() && text[p] >= '0' && text[p] <= '9' && digits < 9) {
      index = index * 10 + static_cast<std::size_t>(text[p] - '0');
      ++p;
      ++digits;
    }
    if (digits == 0 || p >= text.size() || text[p] != 'Z' || index >= vars.size()) {
      add(text.substr(at, hit + prefix.size() - at), false);
      at = hit + prefix.size();
      continue;
    }
    add(text.substr(at, hit - at), false);
    add(vars[index].written, true);
    at = p + 1;
  }
  add(text.substr(at), false);
  return pieces;
}

}  // namespace

std::string plain(const std::vector<Piece>& pieces) {
  std::string out;
  for (const auto& p : pieces) out += p.text;
  return out;
}

FilledStep fill_step(const playbook::Step& step, const Options& options, FillParts parts) {
  FilledStep filled;
  const auto mode = step.kind == StepKind::Command || step.kind == StepKind::Snippet
                        ? playbook::FillMode::ShellQuoted
                        : playbook::FillMode::Literal;
  std::set<std::string> secret_keys;
  for (const auto& v : step.variables)
    if (v.secret) secret_keys.insert(v.key);

  // Bound variables get their (possibly masked) value; unbound ones without a default get a
  // key of their own whose value is a marker, so the output can show where they remain.
  const std::string prefix = marker_prefix(step, options.vars);
  std::vector<Variable> vars = step.variables;
  playbook::Bindings bindings;
  for (std::size_t i = 0; i < vars.size(); ++i) {
    Variable& v = vars[i];
    const auto found = options.vars.find(v.key);
    if (found != options.vars.end()) {
      bindings[v.key] = secret_keys.count(v.key) && !options.show_secrets ? std::string(kSecretMask) : found->second;
      if (!has_key(filled.bound, v.key)) filled.bound.push_back(&step.variables[i]);
      continue;
    }
    if (v.has_default) continue;
    if (!has_key(filled.unresolved, v.key)) filled.unresolved.push_back(&step.variables[i]);
    v.key = "\x01unresolved\x01" + std::to_string(i);
    bindings[v.key] = prefix + std::to_string(i) + "Z";
  }

  filled.body = cut_markers(playbook::fill(step.body, vars, bindings, mode), prefix, vars);
  if (parts == FillParts::No) return filled;
  for (const auto& part : step.parts)
    filled.parts.push_back(plain(cut_markers(playbook::fill(part.text, vars, bindings, mode), prefix, vars)));
  return filled;
}

Summary summarize(const playbook::Playbook& playbook, const Options& options) {
  Summary s;
  s.steps = static_cast<int>(playbook.steps.size());
  for (const auto& step : playbook.steps) {
    ++s.by_kind[static_cast<std::size_t>(step.kind)];
    if (step.kind == StepKind::Command) ++s.by_safety[static_cast<std::size_t>(step.safety.level)];
    for (const auto& v : step.variables)
      if (!v.has_default && !options.vars.count(v.key) && !has_key(s.unresolved, v.key)) s.unresolved.push_back(&v);
  }
  return s;
}

std::string severity_text(const playbook::Playbook& playbook) {
  if (!playbook.severity) return {};
  const auto& sev = *playbook.severity;
  if (sev.name.empty() || util::iequals(sev.name, sev.label)) return sev.label.empty() ? sev.name : sev.label;
  if (sev.label.empty()) return sev.name;
  return sev.label + " (" + sev.name + ")";
}

std::string first_line(std::string_view text, std::size_t max_chars) {
  std::string line;
  for (auto l : util::split_lines(text)) {
    line = util::collapse_space(l);
    if (!line.empty()) break;
  }
  std::size_t chars = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (chars == max_chars) return line.substr(0, i) + "…";
    ++chars;
  }
  return line;
}

std::string sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char buf[16];
  std::size_t i = 0;
  while (i < text.size()) {
    // Printable ASCII, newlines and tabs (nearly all of a playbook) are copied a run at a time.
    std::size_t run = i;
    while (run < text.size()) {
      const auto r = static_cast<unsigned char>(text[run]);
      if (!((r >= 0x20 && r < 0x7F) || r == '\n' || r == '\t')) break;
      ++run;
    }
    if (run > i) {
      out.append(text.data() + i, run - i);
      i = run;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    std::size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (c > 0xF4) len = 0;
    unsigned cp = len == 2 ? c & 0x1Fu : len == 3 ? c & 0x0Fu : c & 0x07u;
    bool ok = len != 0 && i + len <= text.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if (ok && ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))))
      ok = false;
    if (!ok) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    if (cp >= 0x80 && cp <= 0x9F) {  // C1 controls
      std::snprintf(buf, sizeof buf, "\\u%04x", cp);
      out += buf;
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::string kind_counts(const Summary& summary) {
  std::string out = std::to_string(summary.steps);
  std::vector<std::string> parts;
  for (auto kind : {StepKind::Command, StepKind::Snippet, StepKind::Checklist, StepKind::Decision, StepKind::Template}) {
    const int n = summary.by_kind[static_cast<std::size_t>(kind)];
    if (n > 0) parts.push_back(std::to_string(n) + " " + playbook::kind_name(kind));
  }
  if (!parts.empty()) out += " (" + util::join(parts, ", ") + ")";
  return out;
}

}  // namespace runbook::render
