// Sibling "Option N: ..." sections become one choose-one decision step.
#include <cctype>
#include <set>

#include "playbook/builder.h"
#include "util/text.h"

namespace runbook::playbook::detail {

namespace {

// "Option 1: Rollback", "Option B - Restart", "Alternative 2", "Approach 3." -> true.
bool is_option_title(std::string_view title) {
  title = util::trim(title);
  std::size_t n = 0;
  for (const char* word : {"option ", "alternative ", "approach "})
    if (util::istarts_with(title, word)) n = std::string_view(word).size();
  if (n == 0) return false;
  std::string_view rest = title.substr(n);
  std::size_t i = 0;
  while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i;
  if (i == 0 && !rest.empty() && std::isupper(static_cast<unsigned char>(rest[0]))) i = 1;
  if (i == 0) return false;
  return i == rest.size() || rest[i] == ':' || rest[i] == ' ' || rest[i] == '.' || rest[i] == ')' || rest[i] == '-';
}

void subtree(const Playbook& pb, int section, std::set<int>& out) {
  out.insert(section);
  for (int c : pb.sections[section].children) subtree(pb, c, out);
}

struct Group {
  int parent;
  std::vector<int> options;  // section indices
};

std::vector<Group> find_groups(const Playbook& pb) {
  std::vector<Group> groups;
  auto scan = [&](int parent, const std::vector<int>& siblings) {
    Group g{parent, {}};
    for (int s : siblings) {
      if (is_option_title(pb.sections[s].title)) {
        g.options.push_back(s);
        continue;
      }
      if (g.options.size() >= 2) groups.push_back(g);
      g.options.clear();
    }
    if (g.options.size() >= 2) groups.push_back(g);
  };
  std::vector<int> top;
  for (std::size_t i = 0; i < pb.sections.size(); ++i)
    if (pb.sections[i].parent < 0) top.push_back(static_cast<int>(i));
  scan(-1, top);
  for (std::size_t i = 0; i < pb.sections.size(); ++i) scan(static_cast<int>(i), pb.sections[i].children);
  return groups;
}

}  // namespace

void add_option_decisions(Playbook& pb) {
  auto groups = find_groups(pb);
  // Insert from the last group backwards so earlier insertion points stay valid.
  for (auto g = groups.rbegin(); g != groups.rend(); ++g) {
    Step d;
    d.kind = StepKind::Decision;
    d.form = DecisionForm::Options;
    d.section = g->parent;
    const Section& first = pb.sections[g->options.front()];
    const Section& last = pb.sections[g->options.back()];
    d.lines = {first.line, last.line};
    d.question = g->parent >= 0 ? pb.sections[g->parent].title : pb.title;
    for (int opt : g->options) {
      Choice c;
      c.label = pb.sections[opt].title;
      c.section = opt;
      c.line = pb.sections[opt].line;
      d.choices.push_back(std::move(c));
      if (!d.body.empty()) d.body += '\n';
      d.body += pb.sections[opt].title;
    }
    std::size_t at = 0;
    while (at < pb.steps.size() && pb.steps[at].lines.first < first.line) ++at;
    pb.steps.insert(pb.steps.begin() + static_cast<long>(at), std::move(d));
  }
}

void fill_choice_steps(Playbook& pb) {
  for (auto& step : pb.steps) {
    if (step.kind != StepKind::Decision || step.form != DecisionForm::Options) continue;
    for (auto& choice : step.choices) {
      if (choice.section < 0) continue;
      std::set<int> sections;
      subtree(pb, choice.section, sections);
      choice.step_ids.clear();
      for (const auto& s : pb.steps)
        if (s.section >= 0 && sections.count(s.section) && &s != &step) choice.step_ids.push_back(s.id);
    }
  }
}

}  // namespace runbook::playbook::detail
