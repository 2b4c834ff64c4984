#pragma once
// Helpers for the server suites: a blocking HTTP client and raw sockets for misbehaving clients,
// webhook bodies, a scriptable fake launcher, an in-process server in a temp dir, and a reader of
// the state database that goes around the server (what is on disk is what counts).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "server/log.h"
#include "server/server.h"
#include "test_support.h"

namespace runbook::testing {

using namespace std::chrono_literals;
using nlohmann::json;

struct HttpReply {
  int status = 0;  ///< 0: no answer (the error is in `body`)
  std::string body;
  std::map<std::string, std::string> headers;  ///< names lower-case
  json parsed() const { return json::parse(body, nullptr, false); }
};

/// One request on a fresh connection; waits at most `timeout`.
inline HttpReply http_call(unsigned short port, const std::string& method, const std::string& target,
                           const std::string& body = "",
                           const std::vector<std::pair<std::string, std::string>>& headers = {},
                           std::chrono::milliseconds timeout = 10s) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  namespace asio = boost::asio;
  HttpReply out;
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    if (!body.empty() || method == "POST") req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u << 20);
    http::read(stream, buffer, parser);
    const auto& res = parser.get();
    out.status = res.result_int();
    out.body = res.body();
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(f.value());
    }
  } catch (const std::exception& e) {
    out.status = 0;
    out.body = e.what();
  }
  return out;
}

/// A plain blocking TCP connection to 127.0.0.1:port (-1 on failure).
inline int connect_raw(unsigned short port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

inline bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

/// Reads until the peer closes or `timeout` passes; `closed` says which.
inline std::string read_until_closed(int fd, std::chrono::milliseconds timeout, bool& closed) {
  std::string out;
  closed = false;
  const auto until = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return out;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return out;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      closed = true;
      return out;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
}

/// Waits for `pred` (polling); false on timeout.
inline bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 10s) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

/// One alert of an Alertmanager webhook.
struct AmAlert {
  std::string name;
  std::string fingerprint;
  std::string status = "firing";
};

/// An Alertmanager webhook (version 4) carrying `alerts`.
inline std::string alertmanager_body(const std::vector<AmAlert>& alerts) {
  json list = json::array();
  for (const auto& a : alerts)
    list.push_back({{"status", a.status},
                    {"labels", {{"alertname", a.name}, {"service", "api"}, {"severity", "page"}}},
                    {"annotations", {{"summary", a.name + " on api"}}},
                    {"startsAt", "2024-05-01T12:00:00Z"},
                    {"endsAt", "0001-01-01T00:00:00Z"},
                    {"generatorURL", "http://prometheus/graph"},
                    {"fingerprint", a.fingerprint}});
  return json{{"version", "4"},
              {"status", alerts.empty() ? "firing" : alerts.front().status},
              {"receiver", "runbook"},
              {"groupKey", "{}:{alertname=\"x\"}"},
              {"groupLabels", json::object()},
              {"commonLabels", json::object()},
              {"commonAnnotations", json::object()},
              {"externalURL", "http://alertmanager"},
              {"alerts", list}}
      .dump();
}

inline std::string alertmanager_body(const std::string& name, const std::string& fingerprint,
                                     const std::string& status = "firing") {
  return alertmanager_body(std::vector<AmAlert>{{name, fingerprint, status}});
}

/// A PagerDuty v3 incident webhook.
inline std::string pagerduty_body(const std::string& incident_id, const std::string& event_type = "incident.triggered") {
  return json{{"event",
               {{"id", "E1"},
                {"event_type", event_type},
                {"resource_type", "incident"},
                {"occurred_at", "2024-05-01T12:00:00Z"},
                {"data",
                 {{"id", incident_id},
                  {"type", "incident"},
                  {"title", "Disk full on db-1"},
                  {"status", event_type == "incident.resolved" ? "resolved" : "triggered"},
                  {"urgency", "high"},
                  {"html_url", "https://example.pagerduty.com/incidents/" + incident_id},
                  {"service", {{"summary", "database"}}}}}}}}
      .dump();
}

/// What a fake launcher does with each run; the default completes at once.
class FakeLauncher : public server::Launcher {
 public:
  using Script = std::function<server::LaunchResult(const server::LaunchRequest&, const exec::Interrupt&)>;

  server::LaunchResult launch(const server::LaunchRequest& request, const exec::Interrupt& interrupt) override {
    {
      std::lock_guard lock(mutex_);
      calls_.push_back(request);
    }
    Script script;
    {
      std::lock_guard lock(mutex_);
      script = script_;
    }
    return script ? script(request, interrupt) : exited(0);
  }
  void set_script(Script s) {
    std::lock_guard lock(mutex_);
    script_ = std::move(s);
  }
  std::vector<server::LaunchRequest> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

  /// The handler exited `code` and printed a summary.
  static server::LaunchResult exited(int code, const std::string& title = "Service Down") {
    server::LaunchResult r;
    r.run.end = exec::RunResult::End::Exited;
    r.run.exit_code = code;
    const char* outcome = code == 0 ? "completed" : code == 5 ? "awaiting-operator" : code == 7 ? "no-playbook" : "failed";
    json summary = {{"outcome", outcome},
                    {"counts", {{"steps", 3}}},
                    {"summary_markdown", "# done\n"}};
    if (code != 7) summary["playbook"] = {{"path", "playbooks/service-down.md"}, {"title", title}};
    if (code == 5) summary["stopped_at"] = {{"step", "restart"}, {"reason", "decision"}};
    r.out = summary.dump();
    return r;
  }
  /// Interrupted (what the real runner reports after SIGTERM/SIGKILL to the handler).
  static server::LaunchResult interrupted() {
    server::LaunchResult r;
    r.run.end = exec::RunResult::End::Interrupted;
    r.run.signal = 15;
    return r;
  }

 private:
  mutable std::mutex mutex_;
  Script script_;
  std::vector<server::LaunchRequest> calls_;
};

/// Blocks launches until opened (or the run is interrupted).
class Gate {
 public:
  void open() { open_ = true; }
  /// Waits; true when opened, false when interrupted.
  bool wait(const exec::Interrupt& interrupt) {
    while (!open_) {
      if (interrupt.raised()) return false;
      std::this_thread::sleep_for(2ms);
    }
    return true;
  }
  FakeLauncher::Script script(int exit_code = 0) {
    return [this, exit_code](const server::LaunchRequest&, const exec::Interrupt& interrupt) {
      return wait(interrupt) ? FakeLauncher::exited(exit_code) : FakeLauncher::interrupted();
    };
  }

 private:
  std::atomic<bool> open_{false};
};

inline const char* kToken = "s3cret-token";

inline std::vector<std::pair<std::string, std::string>> bearer(const std::string& token = kToken) {
  return {{"Authorization", "Bearer " + token}};
}

/// The real server in this process, on 127.0.0.1:<free port>, with a fake launcher.
struct TestServer {
  TempDir tmp{"server"};
  FakeLauncher* launcher = nullptr;
  std::unique_ptr<server::Server> server;
  server::ServerOptions options;

  explicit TestServer(const std::function<void(server::ServerOptions&)>& tweak = {},
                      FakeLauncher::Script script = {}) {
    if (!std::getenv("RUNBOOK_TEST_LOG")) server::set_log_stream(nullptr);
    options.listen = "127.0.0.1:0";
    options.token = kToken;
    options.state_path = tmp.sub("state/state.db");
    options.workers = 2;
    options.drain_timeout = 2s;
    options.http.read_timeout = 1s;
    if (tweak) tweak(options);
    start(std::move(script));
  }
  ~TestServer() {
    if (server) server->shutdown();
  }

  void start(FakeLauncher::Script script = {}) {
    auto fake = std::make_unique<FakeLauncher>();
    fake->set_script(std::move(script));
    launcher = fake.get();
    auto started = server::Server::start(options, std::move(fake));
    if (!started.ok()) throw std::runtime_error(started.error().describe());
    server = std::move(started.value());
  }
  void stop() {
    server->shutdown();
    server.reset();
  }

  unsigned short port() const { return server->port(); }
  HttpReply post(const std::string& path, const std::string& body,
                 std::vector<std::pair<std::string, std::string>> headers = bearer()) const {
    headers.emplace_back("Content-Type", "application/json");
    return http_call(port(), "POST", path, body, headers);
  }
  HttpReply get(const std::string& path) const { return http_call(port(), "GET", path, "", bearer()); }
  /// The run's row as the API shows it.
  json run(std::int64_t id) const { return get("/runs/" + std::to_string(id)).parsed(); }
  std::string status_of(std::int64_t id) const {
    json r = run(id);
    return r.is_object() ? r.value("status", "") : "";
  }
  bool wait_status(std::int64_t id, const std::string& status, std::chrono::milliseconds timeout = 10s) const {
    return wait_for([&] { return status_of(id) == status; }, timeout);
  }
};

/// id -> status of every row in the state database, read directly (read-only).
inline std::map<std::int64_t, std::string> statuses_on_disk(const std::string& db_path) {
  std::map<std::int64_t, std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return out;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT id, status FROM runs", -1, &stmt, nullptr) == SQLITE_OK) {
    while (sqlite3_step(stmt) == SQLITE_ROW)
      out[sqlite3_column_int64(stmt, 0)] = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

}  // namespace runbook::testing
