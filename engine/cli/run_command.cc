// `runbook run` and `runbook resume`: the interactive executor on the command line.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/run_support.h"
#include "evidence/log.h"
#include "executor/config.h"
#include "executor/session.h"
#include "graph/graph.h"
#include "playbook/front_matter.h"
#include "render/terminal.h"
#include "util/text.h"

namespace runbook::cli {

namespace {

struct RunArgs {
  std::string file;            // run: the playbook; resume: the evidence directory
  std::string playbook;
  std::vector<std::string> vars;
  std::string evidence;
  std::string config;
  std::string answers;
  std::string color = "auto";
  std::string cwd;
  InputOptions input;
  // run --headless
  bool headless = false;
  bool json = false;
  std::string alert;
  std::string alert_format = "auto";
  std::string policy;
};

int run_or_headless(const RunArgs& args);

/// The operator for these arguments: scripted, a terminal, or lines from a pipe.
std::unique_ptr<executor::Operator> make_operator(const RunArgs& args, exec::Interrupt& interrupt, std::string& mode) {
  if (!args.answers.empty()) {
    auto op = executor::make_scripted_operator(args.answers, std::cout);
    if (!op) {
      std::cerr << "runbook: " << op.error().describe() << "\n";
      return nullptr;
    }
    mode = "scripted";
    return std::move(op.value());
  }
  if (isatty(0)) {
    mode = "interactive";
    return executor::make_terminal_operator(0, std::cout, interrupt);
  }
  mode = "lines";
  return executor::make_line_operator(std::cin, std::cout);
}

int finish(executor::Outcome outcome, const executor::Session& session, const evidence::EvidenceLog& log) {
  const auto& t = session.tally();
  std::cout << "\nrunbook: run " << executor::outcome_name(outcome) << ": " << t.ran << " commands run ("
            << t.failed << " failed), " << t.skipped << " skipped, " << t.checked << " checklist answers, "
            << t.decided << " decisions, " << t.notes << " notes\n"
            << "runbook: evidence in " << log.dir() << " (" << log.last_seq() << " records)\n";
  if (outcome == executor::Outcome::Quit)
    std::cout << "runbook: continue with: runbook resume " << log.dir() << "\n";
  std::cout << "runbook: timeline and post-mortem draft: runbook report " << log.dir() << "\n";
  switch (outcome) {
    case executor::Outcome::Completed: return kOk;
    case executor::Outcome::Quit:
    case executor::Outcome::AwaitingOperator: return kIncomplete;
    case executor::Outcome::Failed: return kRunFailed;
  }
  return kRunFailed;
}

executor::SessionSettings settings_for(const RunArgs& args, const std::string& mode) {
  executor::SessionSettings s;
  s.mode = mode;
  s.color = args.color == "always" || (args.color == "auto" && render::should_color(1));
  s.status_line = isatty(2) && mode == "interactive";
  if (const char* e = std::getenv("VISUAL"); e && *e) s.editor = e;
  else if (const char* e2 = std::getenv("EDITOR"); e2 && *e2) s.editor = e2;
  s.cwd = args.cwd;
  return s;
}

int run(const RunArgs& args) {
  executor::RunConfig config;
  if (!load_run_config(args.config, config)) return kUsage;
  playbook::Bindings cli_vars;
  if (!parse_vars(args.vars, cli_vars)) return kUsage;
  const safety::Classifier* classifier = make_classifier(args.input);
  if (!classifier) return kUsage;
  std::vector<playbook::Playbook> playbooks;
  if (!load(args.file, args.input, classifier, playbooks)) return kInputError;
  const playbook::Playbook* pb = select(playbooks, args.playbook);
  if (!pb) return kNotFound;
  const graph::StepGraph graph = graph::StepGraph::build(*pb);

  exec::Interrupt interrupt;
  std::string mode;
  auto op = make_operator(args, interrupt, mode);
  if (!op) return kUsage;
  const std::string dir = args.evidence.empty() ? default_evidence_dir(*pb) : args.evidence;
  auto log = evidence::EvidenceLog::create(dir, evidence::Redactor());
  if (!log) {
    std::cerr << "runbook: " << log.error().describe() << "\n";
    return kInputError;
  }
  install_signal_handlers(interrupt);
  auto runner = exec::make_process_runner();
  std::cout << "runbook: running \"" << pb->title << "\" (" << pb->path << ", " << graph.outline().size()
            << " entries); evidence in " << dir << "\n";
  executor::Session session(*pb, graph, config, *classifier, *runner, *op, **log, std::cout, interrupt);
  auto settings = settings_for(args, mode);
  settings.preset = presets(*pb, config, cli_vars);
  const auto outcome = session.start(settings);
  return finish(outcome, session, **log);
}

int resume(const RunArgs& args) {
  auto read = evidence::read_log(args.file);
  if (!read) {
    std::cerr << "runbook: " << read.error().describe() << "\n";
    return kInputError;
  }
  const auto verified = evidence::verify(args.file);
  if (!verified.ok) {
    std::cerr << "runbook: " << args.file << ": the evidence log does not verify at record " << verified.broken_seq
              << " (line " << verified.broken_line << "): " << verified.reason << "\n";
    return kRunFailed;
  }
  auto point = executor::resume_point(read->records);
  if (!point) {
    std::cerr << "runbook: " << args.file << ": " << point.error().message << "\n";
    return kInputError;
  }
  const auto& started = read->records.front();
  if (point->at_end && !read->records.empty() && read->records.back().value("type", "") == "run_finished") {
    std::cout << "runbook: this run already completed; nothing to resume (runbook report " << args.file << ")\n";
    return kOk;
  }
  const std::string path = started["playbook"].value("path", "");
  const std::string title = started["playbook"].value("title", "");
  const std::string sha = started["playbook"].value("sha256", "");
  executor::RunConfig config;
  const std::string config_path = !args.config.empty() ? args.config : started.value("config", "");
  if (!load_run_config(config_path, config)) return kUsage;
  playbook::Bindings cli_vars;
  if (!parse_vars(args.vars, cli_vars)) return kUsage;
  const safety::Classifier* classifier = make_classifier(args.input);
  if (!classifier) return kUsage;
  std::vector<playbook::Playbook> playbooks;
  if (!load(path, args.input, classifier, playbooks)) return kInputError;
  const playbook::Playbook* pb = select(playbooks, title);
  if (!pb) return kNotFound;
  if (pb->source_sha256 != sha)
    std::cerr << "runbook: warning: " << path << " changed since the run started (SHA-256 differs); "
              << "steps are matched by id\n";
  const graph::StepGraph graph = graph::StepGraph::build(*pb);

  exec::Interrupt interrupt;
  std::string mode;
  auto op = make_operator(args, interrupt, mode);
  if (!op) return kUsage;
  auto log = evidence::EvidenceLog::reopen(args.file, evidence::Redactor());
  if (!log) {
    std::cerr << "runbook: " << log.error().describe() << "\n";
    return kRunFailed;
  }
  if (read->torn_tail)
    std::cerr << "runbook: the log ended in a torn record (a crash mid-write); it was kept in "
              << args.file << "/evidence.jsonl.torn\n";
  install_signal_handlers(interrupt);
  auto runner = exec::make_process_runner();
  std::cout << "runbook: resuming \"" << pb->title << "\" at "
            << (point->next_step.empty() ? std::string("the first step") : point->next_step) << "\n";
  executor::Session session(*pb, graph, config, *classifier, *runner, *op, **log, std::cout, interrupt);
  auto settings = settings_for(args, mode);
  for (const auto& [k, v] : cli_vars) settings.preset[k] = {v, "cli"};
  const auto outcome = session.resume(*point, settings);
  return finish(outcome, session, **log);
}

int run_or_headless(const RunArgs& args) {
  if (!args.headless) {
    if (!args.alert.empty() || !args.policy.empty() || args.json) {
      std::cerr << "runbook: --alert, --policy and --json are for --headless runs\n";
      return kUsage;
    }
    return run(args);
  }
  if (!args.answers.empty()) {
    std::cerr << "runbook: --answers is for interactive runs; a headless run asks nothing\n";
    return kUsage;
  }
  HeadlessArgs h;
  h.file = args.file;
  h.playbook = args.playbook;
  h.alert = args.alert;
  h.alert_format = args.alert_format;
  h.policy = args.policy;
  h.config = args.config;
  h.evidence = args.evidence;
  h.cwd = args.cwd;
  h.vars = args.vars;
  h.rule_files = args.input.rule_files;
  h.max_bytes = args.input.max_bytes;
  h.json = args.json;
  return run_headless(h);
}

void add_common_run_options(CLI::App* cmd, RunArgs& args) {
  cmd->add_option("--var", args.vars, "Bind a variable: NAME=VALUE; repeatable (asked for otherwise)");
  cmd->add_option("--config", args.config, "Run configuration (YAML): timeouts, SQL targets, Prometheus, redaction");
  cmd->add_option("--answers", args.answers, "Answer prompts from a YAML answers file (drills, tests)");
  cmd->add_option("--color", args.color, "auto (default), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_option("--cwd", args.cwd, "Run commands in this directory (default: the current one)");
  cmd->add_option("--rules", args.input.rule_files, "Extra safety rule file (YAML); repeatable");
}

}  // namespace

void register_run(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Walk a playbook step by step, run what you choose, record evidence");
  cmd->add_option("file", args->file, "The playbook markdown file")->required();
  cmd->add_option("-p,--playbook", args->playbook, "Title of a playbook embedded in the file");
  cmd->add_option("--evidence", args->evidence,
                  "Evidence directory to create (default: runbook-evidence/<UTC time>-<title>)");
  add_common_run_options(cmd, *args);
  cmd->add_option("--max-bytes", args->input.max_bytes, "Refuse playbooks larger than this (default 32 MiB)");
  cmd->footer(
      "Each step shows where you are, the playbook's clock, the prose around it, the command with\n"
      "values filled in and its safety class. Keys: [r]un [s]kip s[t]ep-through [e]dit [n]ote [b]ack\n"
      "[j]ump [q]uit. Mutating commands need 'y'; destructive ones need the confirmation word typed.\n"
      "Ctrl-C stops the running command (its whole process group), not runbook; at a prompt it asks\n"
      "whether to quit. Values are passed as single shell-quoted words and as environment variables.\n"
      "With stdin not a terminal, answers are read a line at a time; --answers scripts them.\n\n"
      "--headless runs without a person (see docs/headless.md): read-only diagnostics only unless the\n"
      "policy and the playbook both allow more; progress goes to stderr, the summary to stdout.\n\n"
      "Exit status: 0 completed, 5 stopped before the end (quit, or headless: awaiting an operator;\n"
      "resumable), 6 evidence log failure, 2 bad usage, 3 unreadable input, 4 no matching playbook.\n\n"
      "Examples:\n"
      "  runbook run examples/service-down/playbook.md --config examples/service-down/runbook.yaml\n"
      "  runbook run db.md --headless --alert alert.json --policy policy.yaml --json\n"
      "  runbook run db.md --var NAMESPACE=prod --evidence /var/lib/runbook/INC-1234\n"
      "  runbook run drill.md --answers drill-answers.yaml");
  cmd->add_flag("--headless", args->headless,
                "No person: run the read-only diagnostics the policy allows, stop at the first decision or\n"
                "step that needs a person (awaiting an operator), print a summary");
  cmd->add_option("--alert", args->alert, "Headless: the alert that triggered the run (JSON file); its labels fill placeholders");
  cmd->add_option("--alert-format", args->alert_format, "Headless: auto (default), alertmanager, grafana, pagerduty, labels")
      ->check(CLI::IsMember({"auto", "alertmanager", "grafana", "pagerduty", "labels"}));
  cmd->add_option("--policy", args->policy, "Headless: the policy file (YAML); default: read-only steps only");
  cmd->add_flag("--json", args->json, "Headless: print the summary as JSON (markdown otherwise)");
  cmd->callback([args, &exit_code] { exit_code = run_or_headless(*args); });

  auto rargs = std::make_shared<RunArgs>();
  CLI::App* res = app.add_subcommand("resume", "Continue a run after quit, Ctrl-C, a crash or kill -9");
  res->add_option("dir", rargs->file, "The run's evidence directory")->required();
  add_common_run_options(res, *rargs);
  res->footer(
      "Verifies the evidence log, then continues at the first step not finished, with the values\n"
      "and answers recorded so far (secret values are asked again: they were never written).\n"
      "The config recorded at the start is used unless --config is given.\n\n"
      "Examples:\n"
      "  runbook resume runbook-evidence/20261124T035810Z-orders-api-down");
  res->callback([rargs, &exit_code] { exit_code = resume(*rargs); });
}

}  // namespace runbook::cli
