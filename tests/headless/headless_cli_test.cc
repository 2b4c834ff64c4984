// Headless runs end to end through the real binary: the bundled example diagnosed without a
// person and handed over, alert routing with `handle`, concurrency, deadlines and SIGTERM.
#include <doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "evidence/log.h"
#include "process_support.h"
#include "run_support.h"
#include "test_support.h"

using namespace runbook;
using runbook::testing::run_process;
using runbook::testing::runbook_bin;
using runbook::testing::source_root;
using runbook::testing::TempDir;
using namespace runbook::testing;
namespace fs = std::filesystem;

namespace {

nlohmann::json parse_json(const testing::ProcessResult& r) {
  INFO("stdout: " << r.out);
  INFO("stderr: " << r.err);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

}  // namespace

TEST_CASE("the bundled example headless: diagnostics collected, checklists pending, handed over at the decision") {
  TempDir tmp;
  fs::copy(source_root() / "examples", tmp.path() / "examples", fs::copy_options::recursive);
  fs::remove_all(tmp.path() / "examples/service-down/state");
  const std::string port = std::to_string(free_port());
  const std::string example = tmp.sub("examples/service-down");
  const std::vector<std::string> env = {"SERVICE_PORT=" + port, "NO_COLOR=1"};
  auto staged = run_process({example + "/service.sh", "break"}, env);
  REQUIRE_MESSAGE(staged.exit_code == 0, staged.err);

  const std::string dir = tmp.sub("evidence");
  auto r = run_process({runbook_bin(), "run", example + "/playbook.md", "--headless", "--json", "--config",
                        example + "/runbook.yaml", "--evidence", dir, "--cwd", tmp.str(), "--var",
                        "SERVICE_PORT=" + port},
                       env);
  const auto summary = parse_json(r);
  INFO(r.err);
  CHECK(r.exit_code == 5);
  CHECK(summary["outcome"] == "awaiting-operator");
  CHECK(summary["stopped_at"]["step"] == "fix/1");
  CHECK(summary["counts"]["ran"] == 3);  // the API, the process, the database
  CHECK(summary["counts"]["pending"] == 3);
  CHECK(summary["resume"] == "runbook resume " + dir);
  CHECK(summary["summary_markdown"].get<std::string>().find("nothing listens on " + port) != std::string::npos);

  const auto records = records_in(dir);
  CHECK(records.front()["mode"] == "headless");
  for (const auto& started : of_type(records, "step_started")) {
    CHECK(started["safety"]["level"] == "read-only");  // nothing else ran
    CHECK(started["headless"] == true);
  }
  const auto finished = of_type(records, "step_finished");
  bool sql_seen = false;
  for (const auto& f : finished)
    if (f["step"] == "diagnose/what-does-the-database-say/1") {
      sql_seen = true;
      CHECK(f["rows"].size() == 3);
    }
  CHECK(sql_seen);
  CHECK(of_type(records, "step_pending").size() == 3);
  REQUIRE(of_type(records, "handoff").size() == 1);
  CHECK(records.back()["type"] == "run_finished");
  CHECK(records.back()["outcome"] == "awaiting-operator");

  // A person takes over the very same run: it continues at the decision.
  auto resumed = run_process({runbook_bin(), "resume", dir, "--answers", example + "/answers.yaml", "--cwd", tmp.str()},
                             env);
  run_process({example + "/service.sh", "stop"}, env);
  INFO(resumed.out);
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.out.find("resuming \"Orders API Down\" at fix/1") != std::string::npos);
  const auto after = records_in(dir);
  const auto decisions = of_type(after, "decision");
  REQUIRE(decisions.size() == 1);
  CHECK(decisions.front()["step"] == "fix/1");
  // The diagnostics were not run twice.
  int api_checks = 0;
  for (const auto& f : of_type(after, "step_finished")) api_checks += f["step"] == "diagnose/is-the-api-answering/1";
  CHECK(api_checks == 1);
  CHECK(after.back()["outcome"] == "completed");
  CHECK(run_process({runbook_bin(), "verify", dir}).exit_code == 0);
  // The report tells the headless part of the story too.
  auto report = run_process({runbook_bin(), "report", dir});
  CHECK(report.out.find("Headless run (default policy)") != std::string::npos);
  CHECK(report.out.find("Left for a person: `diagnose/common-causes/1`") != std::string::npos);
  CHECK(report.out.find("Handed to an operator at `fix/1`") != std::string::npos);
}

TEST_CASE("handle routes each alert of an Alertmanager group; resolved alerts start nothing; no match exits 7") {
  TempDir tmp;
  write_file(tmp.sub("playbooks/disk-full.md"), R"(# Disk full

## Detection

- Alert: "DiskAlmostFull"

## Check

```bash
echo "checking <instance> at <mountpoint>"
```
)");
  write_file(tmp.sub("playbooks/api-latency.md"), R"(---
alerts: [ApiLatencyHigh]
---
# API latency

## Check

```bash
echo "latency on $service"
```
)");
  write_file(tmp.sub("alert.json"), R"({
  "version": "4", "status": "firing", "receiver": "runbook", "groupKey": "{}:{}",
  "groupLabels": {}, "commonLabels": {"team": "infra"}, "commonAnnotations": {},
  "externalURL": "http://am:9093",
  "alerts": [
    {"status": "firing", "labels": {"alertname": "DiskAlmostFull", "instance": "db-1", "mountpoint": "/var"},
     "annotations": {"runbook_url": "https://wiki.example/runbooks/disk-full.md?x=1"},
     "startsAt": "2026-11-24T03:00:00Z", "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "aaa111"},
    {"status": "firing", "labels": {"alertname": "ApiLatencyHigh", "service": "checkout"},
     "annotations": {}, "startsAt": "2026-11-24T03:00:00Z", "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "bbb222"},
    {"status": "resolved", "labels": {"alertname": "DiskAlmostFull", "instance": "db-2"},
     "annotations": {}, "startsAt": "2026-11-24T02:00:00Z", "endsAt": "2026-11-24T02:30:00Z", "fingerprint": "ccc333"}
  ]
})");
  auto r = run_process({runbook_bin(), "handle", tmp.sub("alert.json"), "--playbooks", tmp.sub("playbooks"),
                        "--runs-dir", tmp.sub("runs"), "--json"});
  const auto out = parse_json(r);
  CHECK(r.exit_code == 0);
  REQUIRE(out["runs"].size() == 3);
  CHECK(out["runs"][0]["outcome"] == "completed");
  CHECK(out["runs"][0]["route"]["rule"] == "runbook-url");
  CHECK(out["runs"][0]["steps"][0]["output"] == "checking db-1 at /var\n");
  CHECK(out["runs"][1]["route"]["rule"] == "front-matter");
  CHECK(out["runs"][1]["steps"][0]["output"] == "latency on checkout\n");
  CHECK(out["runs"][2]["outcome"] == "resolved");
  // The alert and where its values came from are in the evidence.
  const auto records = records_in(out["runs"][0]["run_dir"].get<std::string>());
  const auto headless = of_type(records, "headless");
  REQUIRE(headless.size() == 1);
  CHECK(headless.front()["alert"]["fingerprint"] == "aaa111");
  bool instance_from_label = false;
  for (const auto& v : of_type(records, "variable_set"))
    instance_from_label = instance_from_label || (v["value"] == "db-1" && v["source"].get<std::string>().find("label") != std::string::npos);
  CHECK(instance_from_label);

  write_file(tmp.sub("unknown.json"), R"({"alertname": "NobodyKnowsMe", "instance": "x"})");
  auto none = run_process({runbook_bin(), "handle", tmp.sub("unknown.json"), "--playbooks", tmp.sub("playbooks"),
                           "--runs-dir", tmp.sub("runs"), "--json"});
  CHECK(none.exit_code == 7);
  CHECK(parse_json(none)["outcome"] == "no-playbook");
  CHECK(none.err.find("NobodyKnowsMe") != std::string::npos);

  write_file(tmp.sub("bad.json"), "{\"alerts\": [");
  auto bad = run_process({runbook_bin(), "handle", tmp.sub("bad.json"), "--playbooks", tmp.sub("playbooks")});
  CHECK(bad.exit_code == 3);
}

TEST_CASE("the bundled alert routes by the front matter; hidden copies of playbooks (ConfigMap mounts) are passed over") {
  TempDir tmp;
  fs::copy(source_root() / "examples/service-down", tmp.path() / "pb", fs::copy_options::recursive);
  fs::remove_all(tmp.path() / "pb/state");
  // What a Kubernetes ConfigMap mount looks like: the real files next to a hidden timestamped copy.
  fs::create_directories(tmp.path() / "pb/..2026_11_24_03_00_00.123");
  fs::copy_file(tmp.path() / "pb/playbook.md", tmp.path() / "pb/..2026_11_24_03_00_00.123/playbook.md");
  const std::string port = std::to_string(free_port());
  auto r = run_process({runbook_bin(), "handle", tmp.sub("pb/alert.json"), "--playbooks", tmp.sub("pb"), "--config",
                        tmp.sub("pb/runbook.yaml"), "--var", "SERVICE_PORT=" + port, "--evidence", tmp.sub("run"),
                        "--json", "--cwd", tmp.str()},
                       {"SERVICE_PORT=" + port, "NO_COLOR=1"});
  const auto out = parse_json(r);
  CHECK(r.exit_code == 5);  // the service is not running here: diagnostics, then the decision
  CHECK(out["route"]["rule"] == "front-matter");
  CHECK(out["route"]["also"].empty());
  CHECK(out["playbook"]["path"] == tmp.sub("pb/playbook.md"));
  CHECK(out["stopped_at"]["step"] == "fix/1");
}

TEST_CASE("the policy's step_timeout caps a longer fence timeout; writes never start early") {
  TempDir tmp;
  const std::string marker = tmp.sub("marker");
  write_file(tmp.sub("cap.md"), "# Cap\n\n## Look\n\n```bash {timeout=30s}\nsleep 20\n```\n");
  write_file(tmp.sub("cap.yaml"), "step_timeout: 1s\n");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_process({runbook_bin(), "run", tmp.sub("cap.md"), "--headless", "--policy", tmp.sub("cap.yaml"),
                        "--evidence", tmp.sub("cap"), "--json"});
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 10);
  CHECK(parse_json(r)["steps"][0]["end"] == "timed-out");

  write_file(tmp.sub("order.md"), "# Order\n\n## Act\n\n```bash\nsleep 0.5; echo before\n```\n\n"
                             "```bash {headless=allow}\ntouch " + marker + "\n```\n\n"
                             "```bash\ntest -e " + marker + " && echo seen || echo missing\n```\n");
  write_file(tmp.sub("order.yaml"), "allow:\n  classes: [read-only, mutating]\nconcurrency: 4\n");
  auto o = run_process({runbook_bin(), "run", tmp.sub("order.md"), "--headless", "--policy", tmp.sub("order.yaml"),
                        "--evidence", tmp.sub("order"), "--json"});
  const auto out = parse_json(o);
  CHECK(o.exit_code == 0);
  REQUIRE(out["steps"].size() == 3);
  CHECK(out["steps"][2]["output"] == "seen\n");  // the read after the write saw it
  CHECK_FALSE(out["steps"][1].contains("concurrent"));
}

TEST_CASE("alert labels never execute: canaries in every shell-active form stay inert text") {
  TempDir tmp;
  const std::string canary = tmp.sub("canary");
  write_file(tmp.sub("playbooks/pod-crash.md"), R"(---
alerts: [PodCrashLooping]
---
# Pod crash looping

## Look

```bash
echo "pod=<pod>"
echo "ns=${namespace}"
printf '%s\n' "$reason"
```
)");
  const std::vector<std::string> payloads = {
      "$(touch " + canary + "-1)", "`touch " + canary + "-2`", "x; touch " + canary + "-3",
      "x' ; touch " + canary + "-4; echo '", "x\" ; touch " + canary + "-5; echo \"",
      "x\ntouch " + canary + "-6", "x && touch " + canary + "-7 #", "${IFS}$(touch${IFS}" + canary + "-8)",
      "x | tee " + canary + "-9", "x > " + canary + "-10"};
  int n = 0;
  for (const auto& p : payloads) {
    ++n;
    nlohmann::json alert = {{"labels", {{"alertname", "PodCrashLooping"}, {"pod", p}, {"namespace", p}, {"reason", p}}}};
    write_file(tmp.sub("alert.json"), alert.dump());
    auto r = run_process({runbook_bin(), "handle", tmp.sub("alert.json"), "--playbooks", tmp.sub("playbooks"),
                          "--evidence", tmp.sub("run-" + std::to_string(n)), "--json"});
    const auto out = parse_json(r);
    CHECK(r.exit_code == 0);
    // The value arrives as one literal word, byte for byte.
    CHECK(out["steps"][0]["output"] == "pod=" + p + "\nns=" + p + "\n" + p + "\n");
  }
  // A NUL would cut an argument short: such a value is not used, and the step needing it is skipped.
  const std::string nul = std::string("x\0; touch ", 11) + canary + "-11";
  nlohmann::json alert = {{"labels", {{"alertname", "PodCrashLooping"}, {"pod", nul}, {"namespace", "ok"}, {"reason", "ok"}}}};
  write_file(tmp.sub("alert.json"), alert.dump());
  auto r = run_process({runbook_bin(), "handle", tmp.sub("alert.json"), "--playbooks", tmp.sub("playbooks"),
                        "--evidence", tmp.sub("run-nul"), "--json"});
  const auto out = parse_json(r);
  CHECK(r.exit_code == 0);
  CHECK(out["steps"][0]["status"] == "skipped");
  CHECK(r.err.find("NUL") != std::string::npos);
  for (int i = 1; i <= 11; ++i) CHECK_MESSAGE(!fs::exists(canary + "-" + std::to_string(i)), "canary " << i << " fired");
}

TEST_CASE("read-only diagnostics of one section run concurrently; the evidence stays in step order") {
  TempDir tmp;
  write_file(tmp.sub("slow.md"), R"(# Slow checks

## Gather

```bash
sleep 1; echo one
```

```bash
sleep 1; echo two
```

```bash
sleep 1; echo three
```
)");
  write_file(tmp.sub("policy.yaml"), "concurrency: 3\n");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_process({runbook_bin(), "run", tmp.sub("slow.md"), "--headless", "--policy", tmp.sub("policy.yaml"),
                        "--evidence", tmp.sub("run"), "--json"});
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto out = parse_json(r);
  CHECK(r.exit_code == 0);
  CHECK(took < 2.6);  // in turn it takes 3 s or more
  const auto finished = of_type(records_in(tmp.sub("run")), "step_finished");
  REQUIRE(finished.size() == 3);
  const char* words[] = {"one\n", "two\n", "three\n"};
  for (int i = 0; i < 3; ++i) {
    CHECK(finished[static_cast<std::size_t>(i)]["step"] == "gather/" + std::to_string(i + 1));
    CHECK(finished[static_cast<std::size_t>(i)]["stdout"]["text"] == words[i]);
  }
  CHECK(finished[2]["concurrent"] == true);
  CHECK(finished[2]["head_start_ms"].get<long long>() >= 500);  // it started long before its turn

  // With concurrency 1 they run one after the other.
  write_file(tmp.sub("serial.yaml"), "concurrency: 1\n");
  const auto t1 = std::chrono::steady_clock::now();
  auto s = run_process({runbook_bin(), "run", tmp.sub("slow.md"), "--headless", "--policy", tmp.sub("serial.yaml"),
                        "--evidence", tmp.sub("serial")});
  CHECK(s.exit_code == 0);
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count() >= 3.0);
}

TEST_CASE("the run's deadline stops a hanging diagnostic and the run; SIGTERM ends a run resumably") {
  TempDir tmp;
  write_file(tmp.sub("hang.md"), R"(# Hang

## Look

```bash
sleep 60
```

```bash
echo never reached
```
)");
  write_file(tmp.sub("policy.yaml"), "deadline: 2s\nconcurrency: 1\n");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_process({runbook_bin(), "run", tmp.sub("hang.md"), "--headless", "--policy", tmp.sub("policy.yaml"),
                        "--evidence", tmp.sub("run"), "--json"});
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 15);
  const auto out = parse_json(r);
  CHECK(r.exit_code == 5);
  CHECK(out["outcome"] == "awaiting-operator");
  CHECK(out["stopped_at"]["reason"].get<std::string>().find("deadline") != std::string::npos);
  CHECK(out["steps"][0]["end"] == "timed-out");

  // SIGTERM while a step runs: the step's group is stopped, the run ends, resumable (exit 5).
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl(runbook_bin().c_str(), "runbook", "run", tmp.sub("hang.md").c_str(), "--headless", "--evidence",
          tmp.sub("term").c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait for the step to start, then stop the run.
  for (int i = 0; i < 100 && !fs::exists(tmp.sub("term/evidence.jsonl")); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 5);
  const auto records = records_in(tmp.sub("term"));
  CHECK(records.back()["type"] == "run_finished");
  CHECK(records.back()["outcome"] == "quit");
  CHECK(of_type(records, "step_finished").size() == 1);  // the second step never ran
}
