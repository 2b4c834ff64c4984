#pragma once
// Hand-built playbooks for the graph and render tests: no parser involved.

#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "playbook/model.h"

namespace runbook::testing {

/// Builds a Playbook step by step; each step takes the next few lines of an imaginary file.
class PlaybookBuilder {
 public:
  explicit PlaybookBuilder(std::string title = "Test Playbook") {
    pb.title = std::move(title);
    pb.path = "playbooks/test.md";
    pb.title_line = 1;
    pb.range = {1, 200};
    section(pb.title, 1);
  }

  /// Adds a heading; later steps belong to it. Returns its index.
  int section(const std::string& title, int level, int parent = -1) {
    playbook::Section s;
    s.title = title;
    s.level = level;
    s.line = next_line_++;
    s.slug = title;
    s.parent = parent < 0 && !pb.sections.empty() && level > 1 ? 0 : parent;
    const int index = static_cast<int>(pb.sections.size());
    if (s.parent >= 0) pb.sections[static_cast<std::size_t>(s.parent)].children.push_back(index);
    pb.sections.push_back(s);
    section_ = index;
    return index;
  }

  /// A shell command step; each non-empty line of the body is one part with the given verdict.
  playbook::Step& command(const std::string& id, const std::string& body,
                          safety::Level level = safety::Level::ReadOnly, const std::string& rule = "test.rule",
                          const std::string& reason = "a test verdict") {
    playbook::Step& s = add(id, playbook::StepKind::Command, body);
    s.info = "bash";
    s.language = "bash";
    s.interpreter = playbook::Interpreter::Shell;
    int line = s.lines.first + 1;
    std::size_t at = 0;
    while (at <= body.size()) {
      std::size_t nl = body.find('\n', at);
      if (nl == std::string::npos) nl = body.size();
      const std::string text = body.substr(at, nl - at);
      if (!text.empty()) {
        playbook::CommandPart p;
        p.text = text;
        p.lines = {line, line};
        p.safety = safety::Verdict{level, rule, reason, text};
        s.parts.push_back(p);
      }
      ++line;
      at = nl + 1;
    }
    s.safety = safety::Verdict{level, rule, reason, body};
    return s;
  }

  /// A fenced block that is not run.
  playbook::Step& snippet(const std::string& id, const std::string& body) {
    playbook::Step& s = add(id, playbook::StepKind::Snippet, body);
    s.info = "text";
    s.language = "text";
    return s;
  }

  /// A message template.
  playbook::Step& templ(const std::string& id, const std::string& body) {
    return add(id, playbook::StepKind::Template, body);
  }

  /// A checklist item.
  playbook::Step& checklist(const std::string& id, const std::string& text, std::vector<std::string> hints = {},
                            bool checked = false) {
    playbook::Step& s = add(id, playbook::StepKind::Checklist, text);
    s.hints = std::move(hints);
    s.checked = checked;
    return s;
  }

  /// An Options decision: one choice per (label, step ids).
  playbook::Step& options(const std::string& id,
                          const std::vector<std::pair<std::string, std::vector<std::string>>>& choices) {
    playbook::Step& s = add(id, playbook::StepKind::Decision, "Choose an option");
    s.form = playbook::DecisionForm::Options;
    s.question = "Which option?";
    for (const auto& [label, ids] : choices) {
      playbook::Choice c;
      c.label = label;
      c.step_ids = ids;
      c.line = s.lines.first;
      s.choices.push_back(c);
    }
    return s;
  }

  /// A question or conditional decision.
  playbook::Step& question(const std::string& id, const std::string& q, std::vector<std::string> labels,
                           playbook::DecisionForm form = playbook::DecisionForm::Questions) {
    playbook::Step& s = add(id, playbook::StepKind::Decision, q);
    s.form = form;
    s.question = q;
    for (auto& l : labels) {
      playbook::Choice c;
      c.label = std::move(l);
      s.choices.push_back(c);
    }
    return s;
  }

  /// Adds a variable to the step: `written` as it appears in the body, `name` inside the markers.
  static playbook::Variable& var(playbook::Step& step, const std::string& written, const std::string& name,
                                 playbook::VarSyntax syntax = playbook::VarSyntax::Angle, bool secret = false,
                                 bool has_default = false) {
    playbook::Variable v;
    v.name = name;
    v.written = written;
    for (char c : name) v.key += (c == '-' || c == '.' || c == ' ' || c == '/') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    v.syntax = syntax;
    v.secret = secret;
    v.has_default = has_default;
    v.line = step.lines.first + 1;
    step.variables.push_back(v);
    return step.variables.back();
  }

  playbook::Playbook pb;

 private:
  playbook::Step& add(const std::string& id, playbook::StepKind kind, const std::string& body) {
    playbook::Step s;
    s.id = id;
    s.kind = kind;
    s.body = body;
    s.section = section_;
    int lines = 1;
    for (char c : body) lines += c == '\n';
    s.lines = {next_line_, next_line_ + lines + (kind == playbook::StepKind::Command ? 1 : 0)};
    next_line_ = s.lines.last + 2;
    pb.steps.push_back(s);
    return pb.steps.back();
  }

  int next_line_ = 3;
  int section_ = -1;
};

}  // namespace runbook::testing
