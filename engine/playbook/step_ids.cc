// Stable step ids: the slugs of the section path, then the step's position in its section.
// Editing another section never changes an id; only edits to the same section can.
#include <map>
#include <unordered_map>

#include "playbook/builder.h"
#include "util/text.h"

namespace runbook::playbook::detail {

namespace {

bool valid_explicit_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/')) return false;
  return true;
}

std::string section_path(const Playbook& pb, int section, bool skip_h1) {
  std::vector<std::string> parts;
  for (int s = section; s >= 0; s = pb.sections[s].parent) {
    const Section& sec = pb.sections[s];
    if (skip_h1 && sec.level == 1) continue;
    parts.push_back(sec.slug.empty() ? "section" : sec.slug);
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!out.empty()) out += '/';
    out += *it;
  }
  return out.empty() ? "top" : out;
}

}  // namespace

void assign_step_ids(Playbook& pb) {
  int h1 = 0;
  for (const auto& s : pb.sections) h1 += s.level == 1;
  std::map<int, int> position;  // section -> steps seen
  std::unordered_map<std::string, int> seen;
  std::vector<std::string> paths(pb.sections.size() + 1);  // by section + 1 (-1: before any heading)
  auto path_of = [&](int section) -> const std::string& {
    std::string& p = paths[static_cast<std::size_t>(section + 1)];
    if (p.empty()) p = section_path(pb, section, h1 == 1);
    return p;
  };
  for (auto& step : pb.steps) {
    int n = ++position[step.section];
    auto explicit_id = step.attributes.find("id");
    if (explicit_id != step.attributes.end()) {
      if (valid_explicit_id(explicit_id->second)) {
        step.id = explicit_id->second;
        if (seen[step.id]++)
          pb.findings.push_back({Finding::Level::Error, "duplicate-step-id",
                                 "step id \"" + step.id + "\" is declared twice", step.lines.first});
        continue;
      }
      pb.findings.push_back({Finding::Level::Error, "bad-step-id",
                             "step id \"" + explicit_id->second + "\" may only use letters, digits, - _ . /",
                             step.lines.first});
    }
    std::string id = path_of(step.section) + "/" + std::to_string(n);
    if (int count = seen[id]++; count > 0) {
      pb.findings.push_back({Finding::Level::Warning, "duplicate-step-id",
                             "two sections share the path of step id \"" + id +
                                 "\"; this one becomes \"" + id + "~" + std::to_string(count + 1) +
                                 "\" (give the sections distinct titles)",
                             step.lines.first});
      id += "~" + std::to_string(count + 1);
    }
    step.id = id;
  }
  fill_choice_steps(pb);
}

}  // namespace runbook::playbook::detail
