#include "server/outcome.h"

#include "server/store.h"

namespace runbook::server {

std::string status_for_exit(int exit_code) {
  switch (exit_code) {
    case 0: return status::kCompleted;
    case 5: return status::kAwaitingOperator;
    case 7: return status::kNoPlaybook;
    default: return status::kFailed;  // 6 failed, 3 bad input, anything else: a broken handler
  }
}

Outcome interpret(const LaunchResult& result, StopReason stop) {
  using End = exec::RunResult::End;
  Outcome o;
  nlohmann::json printed = nlohmann::json::parse(result.out, nullptr, false);
  const bool has_summary = printed.is_object();
  o.summary = has_summary ? printed : nlohmann::json::object();
  std::string error;
  switch (result.run.end) {
    case End::Exited:
      o.exit_code = result.run.exit_code;
      o.status = status_for_exit(result.run.exit_code);
      // Exit 5 is any resumable stop; the summary tells a run awaiting a person from one that a
      // signal from outside ended.
      if (has_summary && result.run.exit_code == 5 && printed.value("outcome", "") == "interrupted")
        o.status = status::kInterrupted;
      if (!has_summary) {
        error = "the handler exited " + std::to_string(result.run.exit_code) + " without a JSON summary";
        // "completed" must mean the engine said so; exit 0 with no summary is a handler that
        // broke its contract (a wrong binary, a wrapper printing help), not a finished playbook.
        if (o.status == status::kCompleted) o.status = status::kFailed;
      }
      else if (result.run.exit_code == 3) error = "the handler could not read the alert or create the run's directory";
      break;
    case End::Interrupted:
      // A handler that was interrupted still ended because we asked it to: the reason is ours.
      o.status = stop == StopReason::Cancelled ? status::kCancelled : status::kInterrupted;
      error = stop == StopReason::Cancelled ? "cancelled: the alert resolved" : "interrupted: the server shut down";
      break;
    case End::TimedOut:
      o.status = status::kFailed;
      error = "timed out (--run-timeout)";
      break;
    case End::Signaled:
      o.status = status::kFailed;
      error = "the handler was killed by signal " + std::to_string(result.run.signal);
      break;
    case End::FailedToStart:
      o.status = status::kFailed;
      error = "the handler could not start: " + result.run.error;
      break;
  }
  if (!error.empty()) {
    o.summary["error"] = error;
    if (!result.err.empty()) o.summary["stderr_tail"] = result.err;
  }
  if (has_summary && o.summary.contains("playbook") && o.summary["playbook"].is_object()) {
    const auto& pb = o.summary["playbook"];
    if (pb.contains("path") && pb["path"].is_string()) o.playbook = pb["path"].get<std::string>();
    else if (pb.contains("title") && pb["title"].is_string()) o.playbook = pb["title"].get<std::string>();
  }
  return o;
}

}  // namespace runbook::server
