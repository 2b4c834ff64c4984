// The run workers: run directories and alert.json, outcomes from exit codes, the drain on
// shutdown, queued runs across restarts, and chat notifications with retries.
#include <doctest.h>

#include <fstream>

#include "server/outcome.h"
#include "server/workers.h"
#include "server_support.h"

using namespace runbook;
using namespace runbook::testing;
namespace fs = std::filesystem;

TEST_CASE("each run gets <runs>/<id>-<alertname-slug>/alert.json in the labels shape before launch") {
  json seen_alert;
  std::string seen_dir;
  TestServer s({}, [&](const server::LaunchRequest& req, const exec::Interrupt&) {
    std::ifstream in(req.alert_file);
    seen_alert = json::parse(in, nullptr, false);
    seen_dir = req.run_dir;
    return FakeLauncher::exited(0);
  });
  REQUIRE(s.post("/alerts", alertmanager_body("High Error Rate!", "fp-x")).status == 202);
  REQUIRE(s.wait_status(1, "completed"));
  const fs::path expected = fs::path(s.tmp.sub("state/runs")) / "1-high-error-rate";
  CHECK(seen_dir == expected.string());
  CHECK(s.run(1)["run_dir"] == expected.string());
  REQUIRE(seen_alert.is_object());
  CHECK(seen_alert == json{{"labels", {{"alertname", "High Error Rate!"}, {"service", "api"}, {"severity", "page"}}},
                           {"annotations", {{"summary", "High Error Rate! on api"}}},
                           {"status", "firing"},
                           {"fingerprint", "fp-x"}});  // the row's: the evidence names the same alert
  CHECK(server::run_dir_name(7, "$$$") == "7");
}

TEST_CASE("outcomes follow the handle exit status") {
  CHECK(server::status_for_exit(0) == "completed");
  CHECK(server::status_for_exit(5) == "awaiting-operator");
  CHECK(server::status_for_exit(6) == "failed");
  CHECK(server::status_for_exit(7) == "no-playbook");
  CHECK(server::status_for_exit(3) == "failed");
  CHECK(server::status_for_exit(134) == "failed");

  std::map<std::string, int> exit_for = {{"A0", 0}, {"A5", 5}, {"A6", 6}, {"A7", 7}, {"A3", 3}};
  TestServer s({}, [&](const server::LaunchRequest& req, const exec::Interrupt&) {
    std::ifstream in(req.alert_file);
    const std::string name = json::parse(in)["labels"]["alertname"];
    return FakeLauncher::exited(exit_for.at(name));
  });
  REQUIRE(s.post("/alerts", alertmanager_body({{"A0", "0"}, {"A5", "5"}, {"A6", "6"}, {"A7", "7"}, {"A3", "3"}}))
              .status == 202);
  const std::vector<std::string> expected = {"completed", "awaiting-operator", "failed", "no-playbook", "failed"};
  for (int id = 1; id <= 5; ++id) {
    INFO("run " << id);
    CHECK(s.wait_status(id, expected[id - 1]));
  }
  CHECK(s.run(4)["playbook"].is_null());  // no-playbook chose none
  CHECK(s.run(2)["summary"]["stopped_at"]["step"] == "restart");
  CHECK(s.run(5)["exit_code"] == 3);
}

TEST_CASE("handlers that die, time out, print garbage or cannot start fail their run, not the server") {
  using End = exec::RunResult::End;
  std::vector<server::LaunchResult> results(4);
  results[0].run.end = End::Signaled;
  results[0].run.signal = 11;
  results[0].err = "Segmentation fault\n";
  results[1].run.end = End::TimedOut;
  results[2].run.end = End::Exited;
  results[2].run.exit_code = 0;
  results[2].out = "not json";
  results[3].run.end = End::FailedToStart;
  results[3].run.error = "no such file";
  std::atomic<int> next{0};
  TestServer s([](server::ServerOptions& o) { o.workers = 1; },
               [&](const server::LaunchRequest&, const exec::Interrupt&) { return results.at(next++); });
  REQUIRE(s.post("/alerts", alertmanager_body({{"A", "1"}, {"B", "2"}, {"C", "3"}, {"D", "4"}})).status == 202);
  for (int id = 1; id <= 4; ++id) REQUIRE(s.wait_status(id, "failed"));
  CHECK(s.run(1)["summary"]["error"].get<std::string>().find("signal 11") != std::string::npos);
  CHECK(s.run(1)["summary"]["stderr_tail"] == "Segmentation fault\n");
  CHECK(s.run(2)["summary"]["error"].get<std::string>().find("timed out") != std::string::npos);
  CHECK(s.run(3)["summary"]["error"].get<std::string>().find("without a JSON summary") != std::string::npos);
  CHECK(s.run(4)["summary"]["error"].get<std::string>().find("no such file") != std::string::npos);
  CHECK(http_call(s.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("shutdown: running runs get the drain time, then are interrupted; queued ones stay queued") {
  TempDir keep("state");
  Gate gate;
  std::atomic<bool> saw_interrupt{false};
  {
    TestServer s(
        [&](server::ServerOptions& o) {
          o.workers = 1;
          o.drain_timeout = 300ms;
          o.state_path = keep.sub("state.db");
        },
        [&](const server::LaunchRequest&, const exec::Interrupt& interrupt) {
          if (gate.wait(interrupt)) return FakeLauncher::exited(0);
          saw_interrupt = true;
          return FakeLauncher::interrupted();
        });
    REQUIRE(s.post("/alerts", alertmanager_body({{"Long", "1"}, {"Next", "2"}})).status == 202);
    REQUIRE(s.wait_status(1, "running"));
    const auto t0 = std::chrono::steady_clock::now();
    s.stop();
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(took >= 300ms);
    CHECK(took < 3s);
    CHECK(saw_interrupt);
  }
  auto on_disk = statuses_on_disk(keep.sub("state.db"));
  CHECK(on_disk[1] == "interrupted");
  CHECK(on_disk[2] == "queued");

  // The next process starts the queued run.
  TestServer again([&](server::ServerOptions& o) { o.state_path = keep.sub("state.db"); });
  CHECK(again.wait_status(2, "completed"));
  CHECK(again.status_of(1) == "interrupted");
}

TEST_CASE("shutdown: a run that ends within the drain time keeps its real outcome") {
  Gate gate;
  TestServer s([](server::ServerOptions& o) { o.drain_timeout = 5s; }, gate.script(5));
  REQUIRE(s.post("/alerts", alertmanager_body("A", "1")).status == 202);
  REQUIRE(s.wait_status(1, "running"));
  std::thread opener([&] {
    std::this_thread::sleep_for(200ms);
    gate.open();
  });
  const std::string state = s.options.state_path;
  s.stop();
  opener.join();
  CHECK(statuses_on_disk(state)[1] == "awaiting-operator");
}

namespace {

/// A chat webhook on loopback: answers the first `failures` POSTs with 500, then 200; keeps bodies.
class FakeChat {
 public:
  explicit FakeChat(int failures) : failures_(failures), acceptor_(io_) {
    namespace asio = boost::asio;
    asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeChat() {
    stop_ = true;
    int fd = connect_raw(port_);  // unblocks accept()
    if (fd >= 0) close(fd);
    thread_.join();
  }
  unsigned short port() const { return port_; }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }
  int attempts() const { return attempts_; }

 private:
  void serve() {
    namespace beast = boost::beast;
    namespace http = beast::http;
    while (!stop_) {
      boost::system::error_code ec;
      auto socket = acceptor_.accept(ec);
      if (ec || stop_) return;
      beast::tcp_stream stream(std::move(socket));
      beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(stream, buffer, req, ec);
      if (ec) continue;
      const bool fail = attempts_++ < failures_;
      if (!fail) {
        std::lock_guard lock(mutex_);
        bodies_.push_back(req.body());
      }
      http::response<http::string_body> res{fail ? http::status::internal_server_error : http::status::ok, 11};
      res.body() = fail ? "down" : "ok";
      res.prepare_payload();
      http::write(stream, res, ec);
    }
  }

  int failures_;
  std::atomic<int> attempts_{0};
  std::atomic<bool> stop_{false};
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::mutex mutex_;
  std::vector<std::string> bodies_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("notifier: completed and awaiting-operator runs are posted to the chat URL, with retries") {
  FakeChat chat(2);  // down for two attempts
  std::map<std::string, int> exit_for = {{"Done", 0}, {"Waits", 5}, {"Breaks", 6}};
  TestServer s(
      [&](server::ServerOptions& o) {
        o.notify_url = "http://127.0.0.1:" + std::to_string(chat.port()) + "/hooks/abc";
        o.notify.first_delay = 20ms;
        o.workers = 1;
      },
      [&](const server::LaunchRequest& req, const exec::Interrupt&) {
        std::ifstream in(req.alert_file);
        return FakeLauncher::exited(exit_for.at(json::parse(in)["labels"]["alertname"]));
      });
  REQUIRE(s.post("/alerts", alertmanager_body({{"Done", "1"}, {"Breaks", "2"}, {"Waits", "3"}})).status == 202);
  REQUIRE(wait_for([&] { return chat.bodies().size() == 2; }, 10s));
  std::this_thread::sleep_for(200ms);
  auto bodies = chat.bodies();
  REQUIRE(bodies.size() == 2);  // not for the failed run
  CHECK(chat.attempts() == 4);
  json first = json::parse(bodies[0]);
  json second = json::parse(bodies[1]);
  REQUIRE(first.contains("text"));
  const std::string done = first["text"], waits = second["text"];
  CHECK(done.find("run 1 completed") != std::string::npos);
  CHECK(done.find("Done") != std::string::npos);
  CHECK(done.find("Service Down") != std::string::npos);
  CHECK(waits.find("run 3 awaiting-operator") != std::string::npos);
  CHECK(waits.find("runbook resume ") != std::string::npos);
  CHECK(waits.find("restart") != std::string::npos);
}

TEST_CASE("notifier: gives up after its attempts and never blocks the workers") {
  FakeChat chat(1000);
  TestServer s([&](server::ServerOptions& o) {
    o.notify_url = "http://127.0.0.1:" + std::to_string(chat.port()) + "/";
    o.notify.first_delay = 10ms;
    o.notify.attempts = 3;
  });
  REQUIRE(s.post("/alerts", alertmanager_body({{"A", "1"}, {"B", "2"}})).status == 202);
  CHECK(s.wait_status(1, "completed"));
  CHECK(s.wait_status(2, "completed"));
  REQUIRE(wait_for([&] { return s.server->notifier()->given_up() == 2; }, 5s));
  CHECK(chat.attempts() == 6);
}

TEST_CASE("notify URLs: http:// host, port and path; https refused") {
  auto u = server::parse_http_url("http://chat.local:8080/hooks/x?y=1");
  REQUIRE(u.ok());
  CHECK(u->host == "chat.local");
  CHECK(u->port == "8080");
  CHECK(u->target == "/hooks/x?y=1");
  auto d = server::parse_http_url("http://[::1]/");
  REQUIRE(d.ok());
  CHECK(d->host == "::1");
  CHECK(d->port == "80");
  CHECK_FALSE(server::parse_http_url("https://hooks.slack.com/x").ok());
  CHECK(server::parse_http_url("https://hooks.slack.com/x").error().message.find("http://") != std::string::npos);
  CHECK_FALSE(server::parse_http_url("http://:80/").ok());
  CHECK_FALSE(server::parse_http_url("http://host:8x/").ok());
}
