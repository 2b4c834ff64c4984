// End to end: the real `runbook` binary running playbooks with real processes, a real SQLite
// database and a small real web service, then verify, report and resume.
#include <doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "evidence/log.h"
#include "executor_support.h"
#include "process_support.h"
#include "run_support.h"
#include "test_support.h"

using namespace runbook;
using runbook::testing::run_process;
using runbook::testing::runbook_bin;
using runbook::testing::source_root;
using runbook::testing::TempDir;
using runbook::testing::free_port;
using runbook::testing::read_file;
using runbook::testing::records_in;
namespace fs = std::filesystem;

TEST_CASE("the bundled example: a real service and database, diagnosed, fixed and reported") {
  TempDir tmp;
  fs::copy(source_root() / "examples", tmp.path() / "examples", fs::copy_options::recursive);
  fs::remove_all(tmp.path() / "examples/service-down/state");
  const std::string port = std::to_string(free_port());
  const std::string example = tmp.sub("examples/service-down");
  const std::vector<std::string> env = {"SERVICE_PORT=" + port, "NO_COLOR=1"};
  auto staged = run_process({example + "/service.sh", "break"}, env);
  REQUIRE_MESSAGE(staged.exit_code == 0, staged.err);

  const std::string evidence_dir = tmp.sub("evidence");
  auto r = run_process({runbook_bin(), "run", example + "/playbook.md", "--config", example + "/runbook.yaml",
                        "--answers", example + "/answers.yaml", "--evidence", evidence_dir, "--cwd", tmp.str(),
                        "--var", "SERVICE_PORT=" + port},
                       env);
  run_process({example + "/service.sh", "stop"}, env);
  INFO(r.out);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("run completed") != std::string::npos);

  const auto records = records_in(evidence_dir);
  std::map<std::string, nlohmann::json> finished;
  for (const auto& rec : records)
    if (rec["type"] == "step_finished") finished[rec["step"].get<std::string>()] = rec;
  // The service was down: nothing listened, no process.
  CHECK(finished.at("diagnose/is-the-api-answering/1")["stdout"]["text"].get<std::string>().find("nothing listens on " + port) != std::string::npos);
  // (Other copies of the demo may run on this machine; this one's path must not show.)
  CHECK(finished.at("diagnose/is-the-process-alive/1")["stdout"]["text"].get<std::string>().find(example) == std::string::npos);
  // The SQL step read the three stuck orders from the real SQLite file.
  const auto& sql = finished.at("diagnose/what-does-the-database-say/1");
  CHECK(sql["ok"] == true);
  CHECK(sql["rows"].size() == 3);
  CHECK(sql["columns"] == nlohmann::json({"id", "status", "updated_at"}));
  CHECK(sql["read_only"] == true);
  // Option 1 restarted it, and the verification answered.
  CHECK(finished.at("fix/option-1-restart-the-service/1")["ok"] == true);
  CHECK(finished.count("fix/option-2-release-stuck-orders/1") == 0);
  CHECK(finished.count("fix/option-3-purge-stuck-orders/1") == 0);
  CHECK(finished.at("verify/1")["ok"] == true);
  CHECK(finished.at("verify/1")["stdout"]["text"].get<std::string>().find("\"status\": \"ok\"") != std::string::npos);

  auto v = run_process({runbook_bin(), "verify", evidence_dir});
  CHECK(v.exit_code == 0);
  CHECK(v.out.find("hash chain intact") != std::string::npos);

  auto md = run_process({runbook_bin(), "report", evidence_dir});
  CHECK(md.exit_code == 0);
  CHECK(md.out.find("# Incident report: Orders API Down") != std::string::npos);
  CHECK(md.out.find("Option 1: Restart the service") != std::string::npos);
  CHECK(md.out.find("a restart releases the stuck orders") != std::string::npos);
  CHECK(md.out.find("## Post-mortem draft") != std::string::npos);
  auto js = run_process({runbook_bin(), "report", evidence_dir, "--format", "json"});
  REQUIRE(js.exit_code == 0);
  auto rep = nlohmann::json::parse(js.out);
  CHECK(rep["run"]["outcome"] == "completed");
  CHECK(rep["decisions"].size() == 1);
  CHECK(rep["checklist"].size() == 3);
  CHECK(rep["notes"].size() == 1);
}

TEST_CASE("tampering with a record is caught by verify, which names it") {
  TempDir tmp;
  fs::path pb = tmp.path() / "pb.md";
  std::ofstream(pb) << "# T\n\n## A\n\n```bash\necho one\n```\n\n## B\n\n```bash\necho two\n```\n";
  const std::string dir = tmp.sub("ev");
  auto r = run_process({runbook_bin(), "run", pb.string(), "--answers", "/dev/null", "--evidence", dir});
  // No answers at all: the run stops at the first prompt, resumable.
  CHECK(r.exit_code == 5);
  r = run_process({runbook_bin(), "resume", dir, "--answers", (source_root() / "tests/executor/run-all.yaml").string()});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  std::string log = read_file(fs::path(dir) / evidence::kLogFile);
  const auto at = log.find("echo two");
  REQUIRE(at != std::string::npos);
  log[at + 5] = 'X';
  std::ofstream(fs::path(dir) / evidence::kLogFile, std::ios::binary | std::ios::trunc) << log;
  auto v = run_process({runbook_bin(), "verify", dir});
  CHECK(v.exit_code == 6);
  CHECK(v.err.find("does not verify") != std::string::npos);
}

TEST_CASE("seed playbooks walk end to end with fake cluster tools on PATH; mutating steps are refused") {
  TempDir tmp;
  const std::string fake_log = tmp.sub("calls.log");
  const std::string path = (source_root() / "tests/fakes/bin").string() + ":" + std::getenv("PATH");
  const fs::path seeds = runbook::testing::shared_playbooks() / "seeds";
  int walked = 0;
  for (const auto& entry : fs::directory_iterator(seeds)) {
    if (entry.path().extension() != ".md") continue;
    const std::string dir = tmp.sub("ev-" + entry.path().stem().string());
    auto r = run_process({runbook_bin(), "run", entry.path().string(), "--answers",
                          (source_root() / "tests/executor/drill.yaml").string(), "--config",
                          (source_root() / "tests/executor/drill-config.yaml").string(), "--evidence", dir},
                         {"PATH=" + path, "RUNBOOK_FAKE_LOG=" + fake_log, "NO_COLOR=1"});
    INFO(entry.path());
    INFO(r.out.substr(r.out.size() > 3000 ? r.out.size() - 3000 : 0));
    CHECK(r.exit_code == 0);
    CHECK(evidence::verify(dir).ok);
    for (const auto& rec : records_in(dir)) {
      if (rec["type"] != "step_started") continue;
      // Only read-only commands ran: the drill confirms nothing.
      CHECK(rec["safety"]["level"] == "read-only");
    }
    ++walked;
  }
  CHECK(walked == 3);
  const std::string calls = read_file(fake_log);
  CHECK(calls.find("kubectl [get]") != std::string::npos);
  CHECK(calls.find("kubectl [delete]") == std::string::npos);
}

namespace {

/// Runs the binary and reports its exit status and peak resident memory (from wait4).
struct Measured {
  int exit_code = -1;
  long max_rss_kib = 0;
};
Measured run_measured(const std::vector<std::string>& argv) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  return Measured{WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), usage.ru_maxrss};
}

}  // namespace

TEST_CASE("hanging, flooding and forking steps: timeouts stop whole groups, output stays bounded") {
  TempDir tmp;
  std::ofstream(tmp.path() / "pb.md") << R"(# Misbehaving Commands

## Hang

```bash {timeout=1s}
sleep 300; echo HANGMARKER-never
```

## Flood

```bash
head -c 300000000 /dev/zero
```

## Fork

```bash {timeout=1s}
for i in $(seq 20); do sleep 300 & done; echo FORKMARKER; wait
```
)";
  const std::string dir = tmp.sub("ev");
  const auto m = run_measured({runbook_bin(), "run", tmp.sub("pb.md"), "--answers",
                               (source_root() / "tests/executor/drill.yaml").string(), "--evidence", dir});
  CHECK(m.exit_code == 0);
  MESSAGE("peak RSS of runbook while a step printed 300 MB: " << m.max_rss_kib / 1024 << " MiB");
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer's shadow memory and quarantine make RSS meaningless; the plain build checks it.
  CHECK(m.max_rss_kib > 0);
#else
  CHECK(m.max_rss_kib < 64 * 1024);
#endif
  std::map<std::string, nlohmann::json> finished;
  int timeouts = 0;
  for (const auto& rec : records_in(dir)) {
    if (rec["type"] == "step_finished") finished[rec["step"].get<std::string>()] = rec;
    timeouts += rec["type"] == "timeout";
  }
  CHECK(timeouts == 2);
  CHECK(finished.at("hang/1")["end"] == "timed-out");
  CHECK(finished.at("hang/1")["duration_ms"].get<long>() < 5000);
  CHECK(finished.at("fork/1")["end"] == "timed-out");
  const auto& flood = finished.at("flood/1")["stdout"];
  CHECK(flood["bytes"] == 300000000);
  CHECK(flood["truncated"] == true);
  CHECK(flood["text"].get<std::string>().size() == 1u << 20);
  CHECK(fs::file_size(fs::path(dir) / flood["file"].get<std::string>()) == 300000000u);
  // Nothing of the hanging or forking steps survived.
  CHECK(run_process({"pgrep", "-f", "HANGMARKER"}).exit_code == 1);
  CHECK(run_process({"pgrep", "-f", "FORKMARKER"}).exit_code == 1);
}

TEST_CASE("SQL steps against a real PostgreSQL: rows recorded, read-only steps cannot write") {
  const char* dsn = std::getenv("RUNBOOK_TEST_PG");
  if (!dsn) {
    MESSAGE("RUNBOOK_TEST_PG is not set (./dev test sets it); skipping the PostgreSQL walk");
    return;
  }
  TempDir tmp;
  const std::string schema = "runbook_exec_" + std::to_string(getpid());
  std::ofstream(tmp.path() / "run.yaml") << "targets:\n  main: {driver: postgres, dsn_env: RUNBOOK_TEST_PG}\n";
  std::ofstream(tmp.path() / "pb.md")
      << "# PG\n\n## Set up\n\n```sql {target=main}\nCREATE SCHEMA " << schema << ";\nCREATE TABLE " << schema
      << ".jobs (id int, state text);\nINSERT INTO " << schema << ".jobs VALUES (1, 'stuck'), (2, 'done');\n"
      << "CREATE FUNCTION " << schema << ".bump() RETURNS int LANGUAGE sql AS $$ UPDATE " << schema
      << ".jobs SET state = 'bumped' RETURNING 1 $$;\n```\n\n"
      << "## Look\n\n```sql {target=main}\nSELECT id, state FROM " << schema << ".jobs WHERE state = 'stuck';\n```\n\n"
      << "## Sneaky\n\nA SELECT that writes through a function: read-only by its look, refused by the database.\n\n"
      << "```sql\nSELECT " << schema << ".bump();\n```\n\n"
      << "## Still stuck\n\n```sql\nSELECT count(*) AS stuck FROM " << schema << ".jobs WHERE state = 'stuck';\n```\n\n"
      << "## Clean up\n\n```sql\nDROP SCHEMA " << schema << " CASCADE;\n```\n";
  const std::string dir = tmp.sub("ev");
  auto r = run_process({runbook_bin(), "run", tmp.sub("pb.md"), "--config", tmp.sub("run.yaml"), "--answers",
                        (source_root() / "tests/executor/run-all.yaml").string(), "--evidence", dir});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  std::map<std::string, nlohmann::json> finished;
  for (const auto& rec : records_in(dir))
    if (rec["type"] == "step_finished") finished[rec["step"].get<std::string>()] = rec;
  CHECK(finished.at("look/1")["ok"] == true);
  CHECK(finished.at("look/1")["read_only"] == true);
  CHECK(finished.at("look/1")["rows"] == nlohmann::json::array({nlohmann::json::array({1, "stuck"})}));
  CHECK(finished.at("look/1")["table"].get<std::string>().find("(1 row)") != std::string::npos);
  // The classifier saw a SELECT; the read-only transaction stopped the write it hid.
  CHECK(finished.at("sneaky/1")["ok"] == false);
  CHECK(finished.at("sneaky/1")["error"].get<std::string>().find("read-only") != std::string::npos);
  CHECK(finished.at("still-stuck/1")["rows"] == nlohmann::json::array({nlohmann::json::array({1})}));
  CHECK(finished.at("set-up/1")["read_only"] == false);
  CHECK(finished.at("clean-up/1")["ok"] == true);
}
