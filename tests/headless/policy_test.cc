// The headless policy: its file format and the decision it makes for each kind of step.
#include <doctest.h>

#include "headless/policy.h"
#include "test_support_playbook.h"

using namespace runbook;
using Act = executor::Autopilot::Act;

namespace {

std::vector<playbook::Playbook> load(const std::string& text) {
  std::vector<playbook::Playbook> out;
  out.push_back(testing::parse(text, "policy.md"));
  return out;
}

executor::Autopilot::Call decide(const headless::Policy& policy, const playbook::Playbook& pb,
                                 const std::string& id, std::vector<std::string> unbound = {},
                                 std::chrono::milliseconds elapsed = std::chrono::milliseconds(0)) {
  const int i = pb.step_index(id);
  REQUIRE_MESSAGE(i >= 0, "no step " << id);
  const auto& step = pb.steps[static_cast<std::size_t>(i)];
  headless::PolicyAutopilot pilot(policy, pb);
  return pilot.decide({step, step.safety, std::move(unbound), "", elapsed});
}

const char* kPlaybook = R"(---
headless:
  allow: [restart]
---
# Service down

## Diagnose

```bash {id=status}
systemctl status orders
```

```bash {id=restart}
systemctl restart orders
```

```bash {id=rollback}
kubectl rollout undo deployment/orders
```

```bash {id=wipe headless=allow}
rm -rf /var/lib/orders
```

```bash {id=shell-in headless=never}
journalctl -u orders
```

```bash {id=never-write headless=never}
systemctl stop orders
```

- [ ] Tell the channel

## Decide

### Option 1: Restart

```bash
systemctl restart orders
```

### Option 2: Roll back

```bash
kubectl rollout undo deployment/orders
```
)";

}  // namespace

TEST_CASE("policy files: defaults, every key, and errors with a line") {
  auto empty = headless::parse_policy("", "p.yaml");
  REQUIRE(empty.ok());
  CHECK(empty->classes == std::set<safety::Level>{safety::Level::ReadOnly});
  CHECK(empty->concurrency == 4);

  auto full = headless::parse_policy(R"(allow:
  classes: [read-only, mutating]
  steps: [restart-api]
deadline: 90s
step_timeout: 20s
concurrency: 2
stop_at_unresolved: true
)", "p.yaml");
  REQUIRE_MESSAGE(full.ok(), (full.ok() ? "" : full.error().describe()));
  CHECK(full->classes.count(safety::Level::Mutating) == 1);
  CHECK(full->steps.count("restart-api") == 1);
  CHECK(full->deadline == std::chrono::seconds(90));
  CHECK(full->step_timeout == std::chrono::seconds(20));
  CHECK(full->concurrency == 2);
  CHECK(full->stop_at_unresolved);

  auto bad_class = headless::parse_policy("allow:\n  classes: [harmless]\n", "p.yaml");
  REQUIRE_FALSE(bad_class.ok());
  CHECK(bad_class.error().line == 2);
  CHECK(bad_class.error().message.find("harmless") != std::string::npos);
  CHECK_FALSE(headless::parse_policy("deadline: soon\n", "p.yaml").ok());
  CHECK_FALSE(headless::parse_policy("concurrency: 0\n", "p.yaml").ok());
  CHECK_FALSE(headless::parse_policy("allow_all: true\n", "p.yaml").ok());
  CHECK_FALSE(headless::parse_policy("[1, 2]\n", "p.yaml").ok());
}

TEST_CASE("the default policy runs read-only steps and stops at everything that changes state") {
  auto pbs = load(kPlaybook);
  const auto& pb = pbs.front();
  headless::Policy policy;
  CHECK(decide(policy, pb, "status").act == Act::Run);
  auto restart = decide(policy, pb, "restart");
  CHECK(restart.act == Act::Stop);
  CHECK(restart.reason.find("the playbook allows it headless, the policy does not") != std::string::npos);
  CHECK(decide(policy, pb, "rollback").act == Act::Stop);
  CHECK(decide(policy, pb, "wipe").act == Act::Stop);
  CHECK(decide(policy, pb, "shell-in").act == Act::Pending);
  CHECK(decide(policy, pb, "never-write").act == Act::Stop);  // a write: what follows may need it
  const auto checklist = testing::steps_of(pb, playbook::StepKind::Checklist);
  REQUIRE(checklist.size() == 1);
  CHECK(decide(policy, pb, checklist.front()->id).act == Act::Pending);
  // A read-only step missing a value is skipped; with stop_at_unresolved it stops.
  CHECK(decide(policy, pb, "status", {"<pod>"}).act == Act::Skip);
  policy.stop_at_unresolved = true;
  CHECK(decide(policy, pb, "status", {"<pod>"}).act == Act::Stop);
  // Past the deadline nothing more runs.
  policy.deadline = std::chrono::seconds(5);
  auto late = decide(policy, pb, "status", {}, std::chrono::seconds(6));
  CHECK(late.act == Act::Stop);
  CHECK(late.reason.find("deadline") != std::string::npos);
}

TEST_CASE("a mutating step runs headless only when the policy and the playbook both allow it") {
  auto pbs = load(kPlaybook);
  const auto& pb = pbs.front();
  headless::Policy policy;
  policy.steps.insert("restart");
  CHECK(decide(policy, pb, "restart").act == Act::Run);  // policy by id + front matter
  policy.steps.insert("rollback");
  auto rollback = decide(policy, pb, "rollback");         // the playbook does not mark it
  CHECK(rollback.act == Act::Stop);
  CHECK(rollback.reason.find("does not mark it headless=allow") != std::string::npos);
  headless::Policy by_class;
  by_class.classes = {safety::Level::ReadOnly, safety::Level::Mutating};
  CHECK(decide(by_class, pb, "restart").act == Act::Run);
  CHECK(decide(by_class, pb, "rollback").act == Act::Stop);
  CHECK(decide(by_class, pb, "wipe").act == Act::Stop);  // destructive is not mutating
  by_class.classes.insert(safety::Level::Destructive);
  CHECK(decide(by_class, pb, "wipe").act == Act::Run);   // fence headless=allow + class
  // A step that would run but needs a value a person must give: stop (never guess for a write).
  CHECK(decide(by_class, pb, "restart", {"<service>"}).act == Act::Stop);
}

TEST_CASE("decisions stop the run; snippets are skipped") {
  auto pbs = load(kPlaybook);
  const auto& pb = pbs.front();
  headless::Policy policy;
  bool saw_decision = false;
  for (const auto& step : pb.steps) {
    if (step.kind != playbook::StepKind::Decision) continue;
    saw_decision = true;
    CHECK(decide(policy, pb, step.id).act == Act::Stop);
  }
  CHECK(saw_decision);
}
