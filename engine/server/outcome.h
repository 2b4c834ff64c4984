#pragma once
// What a finished `runbook handle` means for its run row: the final status, the exit code, the
// summary to store and the playbook it chose. The exit status is the contract (0 completed,
// 5 awaiting operator, 6 failed, 7 no playbook, 3 bad input); stdout carries the JSON summary.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "server/launcher.h"

namespace runbook::server {

/// Why a run's interrupt was raised, if it was.
enum class StopReason { None, Cancelled, Shutdown };

struct Outcome {
  std::string status;            ///< one of the final statuses in store.h
  std::optional<int> exit_code;  ///< when the handler exited
  nlohmann::json summary;        ///< the handler's JSON, or {"error": ...} when it gave none
  std::string playbook;          ///< summary.playbook.path (else .title); "" when none
};

/// The status for a handler exit code: completed, awaiting-operator, failed, no-playbook.
std::string status_for_exit(int exit_code);

/// Interprets a launch result; `stop` says why the interrupt was raised.
Outcome interpret(const LaunchResult& result, StopReason stop);

}  // namespace runbook::server
