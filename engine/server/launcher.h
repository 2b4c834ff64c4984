#pragma once
// How a worker runs one queued alert. The real launcher starts `runbook handle` as a child
// process, so a playbook that crashes the engine takes down one run, never the server; tests
// swap in launchers that start nothing.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "exec/runner.h"

namespace runbook::server {

/// One run to launch: the alert file the worker wrote and the directory the run owns.
struct LaunchRequest {
  std::int64_t run_id = 0;
  std::string alert_file;  ///< <run_dir>/alert.json
  std::string run_dir;
};

/// How the launched handler ended and what it printed.
struct LaunchResult {
  exec::RunResult run;  ///< Exited (exit_code), TimedOut, Interrupted, FailedToStart, Signaled
  std::string out;      ///< stdout: the `--json` summary
  std::string err;      ///< the last few KiB of stderr, for the log and failure summaries
};

class Launcher {
 public:
  virtual ~Launcher() = default;
  /// Runs the handler to its end. Must return soon after `interrupt` is raised (the worker then
  /// marks the run interrupted or cancelled).
  virtual LaunchResult launch(const LaunchRequest& request, const exec::Interrupt& interrupt) = 0;
};

/// What the real launcher runs: `<program> handle ALERT --playbooks DIR --evidence-dir RUN_DIR
/// --json --alert-format labels [--policy F] [--config F]`.
struct HandleCommand {
  std::string program;  ///< the runbook binary (the server's own), or a stand-in script in tests
  std::string playbooks;
  std::string policy;   ///< "" = none
  std::string config;   ///< "" = none
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};  ///< 0 = none
  std::chrono::milliseconds grace{std::chrono::seconds(5)};     ///< SIGTERM -> SIGKILL
};

/// The argv the real launcher runs for `request` (exposed for tests).
std::vector<std::string> handle_argv(const HandleCommand& command, const LaunchRequest& request);

/// The real launcher: `command` through `runner` (exec::make_process_runner() when null).
std::unique_ptr<Launcher> make_handle_launcher(HandleCommand command, std::shared_ptr<exec::Runner> runner = nullptr);

}  // namespace runbook::server
