#pragma once
// Running commands: the engine's own interface, so that tests and dry runs can swap the runner.
// The real runner (process_runner.cc) is the one translation unit that includes Boost.Process.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace runbook::exec {

/// Which output stream a chunk came from.
enum class Stream { Stdout, Stderr };
/// "stdout", "stderr".
const char* stream_name(Stream stream);

/// What to run and how.
struct CommandSpec {
  std::string script;                       ///< shell text, run as `bash -c script` (sh without bash)
  std::vector<std::string> argv;            ///< when not empty: run this program directly, no shell
  std::map<std::string, std::string> env;   ///< the whole environment the command sees
  std::string cwd;                          ///< "" = the engine's working directory
  std::chrono::milliseconds timeout{0};     ///< 0 = none
  std::chrono::milliseconds grace{2000};    ///< after SIGTERM, how long until SIGKILL
  bool interactive = false;                 ///< stdin inherited from the engine; else /dev/null
};

/// Receives output while a command runs. Chunks arrive in order per stream, on the caller's thread.
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  /// A chunk of output; `at` is the time since the command started.
  virtual void on_output(Stream stream, std::string_view chunk, std::chrono::milliseconds at) = 0;
  /// Called about every 250 ms while the command runs (for a status line); default: nothing.
  virtual void on_tick(std::chrono::milliseconds /*elapsed*/) {}
};

/// How a command ended.
struct RunResult {
  enum class End { Exited, Signaled, TimedOut, Interrupted, FailedToStart };
  End end = End::FailedToStart;
  int exit_code = -1;                   ///< Exited: the status; otherwise -1
  int signal = 0;                       ///< Signaled: the signal; TimedOut/Interrupted: what ended it
  std::chrono::milliseconds duration{0};
  std::uint64_t stdout_bytes = 0;
  std::uint64_t stderr_bytes = 0;
  std::string error;                    ///< FailedToStart: why

  bool succeeded() const { return end == End::Exited && exit_code == 0; }
};
/// "exited", "signaled", "timed-out", "interrupted", "failed-to-start".
const char* end_name(RunResult::End end);

/// A flag another thread or a signal handler raises to stop the running command (Ctrl-C).
/// Async-signal-safe to raise.
class Interrupt {
 public:
  void raise() noexcept { flag_.store(true, std::memory_order_relaxed); }
  bool raised() const noexcept { return flag_.load(std::memory_order_relaxed); }
  void clear() noexcept { flag_.store(false, std::memory_order_relaxed); }

 private:
  std::atomic<bool> flag_{false};
};

/// Runs commands. Implementations must put each command in its own process group and, at timeout
/// or interrupt, send SIGTERM to the whole group, then SIGKILL after `grace`, and reap it, so that
/// no process of the group survives.
class Runner {
 public:
  virtual ~Runner() = default;
  virtual RunResult run(const CommandSpec& spec, OutputSink& sink, const Interrupt* interrupt = nullptr) = 0;
};

/// The real runner: Boost.Process on Boost.Asio.
std::unique_ptr<Runner> make_process_runner();

/// The caller's environment (environ) as a map.
std::map<std::string, std::string> current_environment();

}  // namespace runbook::exec
