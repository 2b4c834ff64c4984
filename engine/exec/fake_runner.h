#pragma once
// Runners that start no process: a scripted fake for tests, and the dry-run runner for render.

#include <functional>
#include <vector>

#include "exec/runner.h"

namespace runbook::exec {

/// Records every spec it is given and answers with a scripted result and output.
class FakeRunner : public Runner {
 public:
  struct Reply {
    std::string out;
    std::string err;
    RunResult result;  ///< end/exit_code/signal; duration and byte counts are filled in
  };
  /// Decides the reply for a spec; the default replies "exit 0, no output".
  using Script = std::function<Reply(const CommandSpec&)>;

  FakeRunner() = default;
  explicit FakeRunner(Script script) : script_(std::move(script)) {}

  RunResult run(const CommandSpec& spec, OutputSink& sink, const Interrupt* interrupt = nullptr) override;
  const std::vector<CommandSpec>& calls() const { return calls_; }

 private:
  Script script_;
  std::vector<CommandSpec> calls_;
};

/// Runs nothing: every command "would run"; it ends as FailedToStart with error "dry run".
class DryRunRunner : public Runner {
 public:
  RunResult run(const CommandSpec& spec, OutputSink& sink, const Interrupt* interrupt = nullptr) override;
};

}  // namespace runbook::exec
