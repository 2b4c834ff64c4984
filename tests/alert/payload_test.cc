#include <doctest.h>

#include "alert/alert.h"
#include "alert_test_util.h"

using runbook::alert::Format;
using runbook::alert::label_fingerprint;
using runbook::alert::parse_alerts;
using runbook::testing::alert_fixture;
using runbook::testing::alerts_of;
using runbook::testing::refusal_of;

namespace {
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("Alertmanager group: every alert, firing and resolved, with group values merged under its own") {
  auto alerts = alerts_of(alert_fixture("alertmanager-group.json"));
  REQUIRE(alerts.size() == 2);
  const auto& a = alerts[0];
  CHECK(a.source == "alertmanager");
  CHECK(a.name == "KubePodCrashLooping");
  CHECK(a.status == "firing");
  CHECK_FALSE(a.resolved());
  CHECK(a.labels.at("pod") == "api-7d9f8-x2x1z");
  CHECK(a.labels.at("namespace") == "payments");
  CHECK(a.labels.at("severity") == "critical");
  // The alert's own summary wins over the common one; the common runbook_url is inherited.
  CHECK(a.annotations.at("summary") == "Pod payments/api-7d9f8-x2x1z is crash looping.");
  CHECK(a.annotations.at("runbook_url") == "https://runbooks.example.com/runbooks/pod-crash-looping.md");
  CHECK(a.annotations.at("description") == "Pod payments/api-7d9f8-x2x1z (api) is in waiting state (reason: \"CrashLoopBackOff\").");
  CHECK(a.fingerprint == "3f9a1c2b7d4e5f60");
  CHECK(a.starts_at == "2024-05-01T10:00:00.000Z");
  CHECK(a.ends_at == "0001-01-01T00:00:00Z");
  CHECK(contains(a.generator_url, "prometheus.example.com"));
  CHECK(a.receiver == "runbook");
  CHECK(contains(a.group_key, "KubePodCrashLooping"));
  CHECK(a.external_url == "http://alertmanager.example.com:9093");
  CHECK(a.raw["fingerprint"] == "3f9a1c2b7d4e5f60");
  CHECK_FALSE(a.raw.contains("alerts"));  // the alert's own object, not the group

  const auto& b = alerts[1];
  CHECK(b.status == "resolved");
  CHECK(b.resolved());
  CHECK(b.labels.at("pod") == "api-7d9f8-q8w7e");
  CHECK(b.annotations.at("summary") == "Pod payments/api-7d9f8-q8w7e is crash looping.");
  CHECK(b.ends_at == "2024-05-01T09:58:00.000Z");

  auto explicit_format = alerts_of(alert_fixture("alertmanager-group.json"), Format::Alertmanager);
  CHECK(explicit_format.size() == 2);
}

TEST_CASE("Grafana unified alerting: Alertmanager-shaped, with Grafana's links as annotations") {
  auto alerts = alerts_of(alert_fixture("grafana-unified.json"));
  REQUIRE(alerts.size() == 1);
  const auto& a = alerts[0];
  CHECK(a.source == "grafana");
  CHECK(a.name == "HighDiskUsage");
  CHECK(a.status == "firing");
  CHECK(a.labels.at("instance") == "db-1:9100");
  CHECK(a.labels.at("mountpoint") == "/var/lib/postgresql");
  CHECK(a.fingerprint == "c0ffee1234567890");
  CHECK(a.annotations.at("summary") == "Disk on db-1 is 93% full");
  CHECK(a.annotations.at("runbook_url") == "https://wiki.example.com/runbooks/disk-full");
  CHECK(a.annotations.at("dashboard_url") == "https://grafana.example.com/d/node?orgId=1");
  CHECK(a.annotations.at("panel_url") == "https://grafana.example.com/d/node?orgId=1&viewPanel=4");
  CHECK(contains(a.annotations.at("silence_url"), "alerting/silence/new"));
  CHECK(a.receiver == "runbook-webhook");
  CHECK(a.external_url == "https://grafana.example.com/");
  CHECK(a.raw["values"]["B"] == 93.2);
  CHECK(alerts_of(alert_fixture("grafana-unified.json"), Format::Grafana)[0].source == "grafana");
}

TEST_CASE("legacy Grafana webhook: one alert named after the rule, tags as labels, ok is resolved") {
  std::string body = alert_fixture("grafana-legacy.json");
  auto alerts = alerts_of(body);
  REQUIRE(alerts.size() == 1);
  const auto& a = alerts[0];
  CHECK(a.source == "grafana");
  CHECK(a.name == "High Error Rate");
  CHECK(a.status == "firing");
  CHECK(a.labels.at("alertname") == "High Error Rate");
  CHECK(a.labels.at("service") == "api");
  CHECK(a.labels.at("instance") == "web-1");    // from the single evalMatch
  CHECK(a.labels.at("job") == "api-server");    // the rule's tag wins over the series'
  CHECK(a.annotations.at("message") == "Error rate above threshold");
  CHECK(a.annotations.at("title") == "[Alerting] High Error Rate");
  CHECK(contains(a.generator_url, "grafana.example.com/d/hZ7BuVbWz"));
  CHECK(a.fingerprint.size() == 16);
  CHECK(a.fingerprint == label_fingerprint(a.labels));

  std::string ok = body;
  ok.replace(ok.find("\"state\": \"alerting\""), 19, "\"state\": \"ok\"");
  auto resolved = alerts_of(ok, Format::Grafana);
  CHECK(resolved[0].resolved());
  CHECK(resolved[0].fingerprint == a.fingerprint);
}

TEST_CASE("PagerDuty v3 incident events: title as name, useful fields as labels") {
  auto trig = alerts_of(alert_fixture("pagerduty-triggered.json"));
  REQUIRE(trig.size() == 1);
  const auto& a = trig[0];
  CHECK(a.source == "pagerduty");
  CHECK(a.name == "Database Connection Pool Exhausted");
  CHECK(a.status == "firing");
  CHECK(a.labels.at("service") == "Checkout API");
  CHECK(a.labels.at("urgency") == "high");
  CHECK(a.labels.at("incident_id") == "PGR0VU2");
  CHECK(a.labels.at("incident_number") == "2");
  CHECK(a.labels.at("priority") == "P1");
  CHECK(a.labels.at("event_type") == "incident.triggered");
  CHECK(a.annotations.at("incident_url") == "https://acme.pagerduty.com/incidents/PGR0VU2");
  CHECK(a.starts_at == "2024-05-01T12:00:00Z");
  CHECK(a.ends_at.empty());
  CHECK(a.raw["event_type"] == "incident.triggered");

  auto res = alerts_of(alert_fixture("pagerduty-resolved.json"), Format::PagerDuty);
  REQUIRE(res.size() == 1);
  CHECK(res[0].status == "resolved");
  CHECK(res[0].labels.at("event_type") == "incident.resolved");
  CHECK(res[0].ends_at == "2024-05-01T12:30:00.000Z");
  // One incident, one fingerprint, though its labels changed between the events.
  CHECK(res[0].fingerprint == a.fingerprint);

  // Acknowledged is still firing; a ping is a PagerDuty event with nothing to run.
  std::string ack = alert_fixture("pagerduty-triggered.json");
  ack.replace(ack.find("incident.triggered"), 18, "incident.acknowledged");
  CHECK(alerts_of(ack)[0].status == "firing");
  CHECK(alerts_of(R"({"event":{"id":"1","event_type":"pagey.ping","resource_type":"pagey","data":null}})").empty());
}

TEST_CASE("plain labels: scalars as text, alertname as the name; the labels/annotations form") {
  auto alerts = alerts_of(alert_fixture("labels.json"));
  REQUIRE(alerts.size() == 1);
  const auto& a = alerts[0];
  CHECK(a.source == "labels");
  CHECK(a.name == "DiskFull");
  CHECK(a.status == "firing");
  CHECK(a.labels.at("threshold") == "90");
  CHECK(a.labels.at("page") == "true");
  CHECK(a.labels.at("mountpoint") == "/data");
  CHECK(a.fingerprint == label_fingerprint(a.labels));

  auto nested = alerts_of(R"({"labels":{"alertname":"X","pod":"p"},"annotations":{"summary":"s"},"status":"resolved"})",
                          Format::Labels);
  REQUIRE(nested.size() == 1);
  CHECK(nested[0].name == "X");
  CHECK(nested[0].labels.size() == 2);
  CHECK(nested[0].annotations.at("summary") == "s");
  CHECK(nested[0].resolved());

  auto list = alerts_of(R"([{"labels":{"alertname":"A"}},{"labels":{"alertname":"B"}}])");
  REQUIRE(list.size() == 2);
  CHECK(list[1].name == "B");
}

TEST_CASE("auto-detection picks each format from its shape") {
  CHECK(alerts_of(alert_fixture("alertmanager-group.json"))[0].source == "alertmanager");
  CHECK(alerts_of(alert_fixture("grafana-unified.json"))[0].source == "grafana");
  CHECK(alerts_of(alert_fixture("grafana-legacy.json"))[0].source == "grafana");
  CHECK(alerts_of(alert_fixture("pagerduty-triggered.json"))[0].source == "pagerduty");
  CHECK(alerts_of(alert_fixture("labels.json"))[0].source == "labels");
}

TEST_CASE("format names") {
  using runbook::alert::format_name;
  using runbook::alert::parse_format;
  for (Format f : {Format::Auto, Format::Alertmanager, Format::Grafana, Format::PagerDuty, Format::Labels})
    CHECK(parse_format(format_name(f)) == f);
  CHECK(parse_format("PagerDuty") == Format::PagerDuty);
  CHECK_FALSE(parse_format("opsgenie"));
}

TEST_CASE("invalid JSON is an error with the byte position") {
  std::string m = refusal_of(R"({"alerts": [)");
  CHECK(contains(m, "invalid JSON at byte"));
  m = refusal_of("{\"a\": tru}");
  CHECK(contains(m, "byte 10"));
  CHECK(contains(refusal_of(""), "invalid JSON"));
}

TEST_CASE("wrong shapes are errors that say what was expected") {
  std::string m = refusal_of("[1, 2]");
  CHECK(contains(m, "unrecognised alert payload"));
  m = refusal_of("42");
  CHECK(contains(m, "Alertmanager"));
  CHECK(contains(m, "PagerDuty"));
  CHECK(contains(refusal_of("{}"), "empty alert payload"));
  // Looks like labels but one value is an object: both the expectation and the reason.
  m = refusal_of(R"({"alertname": "X", "pod": {"name": "p"}})");
  CHECK(contains(m, "expected an Alertmanager"));
  CHECK(contains(m, "`labels.pod` must be a string, number or boolean, not object"));
  // Explicit formats that do not fit.
  CHECK(contains(refusal_of(alert_fixture("labels.json"), Format::Alertmanager), "not an Alertmanager webhook"));
  CHECK(contains(refusal_of(alert_fixture("labels.json"), Format::PagerDuty), "not a PagerDuty v3 webhook"));
  CHECK(contains(refusal_of(alert_fixture("labels.json"), Format::Grafana), "not a Grafana webhook"));
  CHECK(contains(refusal_of(R"({"alertname": "X", "pod": null})", Format::Labels), "`labels.pod`"));
  // Inside a known format: the path of the bad value.
  m = refusal_of(R"({"alerts": [{"labels": {"alertname": "A"}}, {"labels": {"pod": ["a"]}}]})");
  CHECK(contains(m, "`alerts[1].labels.pod` must be a string, number or boolean, not array"));
  CHECK(contains(refusal_of(R"({"alerts": ["x"]})"), "`alerts[0]` must be an object"));
  CHECK(contains(refusal_of(R"({"alerts": [], "commonLabels": "x"})"), "`commonLabels` must be an object"));
  CHECK(contains(refusal_of(R"({"event": {"event_type": "incident.triggered", "resource_type": "incident"}})"),
                 "no `data` object"));
  CHECK(contains(refusal_of(R"({"event": {"event_type": "incident.triggered", "data": {"type": "incident"}}})"),
                 "no incident title"));
}

TEST_CASE("label values survive byte-exact, whatever they hold") {
  // JSON escapes for: command substitution, backticks, ';', both quotes, newline, tab, NUL, UTF-8.
  std::string body =
      R"J({"alerts": [{"status": "firing", "labels": {"alertname": "X", "pod": "$(touch /tmp/x)",)J"
      R"J( "cmd": "`id`; rm -rf / #", "q": "it's \"quoted\"", "nl": "a\nb\r\n\tc", "nul": "a\u0000b",)J"
      R"J( "utf8": "caf\u00e9 \u2603"}, "annotations": {"summary": "'; DROP TABLE x; --"}}]})J";
  auto a = alerts_of(body)[0];
  CHECK(a.labels.at("pod") == "$(touch /tmp/x)");
  CHECK(a.labels.at("cmd") == "`id`; rm -rf / #");
  CHECK(a.labels.at("q") == "it's \"quoted\"");
  CHECK(a.labels.at("nl") == "a\nb\r\n\tc");
  CHECK(a.labels.at("nul") == std::string("a\0b", 3));
  CHECK(a.labels.at("utf8") == "caf\xC3\xA9 \xE2\x98\x83");
  CHECK(a.annotations.at("summary") == "'; DROP TABLE x; --");
  // Leading and trailing white space is content too.
  CHECK(alerts_of(R"({"alertname": " X ", "v": "  "})")[0].labels.at("v") == "  ");
  CHECK(alerts_of(R"({"alertname": " X "})")[0].name == " X ");
}

TEST_CASE("computed fingerprint: stable whatever the label order, 16 hex digits of SHA-256") {
  auto a = alerts_of(R"({"alertname": "DiskFull", "instance": "db-1", "mountpoint": "/data"})")[0];
  auto b = alerts_of(R"({"mountpoint": "/data", "alertname": "DiskFull", "instance": "db-1"})")[0];
  auto c = alerts_of(R"({"alerts": [{"labels": {"instance": "db-1", "mountpoint": "/data", "alertname": "DiskFull"}}]})")[0];
  CHECK(a.fingerprint.size() == 16);
  CHECK(a.fingerprint.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a.fingerprint == b.fingerprint);
  CHECK(a.fingerprint == c.fingerprint);  // no fingerprint in the payload: computed the same way
  // sha256("alertname=DiskFull\ninstance=db-1\nmountpoint=/data\n"), first 16 digits.
  CHECK(a.fingerprint == "01e7f5d38342be71");
  auto d = alerts_of(R"({"alertname": "DiskFull", "instance": "db-2", "mountpoint": "/data"})")[0];
  CHECK(d.fingerprint != a.fingerprint);
}

TEST_CASE("parse_alerts never throws, even on hostile input") {
  for (const char* body : {"\xff\xfe", "{\"a\": \"\xff\"}", "[[[[[[[[[[", "null", "\"text\"", "{\"alerts\": null}",
                           "{\"event\": {\"event_type\": 1}}", "{\"ruleName\": \"x\", \"state\": 1, \"tags\": 5}"})
    CHECK_NOTHROW((void)parse_alerts(body));
  std::string deep(100000, '[');
  CHECK_NOTHROW((void)parse_alerts(deep));
}
