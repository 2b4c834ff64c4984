#pragma once
// Each subcommand registers itself on the CLI11 app and sets the exit code when it runs.

namespace CLI {
class App;
}

namespace runbook::cli {

/// `runbook list [PATH...]`.
void register_list(CLI::App& app, int& exit_code);
/// `runbook render FILE`.
void register_render(CLI::App& app, int& exit_code);
/// `runbook lint FILE...`.
void register_lint(CLI::App& app, int& exit_code);
/// `runbook run FILE` and `runbook resume DIR`.
void register_run(CLI::App& app, int& exit_code);
/// `runbook handle ALERT --playbooks DIR`.
void register_handle(CLI::App& app, int& exit_code);
/// `runbook serve --playbooks DIR`: the alert webhook receiver.
void register_serve(CLI::App& app, int& exit_code);
/// `runbook verify DIR` and `runbook report DIR`.
void register_evidence(CLI::App& app, int& exit_code);

}  // namespace runbook::cli
