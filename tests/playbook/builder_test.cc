#include <doctest.h>

#include "test_support_playbook.h"

using runbook::playbook::DecisionForm;
using runbook::playbook::Interpreter;
using runbook::playbook::StepKind;
using runbook::testing::has_finding;
using runbook::testing::parse;
using runbook::testing::steps_of;

TEST_CASE("title, severity header and bold-label metadata with durations") {
  auto pb = parse(
      "# Playbook: Queue Backlog\n"
      "\n"
      "## Severity: P1 - High\n"
      "\n"
      "**Impact**: Jobs delayed for all tenants **Response Time**: Immediate (0-5 minutes)\n"
      "**Escalation**: To the platform lead if not resolved in 45 minutes\n");
  CHECK(pb.title == "Playbook: Queue Backlog");
  CHECK(pb.title_line == 1);
  REQUIRE(pb.severity);
  CHECK(pb.severity->rank == 1);
  CHECK(pb.severity->line == 3);
  REQUIRE(pb.field("impact"));
  CHECK(pb.field("Impact")->value == "Jobs delayed for all tenants");
  REQUIRE(pb.field("Response Time"));
  REQUIRE(pb.field("Response Time")->duration);
  CHECK(pb.field("Response Time")->duration->max.count() == 300);
  REQUIRE(pb.field("Escalation"));
  CHECK(pb.field("Escalation")->line == 6);
  REQUIRE(pb.field("Escalation")->duration);
  CHECK(pb.field("Escalation")->duration->max.count() == 2700);
}

TEST_CASE("severity tables and level sections are levels, not the playbook's own severity") {
  auto pb = parse(
      "# Process\n\n## Severity Levels\n\n"
      "| Level | Response |\n|---|---|\n| **P0 - Critical** | 15 min |\n| **P2 - Medium** | 4 hours |\n\n"
      "### SEV1 (Response: 10 minutes)\n\n- outage\n");
  CHECK_FALSE(pb.severity);
  REQUIRE(pb.severity_levels.size() == 3);
  CHECK(pb.severity_levels[0].rank == 0);
  CHECK(pb.severity_levels[0].line == 7);
  CHECK(pb.severity_levels[1].rank == 2);
  CHECK(pb.severity_levels[1].line == 8);
  CHECK(pb.severity_levels[2].line == 10);
}

namespace {

std::vector<std::string> alert_names(const runbook::playbook::Playbook& pb) {
  std::vector<std::string> names;
  for (const auto& a : pb.alerts) names.push_back(a.name);
  return names;
}

}  // namespace

TEST_CASE("alerts from Alert: lines and from code spans under Detection") {
  auto pb = parse(
      "# X\n\n## Detection\n\n- Alert: \"ApiDown\" from Prometheus\n- Alert: \"QueueStuck\" or \"QueueSlow\"\n"
      "- Also fires `DiskPressureHigh` and `disk usage`\n\n## Other\n\nSee `NotAnAlert` here.\n");
  CHECK(alert_names(pb) == std::vector<std::string>{"ApiDown", "QueueStuck", "QueueSlow", "DiskPressureHigh"});
  CHECK(pb.alerts[0].line == 5);
  CHECK(pb.alerts[0].source == "alert-line");
  CHECK(pb.alerts[3].source == "detection-list");
}

TEST_CASE("alert markers: any case, singular or plural, a whole word, quoted or bare") {
  // Code spans are plain text by then: `A`, `B` after a marker is a bare list, and only its
  // first name counts.
  auto pb = parse(
      "# X\n\nALERTS: `DiskFull`, `DiskSlow`\n\nalert: NodeNotReady fired\n\nPrealert: \"NotThis\"\n\n"
      "Alertss: \"NorThis\"\n\nSee alert : \"Spaced\"\n\nTime: 5 min. Alert:\"QueueBacklogHigh\" and alert: lower\n");
  CHECK(alert_names(pb) == std::vector<std::string>{"DiskFull", "NodeNotReady", "QueueBacklogHigh"});
}

TEST_CASE("fenced blocks become command, snippet or template steps") {
  auto pb = parse(
      "# T\n\n## Check\n\nLook at the pods first.\n\n"
      "```bash {timeout=30s}\n# List pods\nkubectl get pods -n prod\n\n# Remove one\nkubectl delete pod <pod-name> -n prod\n```\n\n"
      "```sql\nSELECT count(*) FROM pg_stat_activity;\n```\n\n"
      "```promql\nrate(http_requests_total[5m])\n```\n\n"
      "```yaml\nenv:\n  - name: POOL\n```\n\n"
      "```yaml\nkubectl apply -f - <<EOF\nkind: Ingress\nEOF\n```\n\n"
      "```\nStatus: [Investigating/Resolved]\nOwner: [Name]\n```\n\n"
      "```python\nprint(1)\n```\n");
  REQUIRE(pb.steps.size() == 7);
  const auto& bash = pb.steps[0];
  CHECK(bash.kind == StepKind::Command);
  CHECK(bash.interpreter == Interpreter::Shell);
  CHECK(bash.attributes.at("timeout") == "30s");
  CHECK(bash.context == "Look at the pods first.");
  CHECK(bash.lines.first == 7);
  CHECK(bash.lines.last == 13);
  REQUIRE(bash.parts.size() == 2);
  CHECK(bash.parts[0].label == "List pods");
  CHECK(bash.parts[0].lines.first == 9);
  CHECK(bash.parts[0].safety.level == runbook::safety::Level::ReadOnly);
  CHECK(bash.parts[1].safety.level == runbook::safety::Level::Destructive);
  CHECK(bash.safety.level == runbook::safety::Level::Destructive);
  REQUIRE(bash.variables.size() == 1);
  CHECK(bash.variables[0].written == "<pod-name>");
  CHECK(bash.variables[0].line == 12);

  CHECK(pb.steps[1].interpreter == Interpreter::Sql);
  CHECK(pb.steps[1].safety.level == runbook::safety::Level::ReadOnly);
  CHECK(pb.steps[2].interpreter == Interpreter::PromQL);
  CHECK(pb.steps[3].kind == StepKind::Snippet);
  CHECK(pb.steps[4].kind == StepKind::Command);
  CHECK(pb.steps[4].interpreter == Interpreter::Shell);
  CHECK_FALSE(pb.steps[4].inferred_because.empty());
  CHECK(pb.steps[5].kind == StepKind::Template);
  CHECK(pb.steps[5].variables.size() == 2);
  CHECK(pb.steps[6].kind == StepKind::Snippet);
  CHECK(pb.steps[6].language == "python");
}

TEST_CASE("task items become checklist steps with nested hints; nested tasks are their own steps") {
  auto pb = parse(
      "# T\n\n## Causes\n\n"
      "- [ ] Recent deploy?\n  - If yes: roll back\n- [x] Disk full?\n  - [ ] Cleared /tmp\n\n"
      "- plain item\n");
  auto items = steps_of(pb, StepKind::Checklist);
  REQUIRE(items.size() == 3);
  CHECK(items[0]->body == "Recent deploy?");
  CHECK_FALSE(items[0]->checked);
  CHECK(items[0]->hints == std::vector<std::string>{"If yes: roll back"});
  CHECK(items[1]->checked);
  CHECK(items[1]->hints.empty());
  CHECK(items[2]->body == "Cleared /tmp");
  CHECK(items[2]->lines.first == 8);
  // Hints under a checklist item are not conditional decisions of their own.
  CHECK(steps_of(pb, StepKind::Decision).empty());
}

TEST_CASE("sibling Option sections become one decision with branches") {
  auto pb = parse(
      "# T\n\n## Fix\n\n### Option 1: Roll back\n\n```bash\nkubectl rollout undo deploy/api\n```\n\n"
      "### Option 2: Restart\n\n```bash\nkubectl rollout restart deploy/api\n```\n\n"
      "```bash\nkubectl get pods\n```\n\n### Option 3: Wait\n\nNothing to run.\n\n## Verify\n\n```bash\ncurl -f x\n```\n");
  auto decisions = steps_of(pb, StepKind::Decision);
  REQUIRE(decisions.size() == 1);
  const auto& d = *decisions[0];
  CHECK(d.form == DecisionForm::Options);
  CHECK(d.question == "Fix");
  CHECK(d.id == "fix/1");
  REQUIRE(d.choices.size() == 3);
  CHECK(d.choices[0].label == "Option 1: Roll back");
  CHECK(d.choices[0].step_ids == std::vector<std::string>{"fix/option-1-roll-back/1"});
  CHECK(d.choices[1].step_ids.size() == 2);
  CHECK(d.choices[2].step_ids.empty());
  // The decision comes right before the first option's step.
  CHECK(pb.steps[0].kind == StepKind::Decision);
  CHECK(pb.steps.back().id == "verify/1");
}

TEST_CASE("Decision Points lists and If-items") {
  auto pb = parse(
      "# T\n\n## Triage\n\n**Decision Points**:\n- Is this a real incident?\n- Do we need to escalate?\n\n"
      "**Actions**:\n1. Check dashboards\n2. If P0/P1: open a war room\n   - page the manager\n");
  auto ds = steps_of(pb, StepKind::Decision);
  REQUIRE(ds.size() == 2);
  CHECK(ds[0]->form == DecisionForm::Questions);
  REQUIRE(ds[0]->choices.size() == 2);
  CHECK(ds[0]->choices[1].label == "Do we need to escalate?");
  CHECK(ds[1]->form == DecisionForm::Conditional);
  CHECK(ds[1]->question == "If P0/P1");
  REQUIRE(ds[1]->choices.size() == 1);
  CHECK(ds[1]->choices[0].detail == "open a war room\npage the manager");
}

TEST_CASE("step ids are stable when an unrelated section changes") {
  std::string tail = "## Check\n\n```bash\nuptime\n```\n\n```bash\ndf -h\n```\n";
  auto a = parse("# T\n\n## Intro\n\nText.\n\n" + tail);
  auto b = parse("# T\n\n## Intro\n\nMore text.\n\n```bash\nls\n```\n\n- [ ] new item\n\n" + tail);
  REQUIRE(a.steps.size() == 2);
  CHECK(a.steps[0].id == "check/1");
  CHECK(a.steps[1].id == "check/2");
  CHECK(b.step_index("check/1") >= 0);
  CHECK(b.steps[static_cast<std::size_t>(b.step_index("check/2"))].body == "df -h\n");
  // Leading numbering is not part of the slug: renumbering sections keeps ids.
  auto c = parse("# T\n\n## 3. Check\n\n```bash\nuptime\n```\n");
  CHECK(c.steps[0].id == "check/1");
}

TEST_CASE("duplicate ids: auto ids get a suffix and a warning, explicit duplicates are errors") {
  auto pb = parse("# T\n\n## A\n\n```bash\nls\n```\n\n## A\n\n```bash\nls\n```\n");
  CHECK(pb.steps[1].id == "a/1~2");
  CHECK(has_finding(pb, "duplicate-step-id"));
  auto ex = parse("# T\n\n```bash {id=check}\nls\n```\n\n```bash {id=check}\nls\n```\n");
  bool error = false;
  for (const auto& f : ex.findings) error |= f.code == "duplicate-step-id" && f.level == runbook::playbook::Finding::Level::Error;
  CHECK(error);
}

TEST_CASE("front matter: parsed, blanked, alerts added; bad YAML is a finding with its line") {
  auto pb = parse("---\ntitle: From FM\nalerts: [DiskFull, DiskSlow]\nseverity: SEV2\n---\n\n## Steps\n\n```sh\ndf\n```\n");
  CHECK(pb.title == "From FM");
  CHECK(pb.front_matter["alerts"].size() == 2);
  REQUIRE(pb.alerts.size() == 2);
  CHECK(pb.alerts[0].source == "front-matter");
  REQUIRE(pb.severity);
  CHECK(pb.severity->rank == 1);
  CHECK(pb.steps[0].lines.first == 9);
  auto bad = parse("---\ntitle: [unclosed\n---\n# T\n");
  CHECK(has_finding(bad, "front-matter"));
  CHECK(bad.title == "T");
}

TEST_CASE("lint-level findings: unterminated and mis-nested fences, unknown language, empty section") {
  auto pb = parse("# T\n\n## Empty\n\n## Full\n\n```shel\nls\n```\n\n```bash\nuptime\n");
  CHECK(has_finding(pb, "empty-section"));
  CHECK(has_finding(pb, "unknown-language"));
  CHECK(has_finding(pb, "unterminated-fence"));
  bool suggested = false;
  for (const auto& f : pb.findings) suggested |= f.message.find("did you mean \"shell\"") != std::string::npos;
  CHECK(suggested);
  auto nested = parse("````\n```sql\nSELECT 1;\n````\n");
  CHECK(has_finding(nested, "mis-nested-fence"));
}

TEST_CASE("deep nesting is refused with the line, not a crash") {
  std::string deep;
  for (int i = 0; i < 2000; ++i) deep += ">";
  deep += " x\n";
  auto r = runbook::playbook::parse_playbook(deep, "deep.md");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().file == "deep.md");
  CHECK(r.error().line == 1);
  CHECK(r.error().message.find("nested") != std::string::npos);
}

TEST_CASE("embedded playbooks are listed after the document, with file line numbers") {
  std::string text =
      "# Handbook\n\n### Service Down\n\n````markdown\n# Playbook: Service Down\n\n## Severity: P0 - Critical\n\n"
      "## Check\n\n```bash\nkubectl get pods\n```\n````\n\n## Not part of it\n";
  auto source = runbook::util::check_source_text("hb.md", text);
  REQUIRE(source.ok());
  auto r = runbook::playbook::load_source(*source);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  const auto& doc = (*r)[0];
  const auto& emb = (*r)[1];
  CHECK(doc.title == "Handbook");
  CHECK(emb.embedded);
  CHECK(emb.title == "Playbook: Service Down");
  CHECK(emb.title_line == 6);
  REQUIRE(emb.severity);
  CHECK(emb.severity->line == 8);
  REQUIRE(emb.steps.size() == 1);
  CHECK(emb.steps[0].lines.first == 12);
  CHECK(emb.range.first == 5);
  CHECK(emb.range.last == 15);
  CHECK(doc.steps[0].embedded_title == "Playbook: Service Down");
}

TEST_CASE("the document and its embedded playbooks share one verdict memo") {
  std::string text =
      "# Handbook\n\n```bash\nkubectl get pods\n```\n\n````markdown\n# Playbook: Pods\n\n## Check\n\n"
      "```bash\nkubectl get pods\nkubectl delete pod web-1\n```\n````\n";
  auto source = runbook::util::check_source_text("hb.md", text);
  REQUIRE(source.ok());

  SUBCASE("each distinct command is classified once, into the caller's memo") {
    runbook::playbook::VerdictMemo memo;
    runbook::playbook::ParseOptions options;
    options.verdicts = &memo;
    auto r = runbook::playbook::load_source(*source, options);
    REQUIRE(r.ok());
    REQUIRE(r->size() == 2);
    CHECK(memo.size() == 2);
    REQUIRE(memo.count("kubectl delete pod web-1"));
    CHECK(memo.at("kubectl delete pod web-1").rule == "kubectl.delete");
    // The memo changes nothing: the same verdicts as a parse that keeps its own.
    const std::size_t from = text.find("# Playbook");
    auto alone = runbook::playbook::parse_playbook(text.substr(from, text.rfind("````") - from), "hb.md");
    REQUIRE(alone.ok());
    REQUIRE((*r)[1].steps.size() == alone->steps.size());
    for (std::size_t i = 0; i < alone->steps.size(); ++i) {
      CHECK((*r)[1].steps[i].safety.rule == alone->steps[i].safety.rule);
      CHECK((*r)[1].steps[i].safety.level == alone->steps[i].safety.level);
    }
  }

  SUBCASE("a verdict already in the memo is used by the document and the embedded playbook alike") {
    runbook::playbook::VerdictMemo memo;
    memo["kubectl get pods"] = {runbook::safety::Level::Destructive, "test.seeded", "seeded by the test", ""};
    runbook::playbook::ParseOptions options;
    options.verdicts = &memo;
    auto r = runbook::playbook::load_source(*source, options);
    REQUIRE(r.ok());
    REQUIRE(r->size() == 2);
    REQUIRE(!(*r)[0].steps.empty());
    CHECK((*r)[0].steps[0].safety.rule == "test.seeded");
    const auto& check = (*r)[1].steps.at(0);
    REQUIRE(check.parts.size() == 2);
    CHECK(check.parts[0].safety.rule == "test.seeded");
    CHECK(check.parts[1].safety.rule == "kubectl.delete");
  }
}
