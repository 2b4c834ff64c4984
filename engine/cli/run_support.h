#pragma once
// What `run`, `resume`, `run --headless` and `handle` share: signals, evidence directories,
// the run config and preset values.

#include <map>
#include <string>
#include <vector>

#include "exec/runner.h"
#include "executor/config.h"
#include "executor/session.h"
#include "playbook/model.h"

namespace runbook::cli {

/// SIGINT, SIGTERM and SIGHUP raise `interrupt` (the step stops, not the engine); SIGPIPE is
/// ignored. No SA_RESTART, so a read at a prompt returns EINTR.
void install_signal_handlers(exec::Interrupt& interrupt);

/// ROOT/<UTC time>-<title slug>, made distinct from any directory already there.
std::string default_evidence_dir(const playbook::Playbook& pb, const std::string& root = "runbook-evidence");

/// Loads `path` into `config` (nothing to do for ""); prints the error and returns false.
bool load_run_config(const std::string& path, executor::RunConfig& config);

/// Presets in rising priority: front matter defaults, the config, then `cli_vars` (--var).
std::map<std::string, executor::PresetValue> presets(const playbook::Playbook& pb, const executor::RunConfig& config,
                                                     const playbook::Bindings& cli_vars);

/// Options of a headless run (`run --headless` and `handle`).
struct HeadlessArgs {
  std::string file;                      ///< run: the playbook file; handle: the alert file ("-": stdin)
  std::string playbook;                  ///< run: --playbook title
  std::vector<std::string> playbooks;    ///< handle: --playbooks DIR|FILE (repeatable)
  std::string alert;                     ///< run: --alert FILE
  std::string alert_format = "auto";     ///< --alert-format
  std::string policy;                    ///< --policy FILE
  std::string config;                    ///< --config FILE
  std::string evidence;                  ///< --evidence DIR (one run)
  std::string runs_dir = "runbook-evidence";  ///< where run directories go otherwise
  std::string cwd;
  std::vector<std::string> vars;
  std::vector<std::string> rule_files;
  std::size_t max_bytes = 32u << 20;
  bool json = false;
};

/// `runbook run FILE --headless`.
int run_headless(const HeadlessArgs& args);

}  // namespace runbook::cli
