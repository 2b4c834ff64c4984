#pragma once
// One headless run: the playbook's steps under a policy, without a person, into an evidence
// directory that `runbook resume` continues interactively. The caller (the CLI's `run --headless`
// and `handle`) loads the playbook, the config, the policy and the alert's values.

#include <iosfwd>
#include <map>
#include <string>

#include "executor/session.h"
#include "headless/policy.h"

namespace runbook::headless {

struct Request {
  const playbook::Playbook& playbook;
  const graph::StepGraph& graph;
  const executor::RunConfig& config;
  const safety::Classifier& classifier;
  const Policy& policy;
  std::map<std::string, executor::PresetValue> preset;  ///< by binding key (alert values included)
  nlohmann::json alert;                                 ///< recorded with the run; null = none
  std::string evidence_dir;
  std::string cwd;
};

struct Result {
  executor::Outcome outcome = executor::Outcome::Failed;
  executor::Session::Tally tally;
  std::string error;  ///< the evidence directory could not be created
};

/// Runs it. `progress` gets the same step-by-step text an interactive run shows (a log for
/// whoever watches); `interrupt` (SIGTERM) stops the running command and ends the run, resumable.
Result run(const Request& request, exec::Runner& runner, std::ostream& progress, exec::Interrupt& interrupt);

/// The operator of a headless run: every question it gets is answered with end of input, so a
/// run that would need a person stops (resumable) rather than guesses.
std::unique_ptr<executor::Operator> make_refusing_operator();

}  // namespace runbook::headless
