// kill -9 at random moments: every evidence log verifies up to its last whole record, and
// `runbook resume` carries the run to its end.
#include <doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "evidence/log.h"
#include "executor_support.h"
#include "process_support.h"
#include "test_support.h"

using namespace runbook;
using runbook::testing::TempDir;
namespace fs = std::filesystem;

namespace {

pid_t spawn(const std::vector<std::string>& argv) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

TEST_CASE("kill -9 at random moments never corrupts the evidence log, and resume finishes the run") {
  TempDir tmp;
  {
    std::ofstream pb(tmp.path() / "pb.md");
    pb << "# Crash Drill\n\n";
    for (int i = 1; i <= 8; ++i)
      pb << "## Step " << i << "\n\n```bash\necho step " << i << "; sleep 0.01\n```\n\n- [ ] looked at step " << i << "\n\n";
  }
  const std::string answers = (runbook::testing::source_root() / "tests/executor/run-all.yaml").string();
  // How long a whole run takes on this build (sanitizers are slow): kills land anywhere in it.
  const auto t0 = std::chrono::steady_clock::now();
  {
    const pid_t pid = spawn({runbook::testing::runbook_bin(), "run", tmp.sub("pb.md"), "--answers", answers,
                             "--evidence", tmp.sub("timing")});
    int status = 0;
    waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
  }
  const auto whole = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  MESSAGE("one whole run takes " << whole.count() / 1000 << " ms");
  // Kill at a random moment within the current window; the window adapts: narrower when runs
  // finish before the kill, wider when kills come before the log exists (machine load varies).
  std::mt19937 rng(12345);
  long window_us = whole.count();
  int killed_mid_run = 0, torn = 0, verified = 0, runs = 0;
  const int min_runs = 50, min_mid_run = 20;
  for (int i = 0; i < 200 && (runs < min_runs || killed_mid_run < min_mid_run); ++i) {
    ++runs;
    std::uniform_int_distribution<long> delay_us(0, std::max(window_us, 1000L));
    const std::string dir = tmp.sub("ev" + std::to_string(i));
    const pid_t pid = spawn({runbook::testing::runbook_bin(), "run", tmp.sub("pb.md"), "--answers", answers,
                             "--evidence", dir});
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!fs::exists(fs::path(dir) / evidence::kLogFile)) {  // killed before the log existed
      window_us = window_us * 5 / 4;
      continue;
    }
    const auto v = evidence::verify(dir);
    INFO("run " << i << ": " << v.reason);
    REQUIRE(v.ok);
    ++verified;
    torn += v.torn_tail;
    auto read = evidence::read_log(dir);
    REQUIRE(read.ok());
    if (read->records.empty()) continue;  // killed before the first record was whole
    bool finished = read->records.back().value("type", "") == "run_finished";
    if (finished) {
      window_us = window_us * 3 / 4;
      continue;
    }
    ++killed_mid_run;
    auto r = runbook::testing::run_process({runbook::testing::runbook_bin(), "resume", dir, "--answers", answers});
    INFO(r.out);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto after = evidence::verify(dir);
    REQUIRE(after.ok);
    CHECK_FALSE(after.torn_tail);
    auto again = evidence::read_log(dir);
    REQUIRE(again.ok());
    CHECK(again->records.back().value("type", "") == "run_finished");
    CHECK(again->records.back().value("outcome", "") == "completed");
    // Each checklist answer is one record, written whole or not at all: across the crash and the
    // resume every item was answered exactly once.
    int checks = 0;
    for (const auto& rec : again->records) checks += rec.value("type", "") == "checklist";
    CHECK(checks == 8);
  }
  MESSAGE(runs << " runs killed: " << verified << " logs verified, " << killed_mid_run << " resumed, " << torn
                << " with a torn last line");
  CHECK(runs >= min_runs);
  CHECK(killed_mid_run >= min_mid_run);
}
