// Names of streams and endings, and the engine's environment as a map.

#include "exec/runner.h"

#include <cstring>

extern char** environ;  // NOLINT: POSIX, declared by <unistd.h> only with _GNU_SOURCE

namespace runbook::exec {

const char* stream_name(Stream stream) {
  switch (stream) {
    case Stream::Stdout: return "stdout";
    case Stream::Stderr: return "stderr";
  }
  return "unknown";
}

const char* end_name(RunResult::End end) {
  switch (end) {
    case RunResult::End::Exited: return "exited";
    case RunResult::End::Signaled: return "signaled";
    case RunResult::End::TimedOut: return "timed-out";
    case RunResult::End::Interrupted: return "interrupted";
    case RunResult::End::FailedToStart: return "failed-to-start";
  }
  return "unknown";
}

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> env;
  if (environ == nullptr) return env;
  for (char** e = environ; *e != nullptr; ++e) {
    const char* entry = *e;
    const char* eq = std::strchr(entry, '=');
    // Entries without '=' (or with an empty name) cannot be passed on meaningfully; skip them.
    if (eq == nullptr || eq == entry) continue;
    // Like getenv, the first of duplicate names wins.
    env.emplace(std::string(entry, eq), std::string(eq + 1));
  }
  return env;
}

}  // namespace runbook::exec
