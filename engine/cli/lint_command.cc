#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "cli/common.h"
#include "lint/lint.h"
#include "render/terminal.h"
#include "util/text.h"

namespace runbook::cli {

namespace {

struct LintArgs {
  std::vector<std::string> files;
  bool json = false;
  std::vector<std::string> vars;
  InputOptions input;
};

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

int run(const LintArgs& args) {
  playbook::Bindings known;
  if (!parse_vars(args.vars, known)) return kUsage;
  const safety::Classifier* classifier = make_classifier(args.input);
  if (!classifier) return kUsage;
  std::vector<lint::Diagnostic> all;
  bool input_failed = false;
  for (const auto& file : expand_paths(args.files)) {
    std::vector<playbook::Playbook> playbooks;
    if (!load(file, args.input, classifier, playbooks)) {
      input_failed = true;
      all.push_back({lint::Severity::Error, "unreadable", file, 0, "could not be read or parsed", "", ""});
      continue;
    }
    for (const auto& pb : playbooks) {
      auto d = lint::lint_playbook(pb, known);
      all.insert(all.end(), d.begin(), d.end());
    }
  }
  lint::deduplicate(all);
  int errors = 0, warnings = 0;
  for (const auto& d : all) (d.severity == lint::Severity::Error ? errors : warnings)++;
  if (args.json) {
    nlohmann::ordered_json out;
    out["errors"] = errors;
    out["warnings"] = warnings;
    out["diagnostics"] = nlohmann::ordered_json::array();
    for (const auto& d : all) out["diagnostics"].push_back(lint::to_json(d));
    std::cout << out.dump(2) << "\n";
  } else {
    bool color = render::should_color(1);
    std::map<std::string, std::vector<std::string>> sources;
    for (const auto& d : all) {
      if (d.line > 0 && !sources.count(d.file)) sources[d.file] = read_lines(d.file);
      std::cout << lint::format_text(d, d.line > 0 ? &sources[d.file] : nullptr, color);
    }
    std::cout << errors << " error(s), " << warnings << " warning(s)\n";
  }
  if (input_failed) return kInputError;
  return errors > 0 ? kFindings : kOk;
}

}  // namespace

void register_lint(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<LintArgs>();
  CLI::App* cmd = app.add_subcommand("lint", "Check playbooks: placeholders, dangerous commands, broken fences");
  cmd->add_option("files", args->files, "Markdown files or directories")->required();
  cmd->add_flag("--json", args->json, "Print diagnostics as JSON");
  cmd->add_option("--var", args->vars, "Treat NAME as bound (NAME=VALUE); repeatable");
  cmd->add_option("--rules", args->input.rule_files, "Extra safety rule file (YAML); repeatable");
  cmd->add_option("--max-bytes", args->input.max_bytes, "Refuse files larger than this (default 32 MiB)");
  cmd->footer(
      "Reports file:line warnings (unresolved placeholders, destructive commands, empty sections,\n"
      "unknown fence languages) and errors (unterminated fences, duplicate explicit step ids,\n"
      "invalid front matter). Exit status: 0 no errors, 1 errors found, 3 a file could not be read.\n\n"
      "Examples:\n"
      "  runbook lint playbooks/\n"
      "  runbook lint --json playbook.md | jq '.diagnostics[] | select(.severity==\"error\")'");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace runbook::cli
