#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "render/terminal.h"
#include "util/text.h"

namespace runbook::cli {

namespace {

struct ListArgs {
  std::vector<std::string> paths;
  bool json = false;
  InputOptions input;
};

struct Counts {
  int command = 0, checklist = 0, decision = 0, tmpl = 0, snippet = 0;
};

Counts count(const playbook::Playbook& pb) {
  Counts c;
  for (const auto& s : pb.steps) {
    switch (s.kind) {
      case playbook::StepKind::Command: ++c.command; break;
      case playbook::StepKind::Checklist: ++c.checklist; break;
      case playbook::StepKind::Decision: ++c.decision; break;
      case playbook::StepKind::Template: ++c.tmpl; break;
      case playbook::StepKind::Snippet: ++c.snippet; break;
    }
  }
  return c;
}

std::string alerts_of(const playbook::Playbook& pb) {
  std::vector<std::string> names;
  for (const auto& a : pb.alerts) names.push_back(a.name);
  return util::join(names, ",");
}

nlohmann::ordered_json to_json(const playbook::Playbook& pb) {
  Counts c = count(pb);
  nlohmann::ordered_json j;
  j["file"] = pb.path;
  j["title"] = pb.title;
  j["embedded"] = pb.embedded;
  j["lines"] = {pb.range.first, pb.range.last};
  j["severity"] = pb.severity ? nlohmann::ordered_json{{"label", pb.severity->label}, {"rank", pb.severity->rank},
                                                       {"name", pb.severity->name}}
                              : nlohmann::ordered_json(nullptr);
  j["alerts"] = nlohmann::ordered_json::array();
  for (const auto& a : pb.alerts) j["alerts"].push_back(a.name);
  j["steps"] = {{"total", pb.steps.size()}, {"command", c.command},  {"checklist", c.checklist},
                {"decision", c.decision},    {"template", c.tmpl},   {"snippet", c.snippet}};
  return j;
}

std::string pad(std::string s, std::size_t width) {
  // Pads by code points so titles with UTF-8 line up.
  std::size_t cps = 0;
  for (unsigned char ch : s) cps += (ch & 0xC0) != 0x80;
  if (cps > width) {
    std::string cut;
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && ++n > width - 1) break;
      cut += s[i];
    }
    return cut + "\xE2\x80\xA6";
  }
  return s + std::string(width - cps, ' ');
}

int run(const ListArgs& args) {
  const safety::Classifier* classifier = make_classifier(args.input);
  if (!classifier) return kUsage;
  std::vector<std::string> files = expand_paths(args.paths.empty() ? std::vector<std::string>{"."} : args.paths);
  std::vector<playbook::Playbook> all;
  int status = kOk;
  for (const auto& f : files)
    if (!load(f, args.input, classifier, all)) status = kInputError;
  if (args.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& pb : all) out.push_back(to_json(pb));
    std::cout << out.dump(2) << "\n";
    return status;
  }
  bool color = render::should_color(1);
  std::cout << render::styled(pad("TITLE", 44) + "  " + pad("SEVERITY", 9) + "  " + pad("STEPS", 22) + "  " +
                                  pad("ALERTS", 28) + "  FILE",
                              render::Style::Bold, color)
            << "\n";
  for (const auto& pb : all) {
    Counts c = count(pb);
    std::string steps = std::to_string(pb.steps.size()) + " (" + std::to_string(c.command) + " cmd, " +
                        std::to_string(c.checklist) + " chk)";
    std::string file = pb.path + (pb.embedded ? ":" + std::to_string(pb.range.first) : "");
    std::cout << pad((pb.embedded ? "  \xE2\x86\xB3 " : "") + pb.title, 44) << "  "
              << pad(pb.severity ? pb.severity->label : "-", 9) << "  " << pad(steps, 22) << "  "
              << pad(pb.alerts.empty() ? "-" : alerts_of(pb), 28) << "  " << file << "\n";
  }
  if (all.empty() && status == kOk) std::cerr << "runbook: no markdown playbooks found\n";
  return status;
}

}  // namespace

void register_list(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ListArgs>();
  CLI::App* cmd = app.add_subcommand("list", "List the playbooks found in files and directories");
  cmd->add_option("paths", args->paths, "Markdown files or directories (searched recursively; default: .)");
  cmd->add_flag("--json", args->json, "Print a JSON array instead of a table");
  cmd->add_option("--rules", args->input.rule_files, "Extra safety rule file (YAML); repeatable");
  cmd->add_option("--max-bytes", args->input.max_bytes, "Refuse files larger than this (default 32 MiB)");
  cmd->footer(
      "Each file is one playbook; playbooks embedded in ```markdown fences are listed under it.\n\n"
      "Examples:\n"
      "  runbook list playbooks/\n"
      "  runbook list --json docs/oncall.md | jq '.[].title'");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace runbook::cli
