// `runbook serve` as a real process: refusals at start-up, SIGTERM drain, and durability across
// kill -9 (every alert answered 2xx has its run row, and queued runs start on the next start).
#include <doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fstream>
#include <regex>
#include <set>

#include "process_support.h"
#include "server_support.h"

using namespace runbook;
using namespace runbook::testing;

namespace {

/// A `runbook serve` child with stderr in a file.
struct ServeProcess {
  pid_t pid = -1;
  std::string log_path;
  unsigned short port = 0;

  ServeProcess(const std::vector<std::string>& args, const std::string& log) : log_path(log) {
    pid = fork();
    if (pid == 0) {
      int devnull = open("/dev/null", O_RDWR);
      int err = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(devnull, 0);
      dup2(devnull, 1);
      dup2(err, 2);
      std::vector<std::string> argv{runbook_bin(), "serve"};
      argv.insert(argv.end(), args.begin(), args.end());
      std::vector<char*> raw;
      for (auto& a : argv) raw.push_back(a.data());
      raw.push_back(nullptr);
      execv(raw[0], raw.data());
      _exit(127);
    }
  }
  ~ServeProcess() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  std::string log() const {
    std::ifstream in(log_path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  /// Waits for the "listening on" line of this start (the log may hold earlier starts).
  bool wait_listening(std::size_t nth = 1) {
    return wait_for([&] {
      static const std::regex line(R"(listening on http://127\.0\.0\.1:(\d+))");
      std::string text = log();
      std::size_t seen = 0;
      for (std::sregex_iterator it(text.begin(), text.end(), line), end; it != end; ++it)
        if (++seen == nth) port = static_cast<unsigned short>(std::stoi((*it)[1]));
      return port != 0;
    });
  }
  int wait_exit() {
    int status = 0;
    waitpid(pid, &status, 0);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
};

/// A stand-in for `runbook handle`: sleeps, then prints a summary and exits 0.
std::string handler_script(const TempDir& tmp, const std::string& name, const std::string& sleep) {
  const std::string path = tmp.sub(name);
  std::ofstream(path) << "#!/bin/sh\nsleep " << sleep << "\n"
                      << "echo '{\"outcome\":\"completed\",\"playbook\":{\"path\":\"pb.md\",\"title\":\"PB\"},"
                         "\"counts\":{},\"summary_markdown\":\"ok\"}'\n";
  chmod(path.c_str(), 0755);
  return path;
}

}  // namespace

TEST_CASE("serve refuses a non-loopback address without --allow-remote, and a missing auth choice") {
  TempDir tmp("serve");
  auto remote = run_process({runbook_bin(), "serve", "--listen", "0.0.0.0:0", "--playbooks", tmp.str(), "--no-auth",
                             "--state", tmp.sub("s.db")});
  CHECK(remote.exit_code == 2);
  CHECK(remote.err.find("not a loopback address") != std::string::npos);
  CHECK(remote.err.find("--allow-remote") != std::string::npos);

  auto remote_no_auth = run_process({runbook_bin(), "serve", "--listen", "0.0.0.0:0", "--allow-remote", "--playbooks",
                                     tmp.str(), "--no-auth", "--state", tmp.sub("s.db")});
  CHECK(remote_no_auth.exit_code == 2);
  CHECK(remote_no_auth.err.find("--no-auth") != std::string::npos);

  auto no_auth_choice = run_process({runbook_bin(), "serve", "--listen", "127.0.0.1:0", "--playbooks", tmp.str(),
                                     "--state", tmp.sub("s.db")});
  CHECK(no_auth_choice.exit_code == 2);
  CHECK(no_auth_choice.err.find("--token-file") != std::string::npos);

  std::ofstream(tmp.sub("empty-token")) << "\n";
  auto empty = run_process({runbook_bin(), "serve", "--listen", "127.0.0.1:0", "--playbooks", tmp.str(),
                            "--token-file", tmp.sub("empty-token"), "--state", tmp.sub("s.db")});
  CHECK(empty.exit_code == 3);
  CHECK(empty.err.find("is empty") != std::string::npos);

  auto https = run_process({runbook_bin(), "serve", "--listen", "127.0.0.1:0", "--playbooks", tmp.str(), "--no-auth",
                            "--notify-url", "https://hooks.example/x", "--state", tmp.sub("s.db")});
  CHECK(https.exit_code == 2);
  CHECK(https.err.find("http://") != std::string::npos);
}

TEST_CASE("serve: token file, SIGTERM drains the running run to its end, exit 0") {
  TempDir tmp("serve");
  std::ofstream(tmp.sub("token")) << "tok-123\n";
  ServeProcess serve({"--listen", "127.0.0.1:0", "--playbooks", tmp.str(), "--token-file", tmp.sub("token"),
                      "--state", tmp.sub("state/state.db"), "--handle-command", handler_script(tmp, "h.sh", "0.7"),
                      "--drain-timeout", "20s"},
                     tmp.sub("serve.log"));
  REQUIRE(serve.wait_listening());
  CHECK(http_call(serve.port, "POST", "/alerts", alertmanager_body("A", "1"), {{"Authorization", "Bearer wrong"}})
            .status == 401);
  auto ok = http_call(serve.port, "POST", "/alerts", alertmanager_body("A", "1"), {{"Authorization", "Bearer tok-123"}});
  REQUIRE(ok.status == 202);
  REQUIRE(wait_for([&] { return statuses_on_disk(tmp.sub("state/state.db"))[1] == "running"; }));
  kill(serve.pid, SIGTERM);
  CHECK(serve.wait_exit() == 0);
  CHECK(statuses_on_disk(tmp.sub("state/state.db"))[1] == "completed");
  const std::string log = serve.log();
  CHECK(log.find("received SIGTERM") != std::string::npos);
  CHECK(log.find("run 1: completed") != std::string::npos);
  CHECK(std::filesystem::exists(tmp.sub("state/runs/1-a/alert.json")));
}

TEST_CASE("serve: SIGTERM with a short drain interrupts the run; queued runs stay queued") {
  TempDir tmp("serve");
  ServeProcess serve({"--listen", "127.0.0.1:0", "--playbooks", tmp.str(), "--no-auth", "--state", tmp.sub("s.db"),
                      "--handle-command", handler_script(tmp, "h.sh", "30"), "--workers", "1", "--drain-timeout",
                      "200ms"},
                     tmp.sub("serve.log"));
  REQUIRE(serve.wait_listening());
  REQUIRE(http_call(serve.port, "POST", "/alerts", alertmanager_body({{"A", "1"}, {"B", "2"}})).status == 202);
  REQUIRE(wait_for([&] { return statuses_on_disk(tmp.sub("s.db"))[1] == "running"; }));
  const auto t0 = std::chrono::steady_clock::now();
  kill(serve.pid, SIGTERM);
  CHECK(serve.wait_exit() == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  auto on_disk = statuses_on_disk(tmp.sub("s.db"));
  CHECK(on_disk[1] == "interrupted");
  CHECK(on_disk[2] == "queued");
}

TEST_CASE("durability: kill -9 while alerts pour in; every 2xx has its row; queued runs start on restart") {
  TempDir tmp("serve");
  const std::string state = tmp.sub("state/state.db");
  const std::string log = tmp.sub("serve.log");
  std::set<std::int64_t> acknowledged;
  std::set<std::string> acknowledged_fps;
  {
    ServeProcess serve({"--listen", "127.0.0.1:0", "--playbooks", tmp.str(), "--no-auth", "--state", state,
                        "--handle-command", handler_script(tmp, "slow.sh", "2"), "--workers", "1"},
                       log);
    REQUIRE(serve.wait_listening());
    std::mutex mutex;
    std::atomic<int> answered{0};
    std::vector<std::thread> senders;
    for (int t = 0; t < 4; ++t)
      senders.emplace_back([&, t] {
        for (int i = 0; i < 200; ++i) {
          const std::string fp = "fp-" + std::to_string(t) + "-" + std::to_string(i);
          auto r = http_call(serve.port, "POST", "/alerts", alertmanager_body("Burst", fp), {}, 2s);
          if (r.status == 0) return;  // the server is gone
          if (r.status >= 200 && r.status < 300) {
            std::lock_guard lock(mutex);
            const json answer = r.parsed();
            for (const auto& id : answer["created"]) acknowledged.insert(id.get<std::int64_t>());
            acknowledged_fps.insert(fp);
            ++answered;
          }
        }
      });
    // Kill in the middle of the burst, with requests in flight.
    REQUIRE(wait_for([&] { return answered >= 40; }));
    kill(serve.pid, SIGKILL);
    CHECK(serve.wait_exit() == 128 + SIGKILL);
    for (auto& s : senders) s.join();
  }
  std::string log_text;
  {
    std::ifstream in(log);
    log_text.assign(std::istreambuf_iterator<char>(in), {});
  }
  INFO(log_text);
  REQUIRE(acknowledged.size() >= 40);
  MESSAGE(acknowledged.size() << " alerts answered 2xx before kill -9");
  CHECK(acknowledged.size() == acknowledged_fps.size());
  auto on_disk = statuses_on_disk(state);
  for (auto id : acknowledged) {
    INFO("run " << id);
    REQUIRE(on_disk.count(id) == 1);
    const std::string& status = on_disk[id];
    const bool live = status == "queued" || status == "running" || status == "completed";
    CHECK_MESSAGE(live, status);
  }
  std::set<std::int64_t> was_running;
  for (const auto& [id, status] : on_disk)
    if (status == "running") was_running.insert(id);
  CHECK(was_running.size() <= 1);

  // Restart on the same state with a fast handler: the crashed run is interrupted, the rest run.
  ServeProcess again({"--listen", "127.0.0.1:0", "--playbooks", tmp.str(), "--no-auth", "--state", state,
                      "--handle-command", handler_script(tmp, "fast.sh", "0"), "--workers", "2"},
                     log);
  REQUIRE(again.wait_listening(2));
  if (!was_running.empty()) CHECK(again.log().find("marked interrupted") != std::string::npos);
  REQUIRE(wait_for(
      [&] {
        for (const auto& [id, status] : statuses_on_disk(state))
          if (status == "queued" || status == "running") return false;
        return true;
      },
      60s));
  auto after = statuses_on_disk(state);
  for (auto id : acknowledged) {
    INFO("run " << id);
    if (was_running.count(id)) CHECK(after[id] == "interrupted");
    else CHECK(after[id] == "completed");
  }
  // The API agrees with the disk.
  auto runs = http_call(again.port, "GET", "/runs?limit=1000").parsed()["runs"];
  CHECK(runs.size() == after.size());
  kill(again.pid, SIGTERM);
  CHECK(again.wait_exit() == 0);
}

TEST_CASE("serve with the real handle: Alertmanager and PagerDuty alerts run their playbooks; evidence is served") {
  TempDir tmp("serve-real");
  std::filesystem::create_directories(tmp.sub("playbooks"));
  std::ofstream(tmp.sub("playbooks/disk.md")) << "---\nalerts: [\"Disk full on db-1\"]\n---\n# Disk full\n\n"
                                                 "## Look\n\n```bash\necho \"disk check for $service\"\n```\n";
  std::ofstream(tmp.sub("playbooks/api.md")) << "# API errors\n\n## Detection\n\n- Alert: \"ApiErrors\"\n\n"
                                                "## Look\n\n```bash\necho \"fingerprint seen\"\n```\n";
  ServeProcess serve({"--listen", "127.0.0.1:0", "--playbooks", tmp.sub("playbooks"), "--no-auth", "--state",
                      tmp.sub("state/state.db")},
                     tmp.sub("serve.log"));
  REQUIRE(serve.wait_listening());
  auto am = http_call(serve.port, "POST", "/alerts", alertmanager_body("ApiErrors", "fp-am-1"));
  REQUIRE(am.status == 202);
  auto pd = http_call(serve.port, "POST", "/alerts/pagerduty", pagerduty_body("PD42"));
  REQUIRE(pd.status == 202);
  auto none = http_call(serve.port, "POST", "/alerts", alertmanager_body("NobodyHandlesThis", "fp-x"));
  REQUIRE(none.status == 202);
  INFO(serve.log());
  REQUIRE(wait_for([&] {
    auto st = statuses_on_disk(tmp.sub("state/state.db"));
    return st.size() == 3 && st[1] != "queued" && st[1] != "running" && st[2] != "queued" && st[2] != "running" &&
           st[3] != "queued" && st[3] != "running";
  }, std::chrono::seconds(30)));
  auto st = statuses_on_disk(tmp.sub("state/state.db"));
  CHECK(st[1] == "completed");
  CHECK(st[2] == "completed");   // routed by the incident's title, which the front matter lists
  CHECK(st[3] == "no-playbook");

  auto run1 = http_call(serve.port, "GET", "/runs/1", "");
  REQUIRE(run1.status == 200);
  const auto j = run1.parsed();
  INFO(run1.body);
  CHECK(j.dump().find("fingerprint seen") != std::string::npos);
  auto ev = http_call(serve.port, "GET", "/runs/1/evidence", "");
  REQUIRE(ev.status == 200);
  // The evidence names the alert by the fingerprint the server keyed it by.
  CHECK(ev.body.find("\"fingerprint\":\"fp-am-1\"") != std::string::npos);
  auto run2 = http_call(serve.port, "GET", "/runs/2", "");
  CHECK(run2.body.find("disk check for database") != std::string::npos);  // the service label
  kill(serve.pid, SIGTERM);
  CHECK(serve.wait_exit() == 0);
}
