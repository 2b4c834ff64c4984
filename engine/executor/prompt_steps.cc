// Steps that ask rather than run: checklist items, decisions, message templates and snippets.
#include <ostream>

#include "executor/session_impl.h"
#include "render/dry_run.h"
#include "util/text.h"

namespace runbook::executor {

using render::Style;

namespace {

/// Options every asking step shares after its own.
void add_common(std::vector<Option>& options) {
  options.insert(options.end(), {{'n', "note", "[n]ote"}, {'b', "back", "[b]ack"}, {'j', "jump", "[j]ump"},
                                 {'q', "quit", "[q]uit"}});
}

std::string prompt_of(const std::vector<Option>& options) {
  std::string p = "   ";
  for (const auto& o : options) p += o.help + " ";
  return p + "> ";
}

}  // namespace

bool Session::Impl::common_answer(int pos, const playbook::Step& step, const std::string& answer, Flow& flow,
                                  bool& stay) {
  stay = false;
  if (answer == "quit") { flow = Flow::quit(); return true; }
  if (answer == "back") { flow = Flow::back(); return true; }
  if (answer == "jump") {
    flow = jump_from(pos);
    stay = flow.kind == Flow::Kind::Next && flow.next == pos;
    return true;
  }
  if (answer == "note") {
    flow = note_on(step);
    stay = flow.kind == Flow::Kind::Next;
    return true;
  }
  return false;
}

Flow Session::Impl::checklist_step(int pos, const playbook::Step& step) {
  const std::string text = playbook::fill(step.body, step.variables, values, playbook::FillMode::Literal);
  out << "\n   " << (step.checked ? "[x] " : "[ ] ") << render::sanitize(text) << "\n";
  for (const auto& h : step.hints) out << "       " << style("· " + render::sanitize(h), Style::Dim) << "\n";
  if (step.checked) out << "   " << style("(checked in the playbook itself)", Style::Dim) << "\n";
  std::vector<Option> options = {{'d', "done", "[d]one"}, {'x', "not-done", "not done [x]"}, {'a', "n/a", "n/[a]"}};
  add_common(options);
  for (;;) {
    auto a = ask(Question{Ask::Check, step.id, "", prompt_of(options), options, "", false});
    if (!a) return Flow::quit();
    Flow flow;
    bool stay = false;
    if (common_answer(pos, step, a->value, flow, stay)) {
      if (stay) continue;
      return flow;
    }
    ++tally.checked;
    if (!record("checklist", {{"step", step.id}, {"item", text}, {"state", a->value},
                              {"next", step_ref(walker.after(pos))}}))
      return Flow::failed();
    return Flow::to(walker.after(pos));
  }
}

Flow Session::Impl::decision_step(int pos, const playbook::Step& step) {
  const std::string question = step.question.empty() ? step.body : step.question;
  out << "\n   " << style("Decision: ", Style::Bold) << render::sanitize(util::collapse_space(question)) << "\n";
  std::vector<Option> options;
  for (std::size_t i = 0; i < step.choices.size(); ++i) {
    const auto& c = step.choices[i];
    const std::string n = std::to_string(i + 1);
    out << "     " << style(n + ")", Style::Bold) << " " << render::sanitize(c.label) << "\n";
    if (!c.detail.empty()) out << "        " << style(render::first_line(render::sanitize(c.detail), 100), Style::Dim) << "\n";
    options.push_back(Option{i < 9 ? static_cast<char>('1' + i) : '\0', n, ""});
  }
  options.push_back({'s', "skip", "[s]kip"});
  add_common(options);
  std::string prompt = "   choose 1";
  if (step.choices.size() > 1) prompt += "-" + std::to_string(step.choices.size());
  prompt += ", [s]kip, [n]ote, [b]ack, [j]ump, [q]uit > ";
  for (;;) {
    auto a = ask(Question{Ask::Choose, step.id, "", prompt, options, "", false});
    if (!a) return Flow::quit();
    Flow flow;
    bool stay = false;
    if (common_answer(pos, step, a->value, flow, stay)) {
      if (stay) continue;
      return flow;
    }
    if (a->value == "skip") {
      ++tally.skipped;
      const int next = walker.after(pos);
      if (!record("step_skipped", {{"step", step.id}, {"next", step_ref(next)}})) return Flow::failed();
      return Flow::to(next);
    }
    const int k = std::stoi(a->value) - 1;
    auto reason = ask(Question{Ask::Reason, step.id, "", "   why (optional): ", {}, "", false});
    if (!reason) return Flow::quit();
    const int next = walker.branches(pos) ? walker.after_choice(pos, k) : walker.after(pos);
    ++tally.decided;
    if (!record("decision", {{"step", step.id}, {"question", util::collapse_space(question)},
                             {"choice", k + 1}, {"label", step.choices[static_cast<std::size_t>(k)].label},
                             {"reason", reason->value}, {"next", step_ref(next)}}))
      return Flow::failed();
    return Flow::to(next);
  }
}

Flow Session::Impl::template_step(int pos, const playbook::Step& step) {
  const std::string text = playbook::fill(step.body, step.variables, values, playbook::FillMode::Literal);
  nlohmann::json unresolved = nlohmann::json::array();
  for (const auto& v : step.variables)
    if (!values.count(v.key) && !v.has_default) unresolved.push_back(v.written);
  out << "\n   " << style("Message ready to paste:", Style::Bold) << "\n\n" << render::sanitize(text);
  if (!text.empty() && text.back() != '\n') out << "\n";
  out << "\n";
  if (!unresolved.empty()) out << "   " << style("still to fill in by hand: " + util::join(unresolved.get<std::vector<std::string>>(), ", "), Style::Dim) << "\n";
  if (!acknowledge(pos, step)) return last_flow;
  ++tally.templates;
  if (!record("template", {{"step", step.id}, {"text", text}, {"unresolved", unresolved},
                           {"next", step_ref(walker.after(pos))}}))
    return Flow::failed();
  return Flow::to(walker.after(pos));
}

Flow Session::Impl::snippet_step(int pos, const playbook::Step& step) {
  out << "\n";
  const std::string body = render::sanitize(step.body);
  for (auto line : util::split_lines(body)) out << "   " << style("│ ", Style::Dim) << line << "\n";
  out << "   " << style("(" + (step.language.empty() ? std::string("text") : step.language) +
                         " snippet: shown for reference, not run)", Style::Dim) << "\n";
  if (!acknowledge(pos, step)) return last_flow;
  if (!record("snippet_shown", {{"step", step.id}, {"next", step_ref(walker.after(pos))}})) return Flow::failed();
  return Flow::to(walker.after(pos));
}

bool Session::Impl::acknowledge(int pos, const playbook::Step& step) {
  std::vector<Option> options = {{'c', "continue", "[c]ontinue"}};
  add_common(options);
  for (;;) {
    auto a = ask(Question{Ask::Action, step.id, "", prompt_of(options), options, "continue", false});
    if (!a) {
      last_flow = Flow::quit();
      return false;
    }
    bool stay = false;
    if (common_answer(pos, step, a->value, last_flow, stay)) {
      if (stay) continue;
      return false;
    }
    return true;
  }
}

}  // namespace runbook::executor
