// The dry run as a pull-request review comment (GitHub-flavoured markdown): a summary table of
// the steps, then each step with its command in a fence; options are nested block quotes.

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "graph/graph_json.h"
#include "render/dry_run.h"
#include "render/formats.h"
#include "util/text.h"

namespace runbook::render {

namespace {

using playbook::StepKind;

/// Inline text with markdown syntax characters escaped and line breaks flattened.
std::string md(std::string_view text) {
  const std::string clean = util::collapse_space(sanitize(text));
  std::string out;
  for (char c : clean) {
    switch (c) {
      case '\\': case '`': case '*': case '_': case '[': case ']': case '<': case '>': case '|':
      case '#': case '~': case '&':
        out += '\\';
        out += c;
        break;
      default: out += c;
    }
  }
  return out;
}

/// The longest run of backticks in text.
std::size_t longest_ticks(std::string_view text) {
  std::size_t best = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    best = std::max(best, run);
  }
  return best;
}

/// A code span that survives any content; `in_table` escapes '|' as GFM tables require.
std::string code(std::string_view text, bool in_table = false) {
  std::string body = util::collapse_space(sanitize(text));
  if (body.empty()) return "` `";
  const std::string ticks(longest_ticks(body) + 1, '`');
  if (body.front() == '`' || body.back() == '`') body = " " + body + " ";
  if (in_table) {
    std::string escaped;
    for (char c : body) {
      if (c == '|') escaped += '\\';
      escaped += c;
    }
    body = std::move(escaped);
  }
  return ticks + body + ticks;
}

/// "🛑 **DESTRUCTIVE**", "⚠️ mutating", "✅ read-only".
std::string badge(safety::Level level) {
  switch (level) {
    case safety::Level::Destructive: return "🛑 **DESTRUCTIVE**";
    case safety::Level::Mutating: return "⚠️ mutating";
    case safety::Level::ReadOnly: return "✅ read-only";
  }
  return "⚠️ mutating";
}

std::string lines_text(const playbook::LineRange& r) {
  if (r.first == r.last || r.last == 0) return std::to_string(r.first);
  return std::to_string(r.first) + "–" + std::to_string(r.last);
}

/// A fence language: letters, digits and a few marks only.
std::string fence_language(std::string_view lang) {
  std::string out;
  for (char c : lang)
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '_' || c == '.') out += c;
  return out;
}

class MarkdownWriter {
 public:
  MarkdownWriter(const playbook::Playbook& pb, const graph::StepGraph& graph, const Options& options)
      : pb_(pb), graph_(graph), options_(options) {}

  std::string run() {
    header();
    table();
    details();
    return out_;
  }

 private:
  void header() {
    const Summary summary = summarize(pb_, options_);
    out_ += "## Dry run: " + md(pb_.title) + "\n\n";
    std::string where = "Nothing was executed. Source: " + code(pb_.path);
    if (pb_.range.first > 0) where += ", lines " + lines_text(pb_.range);
    if (pb_.embedded) where += " (embedded playbook)";
    out_ += "> " + where + ".\n\n";

    out_ += "| | |\n|---|---|\n";
    const std::string sev = severity_text(pb_);
    out_ += "| **Severity** | " + (sev.empty() ? std::string("not stated") : md(sev)) + " |\n";
    for (const auto& m : pb_.metadata) out_ += "| **" + md(m.key) + "** | " + md(m.value) + " |\n";
    if (!pb_.alerts.empty()) {
      std::vector<std::string> names;
      for (const auto& a : pb_.alerts) names.push_back(code(a.name, true));
      out_ += "| **Alerts** | " + util::join(names, ", ") + " |\n";
    }
    out_ += "| **Steps** | " + kind_counts(summary) + " |\n";
    std::vector<std::string> levels;
    for (auto level : {safety::Level::Destructive, safety::Level::Mutating, safety::Level::ReadOnly}) {
      const int n = summary.by_safety[static_cast<std::size_t>(level)];
      if (n > 0) levels.push_back(std::to_string(n) + " × " + badge(level));
    }
    out_ += "| **Safety** | " + (levels.empty() ? std::string("no commands") : util::join(levels, " · ")) + " |\n\n";

    if (!summary.unresolved.empty()) {
      std::vector<std::string> names;
      for (const auto* v : summary.unresolved) names.push_back("**" + code(v->written) + "**");
      out_ += "> [!WARNING]\n> **Unresolved variables (" + std::to_string(summary.unresolved.size()) +
              "):** " + util::join(names, ", ") + "\n\n";
    }
    if (summary.by_safety[static_cast<std::size_t>(safety::Level::Destructive)] > 0)
      out_ += "> [!CAUTION]\n> This playbook has **destructive** steps, marked 🛑 below.\n\n";
    if (!pb_.findings.empty()) {
      out_ += "**Findings**\n\n";
      for (const auto& f : pb_.findings)
        out_ += "- " + std::string(f.level == playbook::Finding::Level::Error ? "❌ error" : "⚠️ warning") + " line " +
                std::to_string(f.line) + " " + code(f.code) + ": " + md(f.message) + "\n";
      out_ += "\n";
    }
  }

  void table() {
    out_ += "### Steps\n\n| # | Step | Kind | Safety | Lines | Section |\n|--:|---|---|---|---|---|\n";
    int number = 0;
    for (const auto& e : graph_.outline()) {
      if (e.kind != graph::OutlineEntry::Kind::Step) continue;
      const auto& s = pb_.steps[static_cast<std::size_t>(e.step)];
      std::string indent;
      for (int d = 0; d < e.depth; ++d) indent += "↳ ";
      const auto path = graph::section_path(pb_, s.section);
      out_ += "| " + std::to_string(++number) + " | " + indent + code(s.id, true) + " | " + playbook::kind_name(s.kind) +
              " | " + (s.kind == StepKind::Command ? badge(s.safety.level) : std::string("—")) + " | " +
              lines_text(s.lines) + " | " + (path.empty() ? std::string("—") : md(path.back())) + " |\n";
    }
    if (number == 0) out_ += "| — | *no steps* | | | | |\n";
    out_ += "\n";
  }

  void details() {
    out_ += "### Details\n\n";
    const auto& outline = graph_.outline();
    int number = 0;
    for (std::size_t i = 0; i < outline.size(); ++i) {
      const auto& e = outline[i];
      std::vector<std::string> lines;
      int depth = e.depth;
      switch (e.kind) {
        case graph::OutlineEntry::Kind::Step:
          step_lines(e.step, ++number, lines);
          break;
        case graph::OutlineEntry::Kind::Option: {
          lines.push_back("**↳ " + md(e.label) + "** · option of " +
                          code(pb_.steps[static_cast<std::size_t>(e.step)].id));
          const bool empty = i + 1 >= outline.size() || outline[i + 1].kind != graph::OutlineEntry::Kind::Step ||
                             outline[i + 1].depth != e.depth + 1;
          if (empty) lines.push_back("*(no steps)*");
          break;
        }
        case graph::OutlineEntry::Kind::Join:
          lines.push_back("*⤶ The options of " + code(pb_.steps[static_cast<std::size_t>(e.step)].id) + " join here.*");
          break;
      }
      emit(lines, depth);
    }
  }

  /// Writes lines inside `depth` block quotes, then a blank (quoted) line.
  void emit(const std::vector<std::string>& lines, int depth) {
    std::string prefix;
    for (int d = 0; d < depth; ++d) prefix += "> ";
    std::string bare = prefix;
    while (!bare.empty() && bare.back() == ' ') bare.pop_back();
    if (depth < last_depth_) out_ += "\n";  // leave the deeper quote for good
    last_depth_ = depth;
    for (const auto& l : lines) out_ += (l.empty() ? bare : prefix + l) + "\n";
    out_ += bare + "\n";
  }

  void step_lines(int index, int number, std::vector<std::string>& lines) {
    const auto& s = pb_.steps[static_cast<std::size_t>(index)];
    const FilledStep filled = fill_step(s, options_, FillParts::No);
    std::string head = "#### " + std::to_string(number) + ". " + code(s.id) + " · " + playbook::kind_name(s.kind);
    if (s.kind == StepKind::Command) head += " · " + badge(s.safety.level);
    lines.push_back(head);
    lines.emplace_back();
    std::vector<std::string> where;
    const auto path = graph::section_path(pb_, s.section);
    if (!path.empty()) {
      std::vector<std::string> titles;
      for (const auto& t : path) titles.push_back(md(t));
      where.push_back("*Section:* " + util::join(titles, " › "));
    }
    where.push_back("*Lines:* " + lines_text(s.lines));
    if (!s.language.empty()) where.push_back("*Language:* " + code(s.language));
    if (!s.inferred_because.empty()) where.push_back("*Inferred:* " + md(s.inferred_because));
    lines.push_back(util::join(where, " · "));
    lines.emplace_back();

    if (s.kind == StepKind::Command && !s.parts.empty()) {
      for (const auto& part : s.parts) {
        std::string l = "- " + badge(part.safety.level) + " " + code(part.safety.rule.empty() ? "unclassified" : part.safety.rule);
        if (!part.safety.reason.empty()) l += ": " + md(part.safety.reason);
        l += " *(line " + lines_text(part.lines) + ")*";
        lines.push_back(l);
      }
      lines.emplace_back();
    }

    const std::string body = plain(filled.body);
    if (s.kind == StepKind::Checklist) {
      lines.push_back(std::string("- [") + (s.checked ? "x" : " ") + "] " + md(body));
      for (const auto& h : s.hints) lines.push_back("  - " + md(h));
    } else if (s.kind == StepKind::Decision) {
      if (!s.question.empty()) lines.push_back("**" + md(s.question) + "**");
      if (!body.empty() && s.body != s.question) lines.push_back(md(body));
      lines.emplace_back();
      for (const auto& c : s.choices) {
        std::string l = "- " + md(c.label);
        if (!c.step_ids.empty()) {
          std::vector<std::string> ids;
          for (const auto& id : c.step_ids) ids.push_back(code(id));
          l += " → " + util::join(ids, ", ");
        }
        lines.push_back(l);
      }
    } else {
      const std::string clean = sanitize(body);
      const std::string fence(std::max<std::size_t>(3, longest_ticks(clean) + 1), '`');
      lines.push_back(fence + fence_language(s.language));
      for (auto l : util::split_lines(clean)) lines.emplace_back(l);
      lines.push_back(fence);
    }
    if (!filled.unresolved.empty()) {
      lines.emplace_back();
      lines.push_back("**Unresolved:**");
      for (const auto* v : filled.unresolved) {
        std::string l = "- **" + code(v->written) + "**";
        if (v->secret) l += " (secret)";
        lines.push_back(l);
      }
    }
  }

  const playbook::Playbook& pb_;
  const graph::StepGraph& graph_;
  const Options& options_;
  std::string out_;
  int last_depth_ = 0;
};

}  // namespace

std::string render_markdown(const playbook::Playbook& playbook, const graph::StepGraph& graph, const Options& options) {
  return MarkdownWriter(playbook, graph, options).run();
}

}  // namespace runbook::render
