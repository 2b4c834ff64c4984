#include <doctest.h>

#include <string>
#include <vector>

#include "alert/bind.h"
#include "alert_test_util.h"
#include "playbook/placeholders.h"
#include "test_support_playbook.h"

using runbook::alert::alert_variables;
using runbook::testing::alert_fixture;
using runbook::testing::alerts_of;
using runbook::testing::parse;

namespace {

runbook::alert::Alert crash_alert() { return alerts_of(alert_fixture("alertmanager-group.json"))[0]; }

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("binding by name: labels, annotations and the alert's own fields, only what is used") {
  auto pb = parse(
      "# Crash\n\n## Look\n\n```bash\nkubectl -n <namespace> logs <pod> -c $CONTAINER\necho ${ALERTNAME} "
      "<alert-status> <fingerprint>\n```\n\n## Note\n\n```text\n{{ summary }} <unknown-thing>\n```\n");
  auto vars = alert_variables(crash_alert(), pb);
  REQUIRE(vars.count("POD"));
  CHECK(vars.at("POD").value == "api-7d9f8-x2x1z");
  CHECK(vars.at("POD").from == "label:pod");
  CHECK(vars.at("NAMESPACE").value == "payments");
  CHECK(vars.at("CONTAINER").value == "api");
  CHECK(vars.at("ALERTNAME").value == "KubePodCrashLooping");
  CHECK(vars.at("ALERT_STATUS").value == "firing");
  CHECK(vars.at("ALERT_STATUS").from == "alert:status");
  CHECK(vars.at("FINGERPRINT").value == "3f9a1c2b7d4e5f60");
  CHECK(vars.at("SUMMARY").value == "Pod payments/api-7d9f8-x2x1z is crash looping.");
  CHECK(vars.at("SUMMARY").from == "annotation:summary");
  CHECK_FALSE(vars.count("UNKNOWN_THING"));
  CHECK_FALSE(vars.count("SEVERITY"));  // a label no step uses
  CHECK(vars.size() == 7);
}

TEST_CASE("binding keys: label pod_name meets placeholder <pod-name>") {
  auto pb = parse("# X\n\n```bash\nkubectl delete pod <pod-name>\n```\n");
  auto alert = alerts_of(R"({"alertname": "X", "pod_name": "web-1"})")[0];
  auto vars = alert_variables(alert, pb);
  REQUIRE(vars.count("POD_NAME"));
  CHECK(vars.at("POD_NAME").value == "web-1");
  CHECK(vars.at("POD_NAME").from == "label:pod_name");
}

TEST_CASE("binding by alias: Go-template paths take the label or annotation they name") {
  auto pb = parse("# X\n\n## Note\n\n```text\nPod {{ .Labels.pod }}: {{ .Annotations.summary }} ({{ .Labels.summary }})\n```\n");
  auto alert = alerts_of(R"({"labels": {"alertname": "X", "pod": "web-1", "summary": "label text"},)"
                         R"( "annotations": {"summary": "annotation text"}})")[0];
  auto vars = alert_variables(alert, pb);
  REQUIRE(vars.count("LABELS_POD"));
  CHECK(vars.at("LABELS_POD").value == "web-1");
  CHECK(vars.at("ANNOTATIONS_SUMMARY").value == "annotation text");
  CHECK(vars.at("ANNOTATIONS_SUMMARY").from == "annotation:summary");
  CHECK(vars.at("LABELS_SUMMARY").value == "label text");

  // fill() finds them by key, so the text is filled as the playbook wrote it.
  const auto& step = pb.steps.at(0);
  runbook::playbook::Bindings b;
  for (const auto& [k, v] : vars) b[k] = v.value;
  CHECK(runbook::playbook::fill(step.body, step.variables, b, runbook::playbook::FillMode::Literal) ==
        "Pod web-1: annotation text (label text)\n");
}

TEST_CASE("explicit alert_variables mapping wins over name matching") {
  auto pb = parse(
      "---\nalert_variables:\n  pod-name: pod\n  message: annotations.summary\n  ns: labels.namespace\n"
      "  pod: labels.container\n  ticket: alertname\n---\n# X\n\n```bash\nkubectl -n <ns> delete pod <pod-name> # <pod>\n```\n");
  std::vector<std::string> warnings;
  auto vars = alert_variables(crash_alert(), pb, &warnings);
  CHECK(warnings.empty());
  CHECK(vars.at("POD_NAME").value == "api-7d9f8-x2x1z");
  CHECK(vars.at("POD_NAME").from == "label:pod");
  CHECK(vars.at("NS").value == "payments");
  CHECK(vars.at("POD").value == "api");  // mapped to container, not the pod label of the same name
  CHECK(vars.at("POD").from == "label:container");
  // Named by the mapping though no step uses them.
  CHECK(vars.at("MESSAGE").value == "Pod payments/api-7d9f8-x2x1z is crash looping.");
  CHECK(vars.at("MESSAGE").from == "annotation:summary");
  CHECK(vars.at("TICKET").value == "KubePodCrashLooping");
  CHECK(vars.at("TICKET").from == "label:alertname");
}

TEST_CASE("the front matter schema's labels: and variables.*.label map labels too") {
  auto pb = parse(
      "---\nlabels:\n  container: app\nvariables:\n  target:\n    label: pod\n---\n# X\n\n```bash\nkubectl logs <target> -c <app>\n```\n");
  auto vars = alert_variables(crash_alert(), pb);
  CHECK(vars.at("APP").value == "api");
  CHECK(vars.at("TARGET").value == "api-7d9f8-x2x1z");
}

TEST_CASE("a mapped value the alert lacks stays unbound, with a warning") {
  auto pb = parse("---\nalert_variables:\n  pod: labels.pod_name\n---\n# X\n\n```bash\nkubectl logs <pod>\n```\n");
  std::vector<std::string> warnings;
  auto vars = alert_variables(crash_alert(), pb, &warnings);
  CHECK_FALSE(vars.count("POD"));  // no fall back to the `pod` label: the mapping said otherwise
  REQUIRE(warnings.size() == 1);
  CHECK(contains(warnings[0], "alert_variables.pod"));
  CHECK(contains(warnings[0], "labels.pod_name"));
}

TEST_CASE("bad alert_variables front matter is ignored and reported, never a crash") {
  std::vector<std::string> warnings;
  auto pb = parse("---\nalert_variables: [pod, ns]\n---\n# X\n\n```bash\nkubectl logs <pod>\n```\n");
  auto vars = alert_variables(crash_alert(), pb, &warnings);
  CHECK(vars.at("POD").value == "api-7d9f8-x2x1z");  // name matching still works
  REQUIRE(warnings.size() == 1);
  CHECK(contains(warnings[0], "`alert_variables` must map"));

  warnings.clear();
  pb = parse("---\nalert_variables:\n  pod: {label: pod}\n  ns: 3\n  ok: labels.namespace\n---\n# X\n\n```bash\necho <pod> <ok>\n```\n");
  vars = alert_variables(crash_alert(), pb, &warnings);
  CHECK(warnings.size() == 2);
  CHECK(vars.at("POD").value == "api-7d9f8-x2x1z");
  CHECK(vars.at("OK").value == "payments");

  pb = parse("---\nalert_variables: just text\n---\n# X\n");
  CHECK_NOTHROW((void)alert_variables(crash_alert(), pb));  // no warnings vector: no crash either
  pb = parse("---\n- a list\n---\n# X\n");
  CHECK_NOTHROW((void)alert_variables(crash_alert(), pb));
}

TEST_CASE("hostile label values are bound byte-exact and filled as one shell word") {
  auto pb = parse("# X\n\n```bash\nkubectl logs <pod>\n```\n");
  auto alert = alerts_of(R"({"alertname": "X", "pod": "$(touch /tmp/x); `id` 'q' \"d\"\nnext"})")[0];
  auto vars = alert_variables(alert, pb);
  CHECK(vars.at("POD").value == "$(touch /tmp/x); `id` 'q' \"d\"\nnext");
  const auto& step = pb.steps.at(0);
  std::string filled = runbook::playbook::fill(step.body, step.variables, {{"POD", vars.at("POD").value}},
                                               runbook::playbook::FillMode::ShellQuoted);
  CHECK(filled.rfind("kubectl logs '", 0) == 0);  // one single-quoted word
}
