// End to end: the real `runbook` binary running playbooks with real processes, a real SQLite
// database and a small real web service, then verify, report and resume.
#include <doctest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "evidence/log.h"
#include "executor_support.h"
#include "process_support.h"
#include "test_support.h"

using namespace runbook;
using runbook::testing::run_process;
using runbook::testing::runbook_bin;
using runbook::testing::source_root;
using runbook::testing::TempDir;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<nlohmann::json> records_in(const std::string& dir) {
  auto read = evidence::read_log(dir);
  REQUIRE_MESSAGE(read.ok(), (read.ok() ? "" : read.error().describe()));
  return read->records;
}

int free_port() {
  std::random_device rd;
  return 20000 + static_cast<int>(rd() % 20000);
}

}  // namespace

TEST_CASE("the bundled example: a real service and database, diagnosed, fixed and reported") {
  TempDir tmp;
  fs::copy(source_root() / "examples", tmp.path() / "examples", fs::copy_options::recursive);
  fs::remove_all(tmp.path() / "examples/service-down/state");
  const std::string port = std::to_string(free_port());
  const std::string example = tmp.str("examples/service-down");
  const std::vector<std::string> env = {"SERVICE_PORT=" + port, "NO_COLOR=1"};
  auto staged = run_process({example + "/service.sh", "break"}, env);
  REQUIRE_MESSAGE(staged.exit_code == 0, staged.err);

  const std::string evidence_dir = tmp.str("evidence");
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
  CHECK(finished.at("diagnose/is-the-process-alive/1")["stdout"]["text"] == "no process serves the orders API\n");
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
  const std::string dir = tmp.str("ev");
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
  const std::string fake_log = tmp.str("calls.log");
  const std::string path = (source_root() / "tests/fakes/bin").string() + ":" + std::getenv("PATH");
  const fs::path seeds = runbook::testing::shared_playbooks() / "seeds";
  int walked = 0;
  for (const auto& entry : fs::directory_iterator(seeds)) {
    if (entry.path().extension() != ".md") continue;
    const std::string dir = tmp.str("ev-" + entry.path().stem().string());
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
