// Webhook intake: de-duplication by fingerprint while a run is active, and resolved alerts.
#include <doctest.h>

#include "server_support.h"

using namespace runbook;
using namespace runbook::testing;

TEST_CASE("dedupe: a fingerprint with a queued or running run answers 2xx 'duplicate of run N'") {
  Gate gate;
  TestServer s([](server::ServerOptions& o) { o.workers = 1; }, gate.script());
  auto first = s.post("/alerts", alertmanager_body("HighErrorRate", "fp-1"));
  REQUIRE(first.status == 202);
  CHECK(first.parsed()["created"] == json::array({1}));
  REQUIRE(s.wait_status(1, "running"));

  auto again = s.post("/alerts", alertmanager_body("HighErrorRate", "fp-1"));
  CHECK(again.status == 200);
  CHECK(again.parsed()["created"].empty());
  CHECK(again.parsed()["duplicates"] == json::array({1}));
  CHECK(again.parsed()["alerts"][0]["message"] == "duplicate of run 1");

  // One webhook: the same alert twice (queued now, worker busy) and a new one.
  auto batch = s.post("/alerts", alertmanager_body({{"Other", "fp-2"}, {"Other", "fp-2"}, {"HighErrorRate", "fp-1"}}));
  REQUIRE(batch.status == 202);
  CHECK(batch.parsed()["created"] == json::array({2}));
  CHECK(batch.parsed()["duplicates"] == json::array({2, 1}));
  // A queued run de-duplicates as well.
  CHECK(s.post("/alerts", alertmanager_body("Other", "fp-2")).parsed()["duplicates"] == json::array({2}));
  CHECK(statuses_on_disk(s.options.state_path).size() == 2);

  gate.open();
  REQUIRE(s.wait_status(2, "completed"));
  REQUIRE(s.wait_status(1, "completed"));
  // Once the run is over, the alert firing again is a new incident: a new run.
  auto later = s.post("/alerts", alertmanager_body("HighErrorRate", "fp-1"));
  CHECK(later.parsed()["created"] == json::array({3}));
  CHECK(s.launcher->calls().size() >= 2);
}

TEST_CASE("resolved alerts: ignored without an active run, recorded on one, and it goes on") {
  Gate gate;
  TestServer s({}, gate.script());
  auto lone = s.post("/alerts", alertmanager_body("Gone", "fp-gone", "resolved"));
  CHECK(lone.status == 200);
  CHECK(lone.parsed()["created"].empty());
  CHECK(lone.parsed()["ignored"] == json::array({"fp-gone"}));
  CHECK(lone.parsed()["alerts"][0]["message"] == "resolved alert with no active run");
  CHECK(statuses_on_disk(s.options.state_path).empty());

  REQUIRE(s.post("/alerts", alertmanager_body("Flappy", "fp-f")).status == 202);
  REQUIRE(s.wait_status(1, "running"));
  auto resolved = s.post("/alerts", alertmanager_body("Flappy", "fp-f", "resolved"));
  CHECK(resolved.status == 200);
  CHECK(resolved.parsed()["resolved"] == json::array({1}));
  CHECK(resolved.parsed()["alerts"][0]["cancelled"] == false);
  CHECK(s.run(1)["resolved_seen"] == true);
  std::this_thread::sleep_for(100ms);
  CHECK(s.status_of(1) == "running");  // without --cancel-on-resolved the run goes on
  gate.open();
  CHECK(s.wait_status(1, "completed"));
}

TEST_CASE("--cancel-on-resolved: a running run is interrupted, a queued one never starts") {
  TestServer s(
      [](server::ServerOptions& o) {
        o.workers = 1;
        o.cancel_on_resolved = true;
      },
      [](const server::LaunchRequest&, const exec::Interrupt& interrupt) {
        Gate never;
        never.wait(interrupt);
        return FakeLauncher::interrupted();
      });
  REQUIRE(s.post("/alerts", alertmanager_body({{"Running", "fp-r"}, {"Waiting", "fp-w"}})).status == 202);
  REQUIRE(s.wait_status(1, "running"));
  REQUIRE(s.status_of(2) == "queued");

  auto queued = s.post("/alerts", alertmanager_body("Waiting", "fp-w", "resolved"));
  CHECK(queued.parsed()["alerts"][0]["cancelled"] == true);
  CHECK(s.status_of(2) == "cancelled");

  auto running = s.post("/alerts", alertmanager_body("Running", "fp-r", "resolved"));
  CHECK(running.parsed()["alerts"][0]["cancelled"] == true);
  REQUIRE(s.wait_status(1, "cancelled", 5s));
  json run = s.run(1);
  CHECK(run["resolved_seen"] == true);
  CHECK(run["summary"]["error"].get<std::string>().find("resolved") != std::string::npos);
  CHECK(s.run(2)["resolved_seen"] == true);
  // The cancelled queued run was never launched.
  std::this_thread::sleep_for(200ms);
  CHECK(s.launcher->calls().size() == 1);
}

TEST_CASE("PagerDuty: triggered then resolved events of one incident meet on one run") {
  Gate gate;
  TestServer s({}, gate.script());
  REQUIRE(s.post("/alerts/pagerduty", pagerduty_body("PX1")).status == 202);
  auto resolved = s.post("/alerts/pagerduty", pagerduty_body("PX1", "incident.resolved"));
  CHECK(resolved.parsed()["resolved"] == json::array({1}));
  gate.open();
}
