// The executor walking real playbooks with a fake runner, scripted answers and a real evidence log.
#include <doctest.h>

#include "executor/session.h"
#include "executor_support.h"

using namespace runbook;
using runbook::testing::SessionRig;

namespace {

const char* kCacheDown = R"(# Cache Down

**Response Time**: 15 minutes
**Escalation**: To the platform team if not resolved in 30 minutes

## Check

```bash
echo "checking <host>"
```

- [ ] Is the cache process running?
  - `pgrep redis` shows it

## Fix

### Option 1: Restart

```bash
systemctl restart redis
```

### Option 2: Flush

```bash
rm -rf /var/lib/redis/dump.rdb
```

## Verify

```bash
echo verify $TOKEN
```

## Communicate

```text
Status: [Status]
Impact: [Who is affected]
```
)";

std::vector<std::string> scripts_run(const exec::FakeRunner& runner) {
  std::vector<std::string> out;
  for (const auto& c : runner.calls()) out.push_back(c.script);
  return out;
}

}  // namespace

TEST_CASE("a scripted walk runs read-only steps, follows the chosen option and records everything") {
  SessionRig rig(kCacheDown);
  const auto outcome = rig.run(R"(
variables: {host: "cache-1", TOKEN: "s3cr3t-token-value"}
steps:
  check/2: {check: done}
  fix/1: {choose: 1, reason: "process is gone"}
  fix/option-1-restart/1: {action: run, confirm: "yes"}
defaults: {action: run}
)");
  CHECK(outcome == executor::Outcome::Completed);
  const auto scripts = scripts_run(rig.runner);
  REQUIRE(scripts.size() == 3);
  CHECK(scripts[0] == "echo \"checking \"cache-1\"\"\n");
  CHECK(scripts[1].find("systemctl restart redis") != std::string::npos);
  CHECK(scripts[2].find("verify") != std::string::npos);
  // The flush option (destructive) was never offered to the runner.
  for (const auto& s : scripts) CHECK(s.find("rm -rf") == std::string::npos);

  const auto decisions = rig.records_of("decision");
  REQUIRE(decisions.size() == 1);
  CHECK(decisions[0]["label"] == "Option 1: Restart");
  CHECK(decisions[0]["reason"] == "process is gone");
  CHECK(decisions[0]["next"] == "fix/option-1-restart/1");
  const auto checks = rig.records_of("checklist");
  REQUIRE(checks.size() == 1);
  CHECK(checks[0]["state"] == "done");
  CHECK(rig.records_of("template").size() == 1);
  const auto finished = rig.records_of("run_finished");
  REQUIRE(finished.size() == 1);
  CHECK(finished[0]["outcome"] == "completed");
  CHECK(rig.records().front()["type"] == "run_started");
  CHECK(evidence::verify(rig.dir).ok);
}

TEST_CASE("values reach commands as one quoted word and as environment variables, never as shell text") {
  SessionRig rig(kCacheDown);
  const std::string hostile = "x$(touch /tmp/pwned)`id`;rm -rf / \"'\n";
  nlohmann::json vars = {{"host", hostile}, {"TOKEN", "t0ken-value-1234"}};
  const auto outcome = rig.run("variables: " + vars.dump() + "\ndefaults: {action: skip, check: n/a, choose: skip}\n"
                               "steps: {check/1: run}\n");
  CHECK(outcome == executor::Outcome::Completed);
  REQUIRE(rig.runner.calls().size() == 1);
  const auto& spec = rig.runner.calls()[0];
  CHECK(spec.env.at("HOST") == hostile);
  // The script holds the value only inside single quotes (with ' written as '\'').
  CHECK(spec.script.find("'x$(touch /tmp/pwned)`id`;rm -rf / \"'\\''\n'") != std::string::npos);
}

TEST_CASE("a mutating step is not run without a yes; a destructive one needs the confirmation word") {
  SessionRig rig(kCacheDown);
  auto outcome = rig.run(R"(
variables: {host: h1, TOKEN: abcd1234}
steps:
  fix/1: {choose: 1}
  fix/option-1-restart/1: {action: run, confirm: "no"}
defaults: {action: run, check: done}
)");
  CHECK(outcome == executor::Outcome::Completed);
  for (const auto& s : scripts_run(rig.runner)) CHECK(s.find("systemctl") == std::string::npos);
  CHECK(rig.records_of("confirmation_refused").size() == 1);

  SessionRig rig2(kCacheDown);
  outcome = rig2.run(R"(
variables: {host: h1, TOKEN: abcd1234}
steps:
  fix/1: {choose: 2}
  fix/option-2-flush/1: {action: run, after-refusal: run, confirm-word: [yes, destroy]}
defaults: {action: run, check: done}
)");
  CHECK(outcome == executor::Outcome::Completed);
  int flushes = 0;
  for (const auto& s : scripts_run(rig2.runner)) flushes += s.find("rm -rf") != std::string::npos;
  CHECK(flushes == 1);  // "yes" was refused, "destroy" ran it
  CHECK(rig2.records_of("confirmation_refused").size() == 1);
}

TEST_CASE("secret values never reach the evidence log") {
  SessionRig rig(kCacheDown, [](const exec::CommandSpec& spec) {
    exec::FakeRunner::Reply r;
    r.out = "token is " + (spec.env.count("TOKEN") ? spec.env.at("TOKEN") : std::string("unset")) + "\n";
    r.result.end = exec::RunResult::End::Exited;
    r.result.exit_code = 0;
    return r;
  });
  const std::string secret = "hunter2-very-secret";
  rig.run("variables: {host: h1, TOKEN: \"" + secret + "\"}\ndefaults: {action: run, check: done, choose: skip}\n");
  const std::string log = rig.log_text();
  CHECK(log.find(secret) == std::string::npos);
  CHECK(log.find("[REDACTED]") != std::string::npos);
  // The command itself did get the real value.
  bool got = false;
  for (const auto& c : rig.runner.calls()) got = got || (c.env.count("TOKEN") && c.env.at("TOKEN") == secret);
  CHECK(got);
}

TEST_CASE("quitting leaves a resumable run that continues at the first step not finished") {
  SessionRig rig(kCacheDown);
  auto outcome = rig.run(R"(
variables: {host: h1}
steps:
  check/2: {check: quit}
defaults: {action: run}
)");
  CHECK(outcome == executor::Outcome::Quit);
  CHECK(rig.runner.calls().size() == 1);
  auto point = executor::resume_point(rig.records());
  REQUIRE(point.ok());
  CHECK(point->next_step == "check/2");
  CHECK(point->values.at("HOST").value == "h1");

  outcome = rig.resume(R"(
variables: {TOKEN: abcd1234}
steps:
  check/2: {check: done}
defaults: {action: run, choose: skip}
)");
  CHECK(outcome == executor::Outcome::Completed);
  CHECK(rig.records_of("run_resumed").size() == 1);
  CHECK(rig.records_of("checklist").size() == 1);
  // check/1 was not run again; verify/1 ran after the resume.
  const auto scripts = scripts_run(rig.runner);
  REQUIRE(scripts.size() == 2);
  CHECK(scripts[1].find("verify") != std::string::npos);
  CHECK(evidence::verify(rig.dir).ok);
}

TEST_CASE("back, jump and notes move the walk and are recorded") {
  SessionRig rig(kCacheDown);
  auto outcome = rig.run(R"(
variables: {host: h1, TOKEN: abcd1234}
steps:
  check/2: {check: [back, done]}
  check/1: {action: [run, run]}
  fix/1: {choose: jump}
  verify/1: {action: [note, skip], note: "verified by hand"}
defaults: {action: run, jump: verify/1}
)");
  CHECK(outcome == executor::Outcome::Completed);
  CHECK(rig.runner.calls().size() == 2);  // check/1 twice (back), verify skipped
  CHECK(rig.records_of("back").size() == 1);
  const auto jumps = rig.records_of("jump");
  REQUIRE(jumps.size() == 1);
  CHECK(jumps[0]["next"] == "verify/1");
  const auto notes = rig.records_of("note");
  REQUIRE(notes.size() == 1);
  CHECK(notes[0]["text"] == "verified by hand");
}

TEST_CASE("a failed command asks whether to retry, and its exit status is recorded") {
  int calls = 0;
  SessionRig rig(kCacheDown, [&calls](const exec::CommandSpec&) {
    exec::FakeRunner::Reply r;
    r.result.end = exec::RunResult::End::Exited;
    r.result.exit_code = ++calls == 1 ? 7 : 0;
    r.err = calls == 1 ? "boom\n" : "";
    return r;
  });
  auto outcome = rig.run(R"(
variables: {host: h1, TOKEN: abcd1234}
steps:
  check/1: {retry: retry}
defaults: {action: run, check: done, choose: skip}
)");
  CHECK(outcome == executor::Outcome::Completed);
  const auto finished = rig.records_of("step_finished");
  REQUIRE(finished.size() >= 2);
  CHECK(finished[0]["exit_code"] == 7);
  CHECK(finished[0]["ok"] == false);
  CHECK(finished[0]["stderr"]["text"] == "boom\n");
  CHECK(finished[1]["ok"] == true);
}

TEST_CASE("an answers file without an answer stops the run, resumably") {
  SessionRig rig(kCacheDown);
  auto outcome = rig.run("variables: {host: h1}\nsteps: {check/1: run}\n");
  CHECK(outcome == executor::Outcome::Quit);
  CHECK(rig.records_of("input_ended").size() == 1);
  CHECK(rig.out.str().find("no scripted answer for check at step check/2") != std::string::npos);
}
