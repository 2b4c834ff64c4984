// The terminal dry run: a header, then every step in graph order, options indented.

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "graph/graph_json.h"
#include "render/dry_run.h"
#include "render/formats.h"
#include "render/terminal.h"
#include "util/text.h"

namespace runbook::render {

namespace {

using playbook::StepKind;

Style level_style(safety::Level level) {
  switch (level) {
    case safety::Level::Destructive: return Style::Red;
    case safety::Level::Mutating: return Style::Orange;
    case safety::Level::ReadOnly: return Style::Green;
  }
  return Style::Orange;
}

/// "!! DESTRUCTIVE", "mutating", "read-only", styled.
std::string level_badge(safety::Level level, bool color) {
  const std::string word = level == safety::Level::Destructive ? "!! DESTRUCTIVE" : safety::level_name(level);
  return styled(word, level_style(level), color);
}

std::string lines_text(const playbook::LineRange& r) {
  if (r.first == r.last || r.last == 0) return "line " + std::to_string(r.first);
  return "lines " + std::to_string(r.first) + "-" + std::to_string(r.last);
}

class TextWriter {
 public:
  TextWriter(const playbook::Playbook& pb, const graph::StepGraph& graph, const Options& options)
      : pb_(pb), graph_(graph), options_(options), color_(options.color) {}

  std::string run() {
    header();
    const auto& outline = graph_.outline();
    int number = 0;
    for (std::size_t i = 0; i < outline.size(); ++i) {
      const auto& e = outline[i];
      const std::string ind(static_cast<std::size_t>(e.depth) * 4, ' ');
      switch (e.kind) {
        case graph::OutlineEntry::Kind::Step:
          step(e.step, ++number, ind);
          break;
        case graph::OutlineEntry::Kind::Option: {
          out_ += ind + "  " + styled("+ " + sanitize(e.label), Style::Cyan, color_) + "\n";
          const bool empty = i + 1 >= outline.size() || outline[i + 1].kind != graph::OutlineEntry::Kind::Step ||
                             outline[i + 1].depth != e.depth + 1;
          if (empty) out_ += ind + "      " + styled("(no steps)", Style::Dim, color_) + "\n";
          break;
        }
        case graph::OutlineEntry::Kind::Join:
          out_ += ind + "  " +
                  styled("= options of " + sanitize(pb_.steps[static_cast<std::size_t>(e.step)].id) + " join", Style::Dim, color_) +
                  "\n";
          break;
      }
    }
    if (pb_.steps.empty()) out_ += "No steps.\n";
    return out_;
  }

 private:
  void field(const std::string& key, const std::string& value) {
    std::string k = sanitize(key);
    if (k.size() < width_) k.resize(width_, ' ');
    out_ += styled(k, Style::Bold, color_) + " " + value + "\n";
  }

  void header() {
    const Summary summary = summarize(pb_, options_);
    width_ = 10;
    for (const auto& m : pb_.metadata) width_ = std::max(width_, std::min<std::size_t>(m.key.size(), 24));
    out_ += styled("DRY RUN: nothing is executed.", Style::Bold, color_) + "\n";
    field("Playbook", sanitize(pb_.title));
    std::string file = sanitize(pb_.path);
    if (pb_.range.first > 0) file += ", " + lines_text(pb_.range);
    if (pb_.embedded) file += " (embedded)";
    field("File", file);
    const std::string sev = severity_text(pb_);
    field("Severity", sev.empty() ? "not stated" : sanitize(sev));
    for (const auto& m : pb_.metadata) field(m.key, sanitize(m.value));
    if (!pb_.alerts.empty()) {
      std::vector<std::string> names;
      for (const auto& a : pb_.alerts) names.push_back(sanitize(a.name));
      field("Alerts", util::join(names, ", "));
    }
    field("Steps", kind_counts(summary));
    std::vector<std::string> levels;
    for (auto level : {safety::Level::Destructive, safety::Level::Mutating, safety::Level::ReadOnly}) {
      const int n = summary.by_safety[static_cast<std::size_t>(level)];
      if (n > 0) levels.push_back(styled(std::to_string(n) + " " + safety::level_name(level), level_style(level), color_));
    }
    field("Safety", levels.empty() ? "no commands" : util::join(levels, ", "));
    std::vector<std::string> unresolved;
    for (const auto* v : summary.unresolved) unresolved.push_back(styled(sanitize(v->written), Style::Unresolved, color_));
    field("Unresolved", unresolved.empty() ? "none" : util::join(unresolved, ", "));
    for (const auto& f : pb_.findings)
      field("Finding", std::string(f.level == playbook::Finding::Level::Error ? "error" : "warning") + " line " +
                           std::to_string(f.line) + " [" + sanitize(f.code) + "] " + sanitize(f.message));
    out_ += "\n";
  }

  void step(int index, int number, const std::string& ind) {
    const auto& s = pb_.steps[static_cast<std::size_t>(index)];
    const FilledStep filled = fill_step(s, options_, FillParts::No);
    const std::string pad = ind + "    ";
    std::string head = ind + styled("[" + std::to_string(number) + "]", Style::Bold, color_) + " " +
                       styled(sanitize(s.id), Style::Bold, color_) + "  " + playbook::kind_name(s.kind);
    if (s.kind == StepKind::Command) head += "  " + level_badge(s.safety.level, color_);
    head += "  " + lines_text(s.lines);
    out_ += head + "\n";
    const auto path = graph::section_path(pb_, s.section);
    if (!path.empty()) out_ += pad + "section: " + sanitize(util::join(path, " > ")) + "\n";
    if (!s.language.empty() || s.interpreter != playbook::Interpreter::None) {
      std::string lang = "language: " + (s.language.empty() ? std::string("(none)") : sanitize(s.language));
      if (s.interpreter != playbook::Interpreter::None) lang += ", runs with " + std::string(playbook::interpreter_name(s.interpreter));
      if (!s.inferred_because.empty()) lang += " (inferred: " + sanitize(s.inferred_because) + ")";
      out_ += pad + lang + "\n";
    }
    if (!s.embedded_title.empty()) out_ += pad + "embedded playbook: " + sanitize(s.embedded_title) + "\n";

    if (s.kind == StepKind::Command) {
      for (const auto& part : s.parts) {
        std::string line = pad + level_badge(part.safety.level, color_) + " " + sanitize(part.safety.rule);
        if (!part.safety.reason.empty()) line += ": " + sanitize(part.safety.reason);
        line += " (" + lines_text(part.lines);
        if (!part.safety.subject.empty() && part.safety.subject != part.text)
          line += ": " + sanitize(first_line(part.safety.subject, 60));
        out_ += line + ")\n";
      }
    }
    if (s.kind == StepKind::Checklist) {
      out_ += pad + (s.checked ? "[x] " : "[ ] ") + body_text(filled, pad + "    ");
      for (const auto& h : s.hints) out_ += pad + "    - " + sanitize(h) + "\n";
    } else if (s.kind == StepKind::Decision) {
      if (!s.question.empty()) out_ += pad + "? " + sanitize(s.question) + "\n";
      if (!s.body.empty() && s.body != s.question) out_ += pad + body_text(filled, pad);
      out_ += pad + "form: " + playbook::decision_form_name(s.form) + "\n";
      for (const auto& c : s.choices) {
        std::string line = pad + "-> " + sanitize(c.label);
        if (!c.step_ids.empty()) {
          std::vector<std::string> ids;
          for (const auto& id : c.step_ids) ids.push_back(sanitize(id));
          line += "  [" + util::join(ids, ", ") + "]";
        }
        out_ += line + "\n";
        if (!c.detail.empty()) out_ += pad + "   " + sanitize(first_line(c.detail, 100)) + "\n";
      }
    } else {
      // Fenced code: every line behind a gutter so the command stands out.
      std::string body;
      for (const auto& p : filled.body)
        body += p.unresolved ? styled(sanitize(p.text), Style::Unresolved, color_) : sanitize(p.text);
      while (!body.empty() && body.back() == '\n') body.pop_back();
      for (auto line : util::split_lines(body)) out_ += pad + styled("|", Style::Dim, color_) + " " + std::string(line) + "\n";
    }
    if (!filled.unresolved.empty()) {
      std::vector<std::string> names;
      for (const auto* v : filled.unresolved) names.push_back(styled(sanitize(v->written), Style::Unresolved, color_));
      out_ += pad + "unresolved: " + util::join(names, ", ") + "\n";
    }
    out_ += "\n";
  }

  /// A one-or-more-line item text, continuation lines indented.
  std::string body_text(const FilledStep& filled, const std::string& cont) {
    std::string body;
    for (const auto& p : filled.body)
      body += p.unresolved ? styled(sanitize(p.text), Style::Unresolved, color_) : sanitize(p.text);
    std::string out;
    bool first = true;
    for (auto line : util::split_lines(body)) {
      out += (first ? "" : cont) + std::string(line) + "\n";
      first = false;
    }
    return out.empty() ? "\n" : out;
  }

  const playbook::Playbook& pb_;
  const graph::StepGraph& graph_;
  const Options& options_;
  bool color_;
  std::size_t width_ = 10;
  std::string out_;
};

}  // namespace

std::string render_text(const playbook::Playbook& playbook, const graph::StepGraph& graph, const Options& options) {
  return TextWriter(playbook, graph, options).run();
}

}  // namespace runbook::render
