// A headless run: the session with the policy as its autopilot and an operator that answers
// nothing, commands through a runner that may start a section's next diagnostics early.
#include "headless/headless_run.h"

#include <ostream>

#include "evidence/log.h"
#include "exec/parallel_runner.h"

namespace runbook::headless {

namespace {

/// Nobody is at the keyboard. The autopilot decides before anything is asked, so a question
/// here means a step the autopilot let through needs a person after all: the run ends there
/// (recorded as input_ended, resumable) instead of guessing an answer.
class RefusingOperator : public executor::Operator {
 public:
  executor::Answer ask(const executor::Question&) override {
    return executor::Answer{executor::Answer::Kind::EndOfInput, ""};
  }
  const char* mode() const override { return "headless"; }
};

}  // namespace

std::unique_ptr<executor::Operator> make_refusing_operator() { return std::make_unique<RefusingOperator>(); }

Result run(const Request& request, exec::Runner& runner, std::ostream& progress, exec::Interrupt& interrupt) {
  Result result;
  auto log = evidence::EvidenceLog::create(request.evidence_dir, evidence::Redactor());
  if (!log) {
    result.error = log.error().describe();
    return result;
  }
  exec::ParallelRunner parallel(runner, request.policy.concurrency);
  PolicyAutopilot autopilot(request.policy, request.playbook);
  auto op = make_refusing_operator();
  executor::Session session(request.playbook, request.graph, request.config, request.classifier, parallel, *op, **log,
                            progress, interrupt);
  executor::SessionSettings settings;
  settings.mode = "headless";
  settings.cwd = request.cwd;
  settings.preset = request.preset;
  settings.autopilot = &autopilot;
  settings.deadline = request.policy.deadline;
  settings.step_cap = request.policy.step_timeout;  // caps fence, front matter and config limits
  settings.parallel = &parallel;
  settings.lookahead = request.policy.concurrency;
  settings.trigger = request.alert;
  settings.policy = request.policy.source;
  result.outcome = session.start(settings);
  result.tally = session.tally();
  return result;
}

}  // namespace runbook::headless
