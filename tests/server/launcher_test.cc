// The real launcher: `handle` arguments, and a stand-in script run through the process runner
// (timeouts and interrupts reach the child).
#include <doctest.h>
#include <sys/stat.h>

#include <fstream>

#include "server/launcher.h"
#include "server_support.h"

using namespace runbook;
using namespace runbook::testing;

namespace {

std::string script(const TempDir& tmp, const std::string& name, const std::string& body) {
  const std::string path = tmp.sub(name);
  std::ofstream(path) << "#!/bin/sh\n" << body;
  chmod(path.c_str(), 0755);
  return path;
}

}  // namespace

TEST_CASE("the handle command line follows the contract") {
  server::HandleCommand cmd;
  cmd.program = "/usr/bin/runbook";
  cmd.playbooks = "/srv/playbooks";
  server::LaunchRequest req{4, "/runs/4-x/alert.json", "/runs/4-x"};
  CHECK(server::handle_argv(cmd, req) ==
        std::vector<std::string>{"/usr/bin/runbook", "handle", "/runs/4-x/alert.json", "--playbooks", "/srv/playbooks",
                                 "--evidence-dir", "/runs/4-x", "--json", "--alert-format", "labels"});
  cmd.policy = "/etc/p.yaml";
  cmd.config = "/etc/c.yaml";
  auto argv = server::handle_argv(cmd, req);
  CHECK(std::vector<std::string>(argv.end() - 4, argv.end()) ==
        std::vector<std::string>{"--policy", "/etc/p.yaml", "--config", "/etc/c.yaml"});
}

TEST_CASE("the real launcher runs the program, captures its JSON, and enforces timeout and interrupt") {
  TempDir tmp("launcher");
  server::HandleCommand cmd;
  cmd.playbooks = tmp.str();
  cmd.grace = std::chrono::milliseconds(500);
  server::LaunchRequest req{1, tmp.sub("alert.json"), tmp.str()};
  exec::Interrupt interrupt;

  SUBCASE("exit status and stdout") {
    cmd.program = script(tmp, "ok.sh", "echo \"$@\" > \"$6/args\"\necho '{\"outcome\":\"awaiting-operator\"}'\n"
                                      "echo progress >&2\nexit 5\n");
    auto result = server::make_handle_launcher(cmd)->launch(req, interrupt);
    CHECK(result.run.end == exec::RunResult::End::Exited);
    CHECK(result.run.exit_code == 5);
    CHECK(json::parse(result.out)["outcome"] == "awaiting-operator");
    CHECK(result.err == "progress\n");
    std::ifstream args(tmp.sub("args"));
    std::string line;
    std::getline(args, line);
    CHECK(line == "handle " + tmp.sub("alert.json") + " --playbooks " + tmp.str() + " --evidence-dir " + tmp.str() +
                      " --json --alert-format labels");
  }
  SUBCASE("timeout") {
    cmd.program = script(tmp, "slow.sh", "sleep 30\n");
    cmd.timeout = std::chrono::milliseconds(300);
    const auto t0 = std::chrono::steady_clock::now();
    auto result = server::make_handle_launcher(cmd)->launch(req, interrupt);
    CHECK(result.run.end == exec::RunResult::End::TimedOut);
    CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  }
  SUBCASE("interrupt (shutdown or cancel)") {
    cmd.program = script(tmp, "slow.sh", "sleep 30\n");
    std::thread raiser([&] {
      std::this_thread::sleep_for(200ms);
      interrupt.raise();
    });
    const auto t0 = std::chrono::steady_clock::now();
    auto result = server::make_handle_launcher(cmd)->launch(req, interrupt);
    raiser.join();
    CHECK(result.run.end == exec::RunResult::End::Interrupted);
    CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  }
  SUBCASE("a missing program fails to start") {
    cmd.program = tmp.sub("does-not-exist");
    auto result = server::make_handle_launcher(cmd)->launch(req, interrupt);
    CHECK(result.run.end == exec::RunResult::End::FailedToStart);
  }
}
