// The run configuration, durations and sizes, the playbook clock and the walk's positions.
#include <doctest.h>

#include "executor/clock.h"
#include "executor/config.h"
#include "executor/operator.h"
#include "executor/walk.h"
#include "test_support_playbook.h"

using namespace runbook;
using namespace std::chrono_literals;

TEST_CASE("durations and sizes") {
  CHECK(executor::parse_duration("30s") == 30000ms);
  CHECK(executor::parse_duration("5m") == 300000ms);
  CHECK(executor::parse_duration("1h30m") == 5400000ms);
  CHECK(executor::parse_duration("250ms") == 250ms);
  CHECK(executor::parse_duration("2") == 2000ms);
  CHECK_FALSE(executor::parse_duration("soon"));
  CHECK_FALSE(executor::parse_duration("5 parsecs"));
  CHECK_FALSE(executor::parse_duration(""));
  CHECK(executor::parse_size("1MiB") == (1u << 20));
  CHECK(executor::parse_size("512k") == 512u * 1024);
  CHECK(executor::parse_size("100") == 100u);
  CHECK_FALSE(executor::parse_size("lots"));
  CHECK(executor::clock_text(751000ms) == "12:31");
  CHECK(executor::clock_text(3723000ms) == "1:02:03");
}

TEST_CASE("a config file sets timeouts, targets and variables; mistakes name the line") {
  auto c = executor::parse_config(R"(
timeouts: {step: 45s, grace: 1s}
output: {inline_limit: 64KiB}
targets:
  orders: {driver: sqlite, path: state/orders.db}
variables: {pod-name: api-0}
redact: ['secret-[0-9]+']
)", "/etc/runbook/run.yaml");
  REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().describe()));
  CHECK(c->step_timeout == 45000ms);
  CHECK(c->grace == 1000ms);
  CHECK(c->inline_output == 64u * 1024);
  CHECK(c->targets.at("orders").path == "/etc/runbook/state/orders.db");
  CHECK(c->default_target == "orders");
  CHECK(c->variables.at("POD_NAME") == "api-0");
  CHECK(c->redact_patterns.size() == 1);

  auto bad = executor::parse_config("timeouts:\n  step: forever\n", "run.yaml");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().line == 2);
  CHECK(bad.error().describe().find("run.yaml:2") == 0);
  auto unknown = executor::parse_config("colour: blue\n", "run.yaml");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().message.find("unknown setting 'colour'") != std::string::npos);
  auto driver = executor::parse_config("targets:\n  db: {driver: oracle}\n", "run.yaml");
  REQUIRE_FALSE(driver.ok());
  CHECK(driver.error().message.find("unknown driver") != std::string::npos);
}

TEST_CASE("the playbook clock reads deadlines from the header and recurring duties from headings") {
  auto pb = runbook::testing::parse(R"(# DB Down

## Severity: P0 - Critical

**Response Time**: 15 minutes
**Escalation**: To DBA team if not resolved in 1 hour

## Communication

### Every 10 Minutes Until Resolved

Post an update.
)");
  executor::PlaybookClock clock(pb);
  CHECK(clock.header(751000ms) == "P0 · 12:31 elapsed · respond within 15:00 · escalate at 1:00:00");
  REQUIRE(clock.reminders().size() == 3);
  // Nothing due in the first minutes; the 10-minute duty at 10:00 and again at 20:00.
  CHECK(clock.due(0ms, 300000ms).empty());
  auto due = clock.due(300000ms, 600000ms);
  REQUIRE(due.size() == 1);
  CHECK(clock.reminders()[static_cast<std::size_t>(due[0])].text == "Every 10 Minutes Until Resolved");
  CHECK(clock.due(600000ms, 610000ms).empty());
  due = clock.due(610000ms, 1200000ms);
  CHECK(due.size() == 2);  // the duty again, and the response time passed at 15:00
}

TEST_CASE("the walk follows a chosen option and skips the others") {
  auto pb = runbook::testing::parse(R"(# T

## Fix

### Option 1: A

```bash
echo a
```

### Option 2: B

```bash
echo b
```

## After

```bash
echo after
```
)");
  auto graph = graph::StepGraph::build(pb);
  executor::Walk walk(pb, graph);
  const int decision = walk.first();
  REQUIRE(walk.step_at(decision) >= 0);
  CHECK(pb.steps[static_cast<std::size_t>(walk.step_at(decision))].kind == playbook::StepKind::Decision);
  CHECK(walk.branches(decision));
  const int a = walk.after_choice(decision, 0);
  CHECK(pb.steps[static_cast<std::size_t>(walk.step_at(a))].body == "echo a\n");
  const int after_a = walk.after(a);
  CHECK(pb.steps[static_cast<std::size_t>(walk.step_at(after_a))].body == "echo after\n");
  const int b = walk.after_choice(decision, 1);
  CHECK(pb.steps[static_cast<std::size_t>(walk.step_at(b))].body == "echo b\n");
  CHECK(walk.after(b) == after_a);
  // Not choosing (skip) goes past every option.
  CHECK(walk.after(decision) == after_a);
  CHECK(walk.after(after_a) == walk.end());
  CHECK(walk.total() == 4);
  CHECK(walk.position_of("after/1") == after_a);
  CHECK(walk.position_of("nope") == -1);
}

TEST_CASE("answers match by word, key or unique prefix") {
  executor::Question q;
  q.options = {{'r', "run", "[r]un"}, {'s', "skip", "[s]kip"}, {'t', "step", "s[t]ep"}};
  CHECK(executor::match_option(q, "run")->word == "run");
  CHECK(executor::match_option(q, "R")->word == "run");
  CHECK(executor::match_option(q, "t")->word == "step");
  CHECK(executor::match_option(q, "ski")->word == "skip");
  CHECK(executor::match_option(q, "s")->word == "skip");  // the key wins over the prefix
  CHECK(executor::match_option(q, "st")->word == "step");
  CHECK(executor::match_option(q, "x") == nullptr);
  CHECK(executor::match_option(q, "") == nullptr);
}
