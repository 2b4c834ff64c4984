// Adversarial playbooks: commands that write, delete or call out, written every way a shell
// allows, some of them marked headless=allow by the playbook. Under the default policy (and under
// a policy that allows mutating steps the playbook does not mark) not one of them may run: no
// canary file appears, no fake cluster tool is called, and the evidence names the hand-over.
#include <doctest.h>

#include <filesystem>
#include <fstream>

#include "evidence/log.h"
#include "process_support.h"
#include "run_support.h"
#include "test_support.h"

using namespace runbook;
using runbook::testing::run_process;
using runbook::testing::runbook_bin;
using runbook::testing::source_root;
using runbook::testing::TempDir;
using runbook::testing::read_file;
using runbook::testing::write_file;
namespace fs = std::filesystem;

namespace {

/// Commands that change something; C is replaced by the canary directory.
std::vector<std::string> adversarial_commands() {
  return {
      "touch C/1",
      "echo hi > C/2",
      "echo hi >> C/3",
      "cat /etc/hostname | tee C/4",
      "ls / ; touch C/5",
      "ls / && touch C/6",
      "false || touch C/7",
      "echo $(touch C/8)",
      "echo `touch C/9`",
      "cat <(touch C/10)",
      "bash -c 'touch C/11'",
      "sh -c \"touch C/12\"",
      "eval \"touch C/13\"",
      "env touch C/14",
      "find C -maxdepth 0 -exec touch C/16 \\;",
      "echo C/17 | xargs touch",
      "cp /etc/hostname C/18",
      "mkdir C/19",
      "rm -rf C/keep",
      "sed -i 's/original/changed/' C/keepfile",
      "dd if=/dev/zero of=C/20 bs=1 count=1",
      "python3 -c \"open('C/21', 'w')\"",
      "cat > C/22 <<EOF\nx\nEOF",
      "awk 'BEGIN { system(\"touch C/23\") }'",
      "ln -s /etc/hostname C/24",
      ": > C/25",
      "true | touch C/26",
      "ls / >C/27",
      "kubectl delete pod api-1",
      "kubectl rollout restart deployment/api",
      "kubectl scale deployment/api --replicas=0",
      "kubectl exec -it api-1 -- rm -rf /data",
      "systemctl restart nginx",
      "curl -X POST http://127.0.0.1:9/admin/flush",
      "psql -c 'DROP TABLE orders'",
      "helm uninstall api",
      "docker rm -f api",
      "aws s3 rm s3://bucket --recursive",
      "redis-cli FLUSHALL",
  };
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

struct Arena {
  TempDir tmp{"adversarial"};
  std::string canary = tmp.sub("canary");
  std::string fake_log = tmp.sub("fake-calls.log");
  std::vector<std::string> env;
  Arena() {
    fs::create_directories(canary + "/keep");
    write_file(canary + "/keepfile", "original\n");
    env = {"PATH=" + (source_root() / "tests/fakes/bin").string() + ":" + std::getenv("PATH"),
           "RUNBOOK_FAKE_LOG=" + fake_log, "NO_COLOR=1"};
  }
  /// Nothing written, deleted or called.
  void check_untouched() const {
    std::vector<std::string> entries;
    for (const auto& e : fs::directory_iterator(canary)) entries.push_back(e.path().filename().string());
    std::sort(entries.begin(), entries.end());
    CHECK(entries == std::vector<std::string>{"keep", "keepfile"});
    CHECK(read_file(canary + "/keepfile") == "original\n");
    CHECK_MESSAGE(read_file(fake_log).empty(), "fake tools were called:\n" << read_file(fake_log));
  }
};

/// Runs `command` as the only step of a playbook, headless; returns the evidence records.
std::vector<nlohmann::json> run_one(const Arena& arena, const std::string& command, int n, const std::string& fence_attr,
                                    const std::string& front_matter, const std::string& policy, int& exit_code) {
  const std::string dir = arena.tmp.sub("case-" + std::to_string(n));
  const std::string body = replace_all(command, "C/", arena.canary + "/");
  write_file(dir + "/playbook.md", front_matter + "# Adversarial " + std::to_string(n) + "\n\n## Act\n\n```bash" + fence_attr +
                                  "\n" + replace_all(body, " C ", " " + arena.canary + " ") + "\n```\n");
  std::vector<std::string> argv = {runbook_bin(), "run", dir + "/playbook.md", "--headless", "--evidence", dir + "/run",
                                   "--json"};
  if (!policy.empty()) {
    write_file(dir + "/policy.yaml", policy);
    argv.insert(argv.end(), {"--policy", dir + "/policy.yaml"});
  }
  auto r = run_process(argv, arena.env);
  exit_code = r.exit_code;
  auto read_back = evidence::read_log(dir + "/run");
  REQUIRE_MESSAGE(read_back.ok(), r.err);
  return read_back->records;
}

}  // namespace

TEST_CASE("the default policy never runs a mutating or destructive command, however it is written") {
  Arena arena;
  const auto commands = adversarial_commands();
  int n = 0;
  for (const auto& command : commands) {
    for (const std::string& attr : {std::string(), std::string(" {headless=allow}")}) {
      ++n;
      int exit_code = -1;
      const std::string fm = attr.empty() ? "" : "---\nheadless:\n  allow: [act/1]\n---\n";
      const auto records = run_one(arena, command, n, attr, fm, "", exit_code);
      INFO("command: " << command << attr);
      CHECK(exit_code == 5);  // awaiting an operator
      int started = 0, handoffs = 0;
      for (const auto& r : records) {
        started += r["type"] == "step_started";
        handoffs += r["type"] == "handoff";
      }
      CHECK(started == 0);
      CHECK(handoffs == 1);
    }
  }
  arena.check_untouched();
}

TEST_CASE("a policy allowing mutating steps runs none the playbook does not mark; both together do run") {
  Arena arena;
  const std::string permissive = "allow:\n  classes: [read-only, mutating, destructive]\n";
  int n = 0;
  for (const auto& command : adversarial_commands()) {
    int exit_code = -1;
    const auto records = run_one(arena, command, ++n, "", "", permissive, exit_code);
    INFO("command: " << command);
    CHECK(exit_code == 5);
    for (const auto& r : records) CHECK(r["type"] != "step_started");
  }
  arena.check_untouched();

  // The test can fail: with both the policy and the playbook allowing it, the write happens.
  int exit_code = -1;
  const auto records = run_one(arena, "touch C/allowed", ++n, " {headless=allow}", "", permissive, exit_code);
  CHECK(exit_code == 0);
  CHECK(fs::exists(arena.canary + "/allowed"));
  bool ran_mutating = false;
  for (const auto& r : records)
    if (r["type"] == "step_started") ran_mutating = r["safety"]["level"] == "mutating" && r["headless"] == true;
  CHECK(ran_mutating);
}

TEST_CASE("the seed playbooks headless, with fake cluster tools: only read-only commands reach a tool") {
  Arena arena;
  const auto seeds = testing::shared_playbooks() / "seeds";
  REQUIRE(fs::exists(seeds));
  write_file(arena.tmp.sub("policy.yaml"), "step_timeout: 5s\ndeadline: 60s\n");
  int runs = 0;
  for (const auto& entry : fs::directory_iterator(seeds)) {
    if (entry.path().extension() != ".md") continue;
    const std::string dir = arena.tmp.sub("seed-" + std::to_string(++runs));
    auto r = run_process({runbook_bin(), "run", entry.path().string(), "--headless", "--policy",
                          arena.tmp.sub("policy.yaml"), "--evidence", dir, "--json", "--var", "NAMESPACE=prod"},
                         arena.env);
    INFO(entry.path() << "\n" << r.err);
    CHECK((r.exit_code == 0 || r.exit_code == 5));
    auto records = evidence::read_log(dir);
    REQUIRE(records.ok());
    for (const auto& rec : records->records)
      if (rec["type"] == "step_started") CHECK_MESSAGE(rec["safety"]["level"] == "read-only", rec["command"]);
  }
  CHECK(runs >= 3);
  // Every call the fakes saw is a read: no verb that changes a cluster.
  const std::string calls = read_file(arena.fake_log);
  for (const char* verb : {"[delete]", "[apply]", "[scale]", "[patch]", "[edit]", "[restart]", "[stop]", "[rollout] [undo]",
                           "[rollout] [restart]", "[uninstall]", "[rm]", "[FLUSHALL]", "[-X] [POST]"})
    CHECK_MESSAGE(calls.find(verb) == std::string::npos, verb << " in:\n" << calls);
}
