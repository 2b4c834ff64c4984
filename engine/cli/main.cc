// runbook: executable incident playbooks from markdown.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "runbook_version.h"

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
  runbook::cli::register_list(app, exit_code);
  runbook::cli::register_render(app, exit_code);
  runbook::cli::register_lint(app, exit_code);
  runbook::cli::register_run(app, exit_code);
  runbook::cli::register_handle(app, exit_code);
  runbook::cli::register_serve(app, exit_code);
  runbook::cli::register_evidence(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : runbook::cli::kUsage;
  }
  return exit_code;
}
