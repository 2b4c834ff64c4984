// runbook: executable incident playbooks from markdown.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string_view>

#include "cli/commands.h"
#include "cli/common.h"
#include "runbook_version.h"

namespace {

// Each register_* function adds the subcommands named beside it.
struct Registration {
  void (*add)(CLI::App&, int&);
  std::string_view names[2];
};

constexpr Registration kCommands[] = {
    {runbook::cli::register_list, {"list"}},     {runbook::cli::register_render, {"render"}},
    {runbook::cli::register_lint, {"lint"}},     {runbook::cli::register_run, {"run", "resume"}},
    {runbook::cli::register_handle, {"handle"}}, {runbook::cli::register_serve, {"serve"}},
    {runbook::cli::register_evidence, {"verify", "report"}},
};

// Building a subcommand's options costs more than parsing a small playbook, so when the first
// argument names a command only that one is built; otherwise (no command, --help, --version, a
// typo) all are, for the overview and CLI11's error messages.
void register_commands(CLI::App& app, int& exit_code, int argc, char** argv) {
  std::string_view first = argc > 1 ? argv[1] : "";
  for (const auto& r : kCommands)
    for (std::string_view name : r.names)
      if (!name.empty() && name == first) return r.add(app, exit_code);
  for (const auto& r : kCommands) r.add(app, exit_code);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"runbook: turn markdown incident playbooks into steps you can review and run"};
  app.set_version_flag("--version", std::string("runbook ") + RUNBOOK_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Exit status: 0 success, 1 lint errors, 2 bad usage, 3 unreadable or unparsable input,\n"
      "4 no playbook matches --playbook, 5 run stopped before the end, resumable (quit, or a\n"
      "headless run awaiting an operator), 6 evidence log failure (or verify: broken chain),\n"
      "7 no playbook matches an alert (handle).\n\n"
      "Examples:\n"
      "  runbook list playbooks/                      what playbooks are there, which alerts they handle\n"
      "  runbook render playbooks/db.md               dry run: steps, commands, safety, placeholders\n"
      "  runbook render doc.md --playbook 'Service Down' --format markdown\n"
      "  runbook lint playbooks/                      problems to fix before the next incident\n"
      "  runbook run playbooks/db.md --var NS=prod    walk it: run steps, answer checklists, record evidence\n"
      "  runbook resume runbook-evidence/<run>        continue after quit, Ctrl-C or a crash\n"
      "  runbook handle alert.json --playbooks dir/   an alert: its playbook's diagnostics, headless\n"
      "  runbook serve --playbooks dir/ --token-file t   take Alertmanager/Grafana/PagerDuty webhooks\n"
      "  runbook verify runbook-evidence/<run>        check the evidence log's hash chain\n"
      "  runbook report runbook-evidence/<run>        timeline and post-mortem draft\n\n"
      "Run 'runbook COMMAND --help' for a command's options.");
  int exit_code = runbook::cli::kOk;
  register_commands(app, exit_code, argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : runbook::cli::kUsage;
  }
  return exit_code;
}
