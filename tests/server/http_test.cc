// The HTTP API against the real server in this process, over real loopback connections: auth,
// request limits and misbehaving clients, routing, run queries and metrics.
#include <doctest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "evidence/log.h"
#include "server_support.h"
#include "util/hmac.h"

using namespace runbook;
using namespace runbook::testing;

TEST_CASE("auth: missing or wrong bearer token is 401; the right one is accepted") {
  TestServer s;
  const std::string body = alertmanager_body("HighErrorRate", "fp-auth");

  auto none = s.post("/alerts", body, {});
  CHECK(none.status == 401);
  CHECK(none.headers["www-authenticate"].find("Bearer") != std::string::npos);
  CHECK(none.parsed()["error"].get<std::string>().find("bearer token") != std::string::npos);
  CHECK(s.post("/alerts", body, bearer("wrong")).status == 401);
  CHECK(s.post("/alerts", body, bearer(std::string(kToken) + "x")).status == 401);
  CHECK(s.post("/alerts", body, {{"Authorization", std::string("Basic ") + kToken}}).status == 401);
  CHECK(statuses_on_disk(s.options.state_path).empty());  // nothing refused was recorded

  auto ok = s.post("/alerts", body);
  CHECK(ok.status == 202);
  CHECK(ok.parsed()["created"] == json::array({1}));
  // Queries need the token too; health and metrics do not.
  CHECK(http_call(s.port(), "GET", "/runs").status == 401);
  CHECK(http_call(s.port(), "GET", "/runs/1").status == 401);
  CHECK(http_call(s.port(), "GET", "/runs/1", "", bearer("nope")).status == 401);
  CHECK(s.get("/runs/1").status == 200);
  CHECK(http_call(s.port(), "GET", "/healthz").status == 200);
  CHECK(http_call(s.port(), "GET", "/metrics").status == 200);
}

TEST_CASE("--no-auth accepts requests without a token") {
  TestServer s([](server::ServerOptions& o) { o.token.reset(); });
  CHECK(s.post("/alerts", alertmanager_body("X", "fp"), {}).status == 202);
  CHECK(http_call(s.port(), "GET", "/runs").status == 200);
}

TEST_CASE("invalid JSON is 400 with the parser's reason; a payload of the wrong shape too") {
  TestServer s;
  auto bad = s.post("/alerts", "{\"alerts\": [");
  REQUIRE(bad.status == 400);
  CHECK(bad.headers["content-type"] == "application/json");
  const std::string reason = bad.parsed()["error"].get<std::string>();
  CHECK(reason.find("parse error") != std::string::npos);

  auto shape = s.post("/alerts", R"({"hello": "world"})");
  CHECK(shape.status == 400);
  CHECK(shape.parsed()["error"].get<std::string>().find("alerts") != std::string::npos);
  CHECK(s.post("/alerts", "").status == 400);
  CHECK(statuses_on_disk(s.options.state_path).empty());
}

TEST_CASE("a body over --max-body is 413 and the server stays up") {
  TestServer s([](server::ServerOptions& o) { o.http.max_body = 1u << 20; });
  const std::string big(2u << 20, 'x');

  SUBCASE("with Content-Length: refused before the body is read") {
    auto r = s.post("/alerts", big);
    INFO(r.body);
    CHECK(r.status == 413);
    CHECK(r.parsed()["error"].get<std::string>().find("larger than the limit") != std::string::npos);
  }
  SUBCASE("chunked: refused when the limit is crossed") {
    int fd = connect_raw(s.port());
    REQUIRE(fd >= 0);
    std::string req = "POST /alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kToken) +
                      "\r\nTransfer-Encoding: chunked\r\n\r\n";
    send_all(fd, req);
    char size[32];
    for (int i = 0; i < 40; ++i) {  // 40 x 64 KiB = 2.5 MiB
      std::snprintf(size, sizeof size, "%x\r\n", 65536);
      if (!send_all(fd, size) || !send_all(fd, std::string(65536, 'y')) || !send_all(fd, "\r\n")) break;
    }
    bool closed = false;
    std::string answer = read_until_closed(fd, 5s, closed);
    close(fd);
    CHECK(answer.rfind("HTTP/1.1 413", 0) == 0);
  }
  SUBCASE("a declared 100 MB body: 413 from the headers alone, nothing buffered") {
    int fd = connect_raw(s.port());
    REQUIRE(fd >= 0);
    std::string req = "POST /alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kToken) +
                      "\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n";
    send_all(fd, req);
    send_all(fd, std::string(1u << 20, '['));  // the first MiB of it; the rest never needs sending
    bool closed = false;
    std::string answer = read_until_closed(fd, 5s, closed);
    close(fd);
    CHECK(answer.rfind("HTTP/1.1 413", 0) == 0);
  }
  SUBCASE("just under the limit is read (and refused only as not JSON)") {
    auto r = s.post("/alerts", std::string((1u << 20) - 10, ' ') + "[");
    CHECK(r.status == 400);
  }
  CHECK(http_call(s.port(), "GET", "/healthz").status == 200);
  CHECK(s.post("/alerts", alertmanager_body("After", "fp-after")).status == 202);
}

TEST_CASE("slow clients: a stalled request does not hold up others and is cut off at the read timeout") {
  TestServer s([](server::ServerOptions& o) {
    o.http.read_timeout = 1s;
    o.http.threads = 1;  // one I/O thread: a blocking read would stall everything
  });
  std::vector<int> stalled;
  for (int i = 0; i < 20; ++i) {
    int fd = connect_raw(s.port());
    REQUIRE(fd >= 0);
    // Half a request: headers promise 100 bytes, one arrives.
    send_all(fd, "POST /alerts HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");
    stalled.push_back(fd);
  }
  int header_only = connect_raw(s.port());
  send_all(header_only, "GET /healthz HTTP/1.1\r\nHost: x\r\n");  // never finishes its headers
  stalled.push_back(header_only);

  const auto t0 = std::chrono::steady_clock::now();
  auto health = http_call(s.port(), "GET", "/healthz", "", {}, 2s);
  CHECK(health.status == 200);
  CHECK(s.post("/alerts", alertmanager_body("Meanwhile", "fp-m")).status == 202);
  CHECK(std::chrono::steady_clock::now() - t0 < 900ms);

  for (int fd : stalled) {
    bool closed = false;
    read_until_closed(fd, 4s, closed);
    CHECK(closed);  // the server hung up on it
    close(fd);
  }
  CHECK(http_call(s.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("routing: unknown paths 404, wrong methods 405 with Allow") {
  TestServer s;
  CHECK(s.get("/nope").status == 404);
  CHECK(s.get("/alerts/unknown").status == 404);
  auto m = http_call(s.port(), "GET", "/alerts", "", bearer());
  CHECK(m.status == 405);
  CHECK(m.headers["allow"] == "POST");
  CHECK(http_call(s.port(), "DELETE", "/runs", "", bearer()).status == 405);
  CHECK(http_call(s.port(), "POST", "/healthz", "{}").status == 405);
  CHECK(s.get("/runs/999").status == 404);
  CHECK(s.get("/runs/abc").status == 404);
  CHECK(s.get("/runs/1/other").status == 404);
  CHECK(s.get("/runs?limit=0").status == 400);
  CHECK(s.get("/runs?limit=x").status == 400);
}

TEST_CASE("PagerDuty: with a secret the signature is checked; without one the bearer token is") {
  const std::string secret = "pd-secret";
  TestServer s([&](server::ServerOptions& o) { o.pagerduty_secret = secret; });
  const std::string body = pagerduty_body("PABC123");
  const std::string good = "v1=" + util::hmac_sha256_hex(secret, body);

  CHECK(s.post("/alerts/pagerduty", body, {}).status == 401);
  CHECK(s.post("/alerts/pagerduty", body, {{"X-PagerDuty-Signature", "v1=" + util::hmac_sha256_hex("other", body)}})
            .status == 401);
  // A signature over a different body (tampered in transit).
  CHECK(s.post("/alerts/pagerduty", pagerduty_body("PEVIL"), {{"X-PagerDuty-Signature", good}}).status == 401);
  CHECK(statuses_on_disk(s.options.state_path).empty());

  auto ok = s.post("/alerts/pagerduty", body, {{"X-PagerDuty-Signature", good}});
  REQUIRE(ok.status == 202);
  auto run = s.run(ok.parsed()["created"][0].get<std::int64_t>());
  CHECK(run["source"] == "pagerduty");
  CHECK(run["alertname"] == "Disk full on db-1");
  CHECK(run["alert"]["labels"]["incident_id"] == "PABC123");
  // Rotation: several signatures, one of them right.
  const std::string body2 = pagerduty_body("PDEF456");
  CHECK(s.post("/alerts/pagerduty", body2,
               {{"X-PagerDuty-Signature", "v1=00ff," + std::string("v1=") + util::hmac_sha256_hex(secret, body2)}})
            .status == 202);

  TestServer unsigned_server;  // no secret: the bearer token guards the endpoint like the others
  CHECK(unsigned_server.post("/alerts/pagerduty", body, {}).status == 401);
  CHECK(unsigned_server.post("/alerts/pagerduty", body).status == 202);
}

TEST_CASE("Grafana webhooks are accepted on their own path") {
  TestServer s;
  json grafana = json::parse(alertmanager_body("DiskPressure", "gf-1"));
  grafana["orgId"] = 1;
  grafana["title"] = "[FIRING:1] DiskPressure";
  auto r = s.post("/alerts/grafana", grafana.dump());
  REQUIRE(r.status == 202);
  CHECK(s.run(r.parsed()["created"][0].get<std::int64_t>())["source"] == "grafana");
}

TEST_CASE("runs: listed newest first with ?limit; one run with its summary; its evidence as NDJSON") {
  TestServer s({}, [](const server::LaunchRequest& req, const exec::Interrupt&) {
    std::ofstream(std::filesystem::path(req.run_dir) / evidence::kLogFile)
        << "{\"seq\":1,\"type\":\"run-started\"}\n{\"seq\":2,\"type\":\"run-ended\"}\n";
    auto r = FakeLauncher::exited(0);
    json summary = json::parse(r.out);
    summary["run_dir"] = req.run_dir;
    r.out = summary.dump();
    return r;
  });
  for (int i = 1; i <= 3; ++i)
    REQUIRE(s.post("/alerts", alertmanager_body("Alert" + std::to_string(i), "fp" + std::to_string(i))).status == 202);
  REQUIRE(s.wait_status(3, "completed"));
  REQUIRE(s.wait_status(1, "completed"));

  auto list = s.get("/runs").parsed()["runs"];
  REQUIRE(list.size() == 3);
  CHECK(list[0]["id"] == 3);
  CHECK(list[2]["id"] == 1);
  CHECK_FALSE(list[0].contains("summary"));  // the list stays small
  auto two = s.get("/runs?limit=2").parsed()["runs"];
  CHECK(two.size() == 2);
  CHECK(two[0]["id"] == 3);

  json run = s.run(1);
  CHECK(run["status"] == "completed");
  CHECK(run["exit_code"] == 0);
  CHECK(run["playbook"] == "playbooks/service-down.md");
  CHECK(run["summary"]["outcome"] == "completed");
  CHECK(run["summary"]["playbook"]["title"] == "Service Down");
  CHECK(run["alertname"] == "Alert1");
  CHECK(run["alert"]["labels"]["alertname"] == "Alert1");
  CHECK(run["alert"]["generator_url"] == "http://prometheus/graph");
  CHECK_FALSE(run["started_at"].is_null());
  CHECK_FALSE(run["finished_at"].is_null());

  auto ev = s.get("/runs/1/evidence");
  CHECK(ev.status == 200);
  CHECK(ev.headers["content-type"] == "application/x-ndjson");
  CHECK(ev.body == "{\"seq\":1,\"type\":\"run-started\"}\n{\"seq\":2,\"type\":\"run-ended\"}\n");
  CHECK(http_call(s.port(), "GET", "/runs/1/evidence").status == 401);
}

TEST_CASE("a run with no evidence log yet: 404 on /evidence") {
  Gate gate;
  TestServer s({}, gate.script());
  REQUIRE(s.post("/alerts", alertmanager_body("A", "fp")).status == 202);
  CHECK(s.get("/runs/1/evidence").status == 404);
  gate.open();
}

TEST_CASE("/metrics: Prometheus text format with the documented series") {
  Gate gate;
  TestServer s([](server::ServerOptions& o) { o.workers = 1; }, gate.script());
  REQUIRE(s.post("/alerts", alertmanager_body({{"A", "fa"}, {"B", "fb"}, {"C", "fc"}})).status == 202);
  REQUIRE(s.wait_status(1, "running"));

  auto m = http_call(s.port(), "GET", "/metrics");
  REQUIRE(m.status == 200);
  CHECK(m.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8");
  const std::regex sample(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+]+|\+Inf|NaN)$)");
  std::map<std::string, std::string> types;
  std::map<std::string, double> values;
  std::istringstream lines(m.body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream t(line.substr(7));
      std::string name, type;
      t >> name >> type;
      types[name] = type;
      continue;
    }
    if (line.rfind("# HELP ", 0) == 0) continue;
    INFO(line);
    CHECK(std::regex_match(line, sample));
    auto space = line.rfind(' ');
    values[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  CHECK(types["runbook_alerts_received_total"] == "counter");
  CHECK(types["runbook_runs_total"] == "counter");
  CHECK(types["runbook_run_duration_seconds"] == "histogram");
  CHECK(types["runbook_queue_depth"] == "gauge");
  CHECK(types["runbook_runs_running"] == "gauge");
  CHECK(values["runbook_alerts_received_total{source=\"alertmanager\"}"] == 3);
  CHECK(values["runbook_queue_depth"] == 2);
  CHECK(values["runbook_runs_running"] == 1);
  CHECK(values["runbook_runs_total{outcome=\"completed\"}"] == 0);

  gate.open();
  REQUIRE(s.wait_status(3, "completed"));
  auto after = http_call(s.port(), "GET", "/metrics").body;
  CHECK(after.find("runbook_runs_total{outcome=\"completed\"} 3\n") != std::string::npos);
  CHECK(after.find("runbook_run_duration_seconds_count 3\n") != std::string::npos);
  CHECK(after.find("runbook_run_duration_seconds_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(after.find("runbook_queue_depth 0\n") != std::string::npos);
  // Buckets are cumulative: never decreasing, ending at the count.
  std::regex bucket(R"(runbook_run_duration_seconds_bucket\{le="[^"]+"\} (\d+))");
  long last = -1;
  for (std::sregex_iterator it(after.begin(), after.end(), bucket), end; it != end; ++it) {
    long v = std::stol((*it)[1]);
    CHECK(v >= last);
    last = v;
  }
  CHECK(last == 3);
}

TEST_CASE("keep-alive and Expect: 100-continue (curl sends it for bodies over 1 KiB)") {
  TestServer s;
  int fd = connect_raw(s.port());
  REQUIRE(fd >= 0);
  const std::string body = alertmanager_body("Continue", "fp-c");
  send_all(fd, "POST /alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kToken) +
                   "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n");
  bool closed = false;
  std::string interim = read_until_closed(fd, 500ms, closed);
  CHECK(interim.rfind("HTTP/1.1 100 Continue", 0) == 0);
  send_all(fd, body);
  std::string answer = read_until_closed(fd, 500ms, closed);
  CHECK(answer.rfind("HTTP/1.1 202", 0) == 0);
  CHECK_FALSE(closed);
  // The same connection serves a second request.
  send_all(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string second = read_until_closed(fd, 500ms, closed);
  CHECK(second.rfind("HTTP/1.1 200", 0) == 0);
  close(fd);
}
