// PromQL steps: the Beast client against a real HTTP server on loopback.
#include <doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "executor/prometheus.h"
#include "test_support.h"

using namespace runbook;

namespace {

/// Starts tests/executor/fake_prometheus.py and reads the port it prints.
struct FakePrometheus {
  pid_t pid = -1;
  int port = 0;
  FakePrometheus() {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid = fork();
    if (pid == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      const std::string script = (runbook::testing::source_root() / "tests/executor/fake_prometheus.py").string();
      execlp("python3", "python3", script.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    char buf[32] = {};
    std::size_t got = 0;
    while (got < sizeof buf - 1) {
      const ssize_t n = read(fds[0], buf + got, 1);
      if (n <= 0 || buf[got] == '\n') break;
      ++got;
    }
    close(fds[0]);
    port = std::atoi(buf);
    REQUIRE(port > 0);
  }
  ~FakePrometheus() {
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
  }
};

}  // namespace

TEST_CASE("a promql step queries the Prometheus HTTP API and gets a table of series") {
  FakePrometheus prom;
  const std::string url = "http://127.0.0.1:" + std::to_string(prom.port);
  auto r = executor::query_prometheus(url, "up{job=\"api\"} == 1", std::chrono::seconds(5));
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().describe()));
  CHECK(r->data["resultType"] == "vector");
  // The query arrived intact (URL-encoded on the way).
  CHECK(r->data["result"][0]["metric"]["query"] == "up{job=\"api\"} == 1");
  CHECK(r->table.find("up{") != std::string::npos);
  CHECK(r->table.find("(1 series)") != std::string::npos);

  auto bad = executor::query_prometheus(url, "bad(", std::chrono::seconds(5));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("bad_data: parse error") != std::string::npos);
  auto https = executor::query_prometheus("https://example.com", "up", std::chrono::seconds(1));
  REQUIRE_FALSE(https.ok());
  CHECK(https.error().message.find("http://") != std::string::npos);
}

TEST_CASE("an unreachable Prometheus is an error that names it, within the timeout") {
  const auto t0 = std::chrono::steady_clock::now();
  auto r = executor::query_prometheus("http://127.0.0.1:1", "up", std::chrono::seconds(2));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("127.0.0.1:1") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
}
