#include <doctest.h>

#include <string>

#include "render/render.h"
#include "render/render_test_util.h"

using runbook::render::Format;
using runbook::render::Options;
using runbook::testing::pos;
using runbook::testing::render_as;
using runbook::testing::sample_playbook;

TEST_CASE("text: header with title, file, severity, metadata, alerts and counts") {
  const std::string out = render_as(sample_playbook(), Format::Text);
  CHECK(out.rfind("DRY RUN: nothing is executed.\n", 0) == 0);
  CHECK(out.find("API Outage") != std::string::npos);
  CHECK(out.find("playbooks/test.md, lines 1-200") != std::string::npos);
  CHECK(out.find("P0 (Critical)") != std::string::npos);
  CHECK(out.find("Response Time Immediate (0-5 minutes)") != std::string::npos);
  CHECK(out.find("ApiDown") != std::string::npos);
  CHECK(out.find("7 (3 command, 1 checklist, 2 decision, 1 template)") != std::string::npos);
  CHECK(out.find("1 destructive, 1 mutating, 1 read-only") != std::string::npos);
  CHECK(out.find("<pod-name>, <namespace>, [Status], ${INCIDENT_ID}, ${API_TOKEN}") != std::string::npos);
  CHECK(out.find('\x1b') == std::string::npos);
}

TEST_CASE("text: steps in graph order with options grouped") {
  const std::string out = render_as(sample_playbook(), Format::Text);
  CHECK(out.find("[1] diagnosis-1  command  read-only  lines") != std::string::npos);
  CHECK(out.find("section: API Outage > Diagnosis") != std::string::npos);
  CHECK(out.find("read-only test.rule: a test verdict (line ") != std::string::npos);
  CHECK(out.find("    | kubectl logs <pod-name> -n <namespace>\n") != std::string::npos);
  CHECK(out.find("unresolved: <pod-name>, <namespace>") != std::string::npos);
  CHECK(out.find("[ ] Check the error rate\n") != std::string::npos);
  CHECK(out.find("- Dashboard: api-overview") != std::string::npos);
  CHECK(out.find("-> Option 1: Restart  [option-1-1]") != std::string::npos);
  CHECK(out.find("\n  + Option 1: Restart\n    [4] option-1-1  command  !! DESTRUCTIVE") != std::string::npos);
  CHECK(out.find("  + Option 2: Wait\n      (no steps)\n  = options of remediation-1 join\n") != std::string::npos);
  CHECK(out.find("? Are customers affected?") != std::string::npos);
  CHECK(pos(out, "[1] diagnosis-1") < pos(out, "[2] diagnosis-2"));
  CHECK(pos(out, "[3] remediation-1") < pos(out, "[4] option-1-1"));
  CHECK(pos(out, "[4] option-1-1") < pos(out, "= options of remediation-1 join"));
  CHECK(pos(out, "= options of remediation-1 join") < pos(out, "[5] communication-1"));
  CHECK(pos(out, "[6] communication-2") < pos(out, "[7] communication-3"));
}

TEST_CASE("text: colour only when asked") {
  Options options;
  options.color = true;
  const std::string out = render_as(sample_playbook(), Format::Text, options);
  CHECK(out.find("\x1b[1;33m<pod-name>\x1b[0m") != std::string::npos);
  CHECK(out.find("\x1b[1;31m!! DESTRUCTIVE\x1b[0m") != std::string::npos);
  CHECK(out.find("\x1b[32mread-only\x1b[0m") != std::string::npos);
  CHECK(out.find("\x1b[33mmutating\x1b[0m") != std::string::npos);
}

TEST_CASE("text: known values are substituted shell-quoted, templates literally") {
  Options options;
  options.vars["POD_NAME"] = "$(rm -rf /)";
  options.vars["NAMESPACE"] = "prod";
  options.vars["STATUS"] = "it's 'fine'";
  const std::string out = render_as(sample_playbook(), Format::Text, options);
  CHECK(out.find("| kubectl logs '$(rm -rf /)' -n prod\n") != std::string::npos);
  CHECK(out.find("| kubectl delete pod '$(rm -rf /)'\n") != std::string::npos);
  CHECK(out.find("| Status: it's 'fine' for incident ${INCIDENT_ID}") != std::string::npos);
  CHECK(out.find("${INCIDENT_ID}, ${API_TOKEN}\n") != std::string::npos);
  CHECK(out.find("<pod-name>") == std::string::npos);
}

TEST_CASE("text: secret values are masked unless shown on purpose") {
  Options options;
  options.vars["API_TOKEN"] = "s3cr3t-value";
  std::string out = render_as(sample_playbook(), Format::Text, options);
  CHECK(out.find("s3cr3t-value") == std::string::npos);
  CHECK(out.find("(token ********)") != std::string::npos);
  options.show_secrets = true;
  out = render_as(sample_playbook(), Format::Text, options);
  CHECK(out.find("(token s3cr3t-value)") != std::string::npos);
}

TEST_CASE("text: control characters from the playbook cannot reach the terminal") {
  runbook::testing::PlaybookBuilder b("Evil\x1b]0;owned\x07 title");
  b.command("evil", "echo \x1b[2J\x9b bad \xff\xfe");
  const std::string out = render_as(b.pb, Format::Text);
  CHECK(out.find('\x1b') == std::string::npos);
  CHECK(out.find('\x07') == std::string::npos);
  CHECK(out.find("Evil\\x1b]0;owned\\x07 title") != std::string::npos);
  CHECK(out.find("echo \\x1b[2J") != std::string::npos);
  CHECK(out.find("\xef\xbf\xbd") != std::string::npos);  // invalid UTF-8 replaced
}

TEST_CASE("text: an empty playbook") {
  runbook::testing::PlaybookBuilder b("Nothing");
  const std::string out = render_as(b.pb, Format::Text);
  CHECK(out.find("No steps.") != std::string::npos);
  CHECK(out.find("none") != std::string::npos);
}

TEST_CASE("render_all: every playbook of a file, separated") {
  runbook::testing::PlaybookBuilder other("Second Playbook");
  other.command("x", "true");
  const std::string text = runbook::render::render_all({sample_playbook(), other.pb}, Format::Text, {});
  CHECK(pos(text, "API Outage") < pos(text, std::string(72, '=')));
  CHECK(pos(text, std::string(72, '=')) < pos(text, "Second Playbook"));
  const std::string md = runbook::render::render_all({sample_playbook(), other.pb}, Format::Markdown, {});
  CHECK(md.find("\n---\n\n## Dry run: Second Playbook\n") != std::string::npos);
  CHECK(runbook::render::render_all({}, Format::Text, {}).empty());
}
