// The scripted fake runner (tests) and the dry-run runner: neither starts a process.

#include "exec/fake_runner.h"

#include <algorithm>

namespace runbook::exec {

namespace {

/// The real runner delivers at most this much per on_output call; the fake does the same.
constexpr std::size_t kChunk = 64 * 1024;

void deliver(OutputSink& sink, Stream stream, std::string_view text) {
  while (!text.empty()) {
    std::size_t n = std::min(text.size(), kChunk);
    sink.on_output(stream, text.substr(0, n), std::chrono::milliseconds{0});
    text.remove_prefix(n);
  }
}

}  // namespace

RunResult FakeRunner::run(const CommandSpec& spec, OutputSink& sink, const Interrupt* interrupt) {
  calls_.push_back(spec);
  // Same as the process runner: an interrupt raised before the start means nothing runs.
  if (interrupt != nullptr && interrupt->raised()) {
    RunResult r;
    r.end = RunResult::End::Interrupted;
    return r;
  }
  Reply reply;
  if (script_) {
    reply = script_(spec);
  } else {
    reply.result.end = RunResult::End::Exited;
    reply.result.exit_code = 0;
  }
  deliver(sink, Stream::Stdout, reply.out);
  deliver(sink, Stream::Stderr, reply.err);
  RunResult r = reply.result;
  r.stdout_bytes = reply.out.size();
  r.stderr_bytes = reply.err.size();
  if (r.duration.count() < 0) r.duration = std::chrono::milliseconds{0};
  return r;
}

RunResult DryRunRunner::run(const CommandSpec& /*spec*/, OutputSink& /*sink*/, const Interrupt* /*interrupt*/) {
  RunResult r;
  r.end = RunResult::End::FailedToStart;
  r.error = "dry run";
  return r;
}

}  // namespace runbook::exec
