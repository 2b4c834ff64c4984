#include "server/launcher.h"

#include <mutex>

namespace runbook::server {

namespace {

constexpr std::size_t kMaxSummary = 8u << 20;  // a summary larger than this is not a summary
constexpr std::size_t kStderrTail = 8u << 10;

/// Keeps stdout (bounded) and the tail of stderr.
class CaptureSink final : public exec::OutputSink {
 public:
  void on_output(exec::Stream stream, std::string_view chunk, std::chrono::milliseconds) override {
    if (stream == exec::Stream::Stdout) {
      if (out.size() < kMaxSummary) out.append(chunk.substr(0, kMaxSummary - out.size()));
    } else {
      err.append(chunk);
      if (err.size() > 2 * kStderrTail) err.erase(0, err.size() - kStderrTail);
    }
  }
  std::string out, err;
};

class HandleLauncher final : public Launcher {
 public:
  HandleLauncher(HandleCommand command, std::shared_ptr<exec::Runner> runner)
      : command_(std::move(command)), runner_(std::move(runner)), env_(exec::current_environment()) {}

  LaunchResult launch(const LaunchRequest& request, const exec::Interrupt& interrupt) override {
    exec::CommandSpec spec;
    spec.argv = handle_argv(command_, request);
    spec.env = env_;
    spec.timeout = command_.timeout;
    spec.grace = command_.grace;
    CaptureSink sink;
    LaunchResult result;
    result.run = runner_->run(spec, sink, &interrupt);
    result.out = std::move(sink.out);
    result.err = sink.err.size() > kStderrTail ? sink.err.substr(sink.err.size() - kStderrTail) : sink.err;
    return result;
  }

 private:
  HandleCommand command_;
  std::shared_ptr<exec::Runner> runner_;
  std::map<std::string, std::string> env_;  // the server's environment, read once at start-up
};

}  // namespace

// `runbook handle` names the payload format option --alert-format (its --format would be the
// summary's); the server always writes the plain labels shape.
constexpr const char* kFormatOption = "--alert-format";

std::vector<std::string> handle_argv(const HandleCommand& command, const LaunchRequest& request) {
  std::vector<std::string> argv{command.program, "handle", request.alert_file, "--playbooks", command.playbooks,
                                "--evidence-dir", request.run_dir, "--json", kFormatOption, "labels"};
  if (!command.policy.empty()) argv.insert(argv.end(), {"--policy", command.policy});
  if (!command.config.empty()) argv.insert(argv.end(), {"--config", command.config});
  return argv;
}

std::unique_ptr<Launcher> make_handle_launcher(HandleCommand command, std::shared_ptr<exec::Runner> runner) {
  if (!runner) runner = exec::make_process_runner();
  return std::make_unique<HandleLauncher>(std::move(command), std::move(runner));
}

}  // namespace runbook::server
