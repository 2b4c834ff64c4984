// `runbook run FILE --headless` and `runbook handle ALERT --playbooks DIR`: runs without a person.
// Progress goes to stderr; stdout gets only the summary (markdown, or JSON with --json), so a
// script or the server can read it whole.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "alert/bind.h"
#include "alert/route.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/run_support.h"
#include "evidence/log.h"
#include "graph/graph.h"
#include "headless/headless_run.h"
#include "headless/summary.h"

namespace runbook::cli {

namespace {

using ojson = nlohmann::ordered_json;

/// Exit status of `handle` when no playbook matches an alert.
constexpr int kNoPlaybook = 7;

/// Everything a headless run needs besides the playbook and the alert.
struct Setup {
  executor::RunConfig config;
  headless::Policy policy;
  playbook::Bindings cli_vars;
  const safety::Classifier* classifier = nullptr;
  InputOptions input;
  /// SIGTERM/SIGINT: stops the running step and every run after it (handle: every alert after it).
  mutable exec::Interrupt interrupt;
};

int prepare(const HeadlessArgs& args, Setup& setup) {
  if (!load_run_config(args.config, setup.config)) return kUsage;
  if (!args.policy.empty()) {
    auto p = headless::load_policy(args.policy);
    if (!p) {
      std::cerr << "runbook: " << p.error().describe() << "\n";
      return kUsage;
    }
    setup.policy = std::move(p.value());
  }
  if (!parse_vars(args.vars, setup.cli_vars)) return kUsage;
  setup.input.rule_files = args.rule_files;
  setup.input.max_bytes = args.max_bytes;
  setup.classifier = make_classifier(setup.input);
  if (!setup.classifier) return kUsage;
  install_signal_handlers(setup.interrupt);
  return kOk;
}

/// The alerts in a file ("-": stdin); prints the error and returns nothing on failure.
std::optional<std::vector<alert::Alert>> read_alerts(const std::string& path, const std::string& format_name) {
  std::string body;
  if (path == "-") {
    std::ostringstream text;
    text << std::cin.rdbuf();
    body = text.str();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::cerr << "runbook: " << path << ": cannot read the alert file\n";
      return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    body = text.str();
  }
  const auto format = alert::parse_format(format_name);
  auto alerts = alert::parse_alerts(body, format.value_or(alert::Format::Auto));
  if (!alerts) {
    std::cerr << "runbook: " << (path == "-" ? std::string("<stdin>") : path) << ": " << alerts.error().message << "\n";
    return std::nullopt;
  }
  return std::move(alerts.value());
}

/// The alert as the run records it (the raw payload stays out: labels and annotations say it).
nlohmann::json alert_record(const alert::Alert& a, const alert::Route* route) {
  nlohmann::json j = {{"source", a.source},       {"name", a.name},           {"status", a.status},
                      {"fingerprint", a.fingerprint}, {"labels", a.labels}, {"annotations", a.annotations},
                      {"starts_at", a.starts_at}, {"generator_url", a.generator_url}};
  if (route) j["route"] = {{"rule", route->rule}, {"why", route->why}};
  return j;
}

/// One headless run of `pb`; fills `summary` and returns the exit status.
int run_one(const playbook::Playbook& pb, const alert::Alert* alert, const alert::Route* route, const Setup& setup,
            const HeadlessArgs& args, const std::string& evidence_dir, ojson& summary) {
  const graph::StepGraph graph = graph::StepGraph::build(pb);
  auto preset = presets(pb, setup.config, {});
  if (alert) {
    std::vector<std::string> warnings;
    for (auto& [key, bound] : alert::alert_variables(*alert, pb, &warnings)) {
      // A NUL cannot be passed in an argument or the environment: it would cut the value short.
      if (bound.value.find('\0') != std::string::npos) {
        warnings.push_back("the value of " + bound.from + " holds a NUL byte; it is not used");
        continue;
      }
      preset[key] = {bound.value, "alert " + bound.from};
    }
    for (const auto& w : warnings) std::cerr << "runbook: " << pb.path << ": " << w << "\n";
  }
  for (const auto& [k, v] : setup.cli_vars) preset[k] = {v, "cli"};

  const std::string dir = !evidence_dir.empty() ? evidence_dir : default_evidence_dir(pb, args.runs_dir);
  auto runner = exec::make_process_runner();
  headless::Request request{pb,     graph, setup.config, *setup.classifier, setup.policy, std::move(preset),
                            alert ? alert_record(*alert, route) : nlohmann::json(), dir, args.cwd};
  std::cerr << "runbook: headless run of \"" << pb.title << "\" (" << pb.path << "); evidence in " << dir << "\n";
  const auto result = headless::run(request, *runner, std::cerr, setup.interrupt);
  if (!result.error.empty()) {
    std::cerr << "runbook: " << result.error << "\n";
    summary = {{"outcome", "failed"}, {"run_dir", dir}, {"error", result.error}};
    return kInputError;
  }
  auto read = evidence::read_log(dir);
  if (!read) {
    std::cerr << "runbook: " << read.error().describe() << "\n";
    summary = {{"outcome", "failed"}, {"run_dir", dir}, {"error", read.error().describe()}};
    return kRunFailed;
  }
  summary = headless::summarize(read->records, dir);
  switch (result.outcome) {
    case executor::Outcome::Completed: return kOk;
    case executor::Outcome::Quit:
    case executor::Outcome::AwaitingOperator: return kIncomplete;
    case executor::Outcome::Failed: return kRunFailed;
  }
  return kRunFailed;
}

void print(const ojson& summary, bool json) {
  if (json) {
    std::cout << summary.dump(2, ' ', false, ojson::error_handler_t::replace) << "\n";
    return;
  }
  if (summary.contains("steps")) std::cout << headless::summary_markdown(summary);
  else std::cout << "runbook: " << summary.value("outcome", "") << ": " << summary.value("error", "") << "\n";
}

/// The most telling of several exit statuses: failures first, then runs awaiting a person, then
/// alerts no playbook handles.
int worst(int a, int b) {
  for (int code : {int{kRunFailed}, int{kInputError}, int{kIncomplete}, kNoPlaybook})
    if (a == code || b == code) return code;
  return std::max(a, b);
}

int handle(const HeadlessArgs& args) {
  Setup setup;
  if (int rc = prepare(args, setup); rc != kOk) return rc;
  auto alerts = read_alerts(args.file, args.alert_format);
  if (!alerts) return kInputError;
  if (args.playbooks.empty()) {
    std::cerr << "runbook: handle needs --playbooks DIR (where to look for the alert's playbook)\n";
    return kUsage;
  }
  // Every playbook below the given paths; a file that does not load is reported and passed over.
  std::vector<std::unique_ptr<std::vector<playbook::Playbook>>> files;
  std::vector<alert::Candidate> candidates;
  for (const auto& path : expand_paths(args.playbooks)) {
    auto loaded = std::make_unique<std::vector<playbook::Playbook>>();
    if (!load(path, setup.input, setup.classifier, *loaded)) continue;
    for (const auto& pb : *loaded) candidates.push_back({path, &pb});
    files.push_back(std::move(loaded));
  }
  int firing = 0;
  for (const auto& a : *alerts) firing += !a.resolved();
  if (!args.evidence.empty() && firing > 1) {
    std::cerr << "runbook: --evidence names one run, but the payload holds " << firing
              << " firing alerts; use --runs-dir\n";
    return kUsage;
  }
  int status = kOk;
  ojson runs = ojson::array();
  for (const auto& a : *alerts) {
    const std::string name = a.name.empty() ? std::string("(unnamed alert)") : a.name;
    if (setup.interrupt.raised()) {  // SIGTERM: no new run starts
      runs.push_back({{"outcome", "not-started"}, {"alert", alert_record(a, nullptr)},
                      {"error", "stopped by a signal before this alert's run"}});
      status = worst(status, kIncomplete);
      continue;
    }
    if (a.resolved()) {
      std::cerr << "runbook: " << name << " is resolved: no run\n";
      runs.push_back({{"outcome", "resolved"}, {"alert", alert_record(a, nullptr)}});
      continue;
    }
    auto route = alert::route(a, candidates);
    if (!route) {
      std::cerr << "runbook: no playbook for " << name << ": " << route.error().message << "\n";
      runs.push_back({{"outcome", "no-playbook"}, {"alert", alert_record(a, nullptr)}, {"error", route.error().message}});
      status = worst(status, kNoPlaybook);
      continue;
    }
    const auto& chosen = candidates[static_cast<std::size_t>(route->index)];
    std::cerr << "runbook: " << name << " -> " << chosen.path << " (" << route->why << ")\n";
    ojson summary;
    const int rc = run_one(*chosen.playbook, &a, &*route, setup, args, args.evidence, summary);
    summary["route"] = {{"rule", route->rule}, {"why", route->why}, {"also", route->also}};
    runs.push_back(std::move(summary));
    status = worst(status, rc);
  }
  if (runs.size() == 1) {
    ojson& only = runs.front();
    if (only.contains("steps")) only["summary_markdown"] = headless::summary_markdown(only);
    print(only, args.json);
  } else if (args.json) {
    for (auto& r : runs)
      if (r.contains("steps")) r["summary_markdown"] = headless::summary_markdown(r);
    std::cout << ojson{{"runs", runs}}.dump(2, ' ', false, ojson::error_handler_t::replace) << "\n";
  } else {
    for (const auto& r : runs) {
      if (r.contains("steps")) std::cout << headless::summary_markdown(r) << "\n";
      else std::cout << "- " << r["alert"].value("name", "") << ": " << r.value("outcome", "") << "\n";
    }
  }
  return status;
}

}  // namespace

int run_headless(const HeadlessArgs& args) {
  Setup setup;
  if (int rc = prepare(args, setup); rc != kOk) return rc;
  std::vector<playbook::Playbook> playbooks;
  if (!load(args.file, setup.input, setup.classifier, playbooks)) return kInputError;
  const playbook::Playbook* pb = select(playbooks, args.playbook);
  if (!pb) return kNotFound;
  std::optional<alert::Alert> trigger;
  if (!args.alert.empty()) {
    auto alerts = read_alerts(args.alert, args.alert_format);
    if (!alerts) return kInputError;
    for (auto& a : *alerts)
      if (!a.resolved()) {
        trigger = std::move(a);
        break;
      }
    if (!trigger) {
      std::cerr << "runbook: " << args.alert << " holds no firing alert\n";
      return kInputError;
    }
  }
  ojson summary;
  const int rc = run_one(*pb, trigger ? &*trigger : nullptr, nullptr, setup, args, args.evidence, summary);
  if (args.json && summary.contains("steps")) summary["summary_markdown"] = headless::summary_markdown(summary);
  print(summary, args.json);
  return rc;
}

void register_handle(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<HeadlessArgs>();
  CLI::App* cmd = app.add_subcommand("handle", "Run the playbook an alert names, headless, and summarise");
  cmd->add_option("alert", args->file, "The alert payload (JSON file; - reads stdin)")->required();
  cmd->add_option("--playbooks", args->playbooks, "Where the playbooks are (directory or file; repeatable)");
  cmd->add_option("--alert-format", args->alert_format, "auto (default), alertmanager, grafana, pagerduty, labels")
      ->check(CLI::IsMember({"auto", "alertmanager", "grafana", "pagerduty", "labels"}));
  cmd->add_option("--policy", args->policy, "Headless policy (YAML); default: read-only steps only");
  cmd->add_option("--config", args->config, "Run configuration (YAML): timeouts, SQL targets, Prometheus, redaction");
  cmd->add_option("--evidence,--evidence-dir", args->evidence, "The run's evidence directory (one firing alert only)");
  cmd->add_option("--runs-dir", args->runs_dir, "Where run directories go (default: runbook-evidence)");
  cmd->add_option("--var", args->vars, "Bind a variable: NAME=VALUE; repeatable (beats alert labels)");
  cmd->add_option("--cwd", args->cwd, "Run commands in this directory (default: the current one)");
  cmd->add_option("--rules", args->rule_files, "Extra safety rule file (YAML); repeatable");
  cmd->add_flag("--json", args->json, "Print the summary as JSON (markdown otherwise)");
  cmd->footer(
      "Reads Alertmanager (webhook version 4: every alert of the group), Grafana, PagerDuty v3 or a\n"
      "plain JSON object of labels. Each firing alert is routed to a playbook: its runbook_url (or\n"
      "runbook) annotation's last path segment against file names, else the front matter's alerts:\n"
      "list, else the alert names the playbook's Detection section states. Labels and annotations\n"
      "fill placeholders of the same name (or as mapped under alert_variables: in front matter),\n"
      "always as one shell-quoted word. Resolved alerts start nothing.\n\n"
      "Exit status: 0 every run completed, 5 a run awaits an operator (runbook resume DIR),\n"
      "6 a run failed, 7 no playbook matches an alert, 3 unreadable alert, 2 bad usage.\n\n"
      "Examples:\n"
      "  runbook handle alert.json --playbooks playbooks/ --json\n"
      "  curl -s ... | runbook handle - --playbooks /etc/runbook/playbooks --policy policy.yaml");
  cmd->callback([args, &exit_code] { exit_code = handle(*args); });
}

}  // namespace runbook::cli
