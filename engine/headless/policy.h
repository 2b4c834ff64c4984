#pragma once
// The operator's policy for headless runs (YAML, `--policy FILE`): which steps may run without a
// person, and how long a run may take. Without a file, only read-only commands run.
//
// A mutating or destructive command runs headless only when BOTH allow it: the policy (its class,
// or its step id) and the playbook (the fence attribute `headless=allow`, or the step id under
// front matter `headless: {allow: [...]}`). Either one alone is not enough.

#include <chrono>
#include <set>
#include <string>
#include <string_view>

#include "executor/session.h"
#include "util/result.h"

namespace runbook::headless {

struct Policy {
  std::set<safety::Level> classes{safety::Level::ReadOnly};  ///< `allow.classes`
  std::set<std::string> steps;                               ///< `allow.steps`: step ids
  std::chrono::milliseconds deadline{std::chrono::minutes(10)};     ///< the whole run
  std::chrono::milliseconds step_timeout{std::chrono::minutes(2)};  ///< each step, at most
  int concurrency = 4;             ///< read-only diagnostics of one section running at once
  bool stop_at_unresolved = false; ///< a step needing a value no alert gives: stop (else skip it)
  std::string source;              ///< the file it came from; "" = the default policy
};

/// Reads a policy file; errors name the file and line.
util::Result<Policy> load_policy(const std::string& path);
/// The same from text (tests); `path` is used in messages.
util::Result<Policy> parse_policy(std::string_view text, const std::string& path);

/// Whether the playbook marks the step as allowed to run headless beyond read-only.
bool playbook_allows(const playbook::Playbook& pb, const playbook::Step& step);
/// Whether the playbook forbids running the step headless at all (`headless=never`).
bool playbook_forbids(const playbook::Step& step);

/// The policy as the session's autopilot.
class PolicyAutopilot : public executor::Autopilot {
 public:
  PolicyAutopilot(const Policy& policy, const playbook::Playbook& pb) : policy_(policy), pb_(pb) {}
  Call decide(const StepView& view) override;

 private:
  const Policy& policy_;
  const playbook::Playbook& pb_;
};

}  // namespace runbook::headless
