#pragma once
// Starting commands before their turn. A headless run knows which read-only diagnostics of a
// section come next; it starts them early here, and the walk still runs them in order through
// the ordinary Runner interface: run() of a command that was started early waits for it and
// replays its output, with its original timings, to the caller's sink. So the evidence stays in
// step order and the session needs no second code path.
//
// Output of early commands is kept in an unlinked temporary file (not memory), so a flooding
// diagnostic costs disk, not the engine's RSS.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "exec/runner.h"

namespace runbook::exec {

class ParallelRunner : public Runner {
 public:
  /// `inner` runs every command (its own threads call inner.run concurrently); `limit` bounds how
  /// many run at once.
  ParallelRunner(Runner& inner, int limit);
  ~ParallelRunner() override;  ///< interrupts and reaps whatever was started and never claimed

  /// Starts `spec` early under `key` (a step id), unless a command is already started under it.
  /// Returns false when the limit is reached (the command then runs in its turn).
  bool start(const std::string& key, const CommandSpec& spec);
  /// True when a command is started (or done) under `key` and not yet claimed.
  bool started(const std::string& key) const;

  /// Runs `spec`: claims the early command with the same script, environment and directory
  /// (waiting for it and replaying its output), or runs it now through `inner`.
  RunResult run(const CommandSpec& spec, OutputSink& sink, const Interrupt* interrupt = nullptr) override;
  /// Whether the last run() claimed an early command, and how long before the claim it started.
  bool last_was_early() const { return last_early_; }
  std::chrono::milliseconds last_head_start() const { return last_head_start_; }

  /// Stops the early commands nobody claimed and returns their keys with how they ended (the
  /// caller records them: they ran, even though the walk never reached them).
  struct Abandoned {
    std::string key;
    CommandSpec spec;
    RunResult result;
  };
  std::vector<Abandoned> abandon();

  /// How many commands are running now (for tests and the status line).
  int running() const;

 private:
  struct Job;
  static bool same_command(const CommandSpec& a, const CommandSpec& b);
  void work(Job* job);

  Runner& inner_;
  int limit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Job>> jobs_;
  bool last_early_ = false;
  std::chrono::milliseconds last_head_start_{0};
};

}  // namespace runbook::exec
