#include <doctest.h>

#include <string>

#include "graph/graph.h"
#include "graph/graph_json.h"
#include "graph/playbook_builder.h"
#include "graph/schema_check.h"

namespace {

using nlohmann::ordered_json;
using runbook::graph::StepGraph;
using runbook::testing::PlaybookBuilder;

/// A playbook using every part of the model.
runbook::playbook::Playbook full_playbook() {
  PlaybookBuilder b("Database Outage");
  b.pb.source_sha256 = "abc123";
  b.pb.severity = runbook::playbook::Severity{0, "P0", "Critical", "P0 - Critical", 3};
  b.pb.severity_levels.push_back(runbook::playbook::Severity{1, "P1", "High", "P1 - High", 20});
  runbook::playbook::MetadataField rt{"Response Time", "Immediate (0-5 minutes)", 4, std::nullopt};
  rt.duration = runbook::playbook::Duration{std::chrono::seconds(0), std::chrono::seconds(300)};
  b.pb.metadata.push_back(rt);
  b.pb.metadata.push_back(runbook::playbook::MetadataField{"Impact", "All users", 5, std::nullopt});
  b.pb.alerts.push_back(runbook::playbook::Alert{"DatabaseDown", 6, "alert-line"});
  b.pb.front_matter = nlohmann::json{{"title", "DB"}, {"tags", {"db", "p0"}}};
  b.pb.findings.push_back(runbook::playbook::Finding{runbook::playbook::Finding::Level::Error, "unterminated-fence",
                                                     "a fence is not closed", 90});
  const int diag = b.section("Diagnosis", 2);
  {
    auto& s = b.command("diagnosis-1", "kubectl get pod <pod-name> -n $NAMESPACE");
    s.attributes["timeout"] = "30s";
    s.info = "bash {timeout=30s}";
    PlaybookBuilder::var(s, "<pod-name>", "pod-name");
    PlaybookBuilder::var(s, "$NAMESPACE", "NAMESPACE", runbook::playbook::VarSyntax::Dollar);
  }
  b.checklist("diagnosis-2", "Check the dashboard", {"Grafana: db-overview"}, true);
  b.section("Remediation", 2);
  b.options("remediation-1", {{"Option 1: Restart", {"option-1-1"}}, {"Option 2: Failover", {"option-2-1"}}});
  b.section("Option 1: Restart", 3, static_cast<int>(b.pb.sections.size()) - 1);
  b.command("option-1-1", "kubectl delete pod <pod-name>", runbook::safety::Level::Destructive, "kubectl.delete",
            "kubectl delete removes resources");
  b.section("Option 2: Failover", 3, static_cast<int>(b.pb.sections.size()) - 2);
  {
    auto& s = b.command("option-2-1", "psql -c 'SELECT pg_promote()'", runbook::safety::Level::Mutating);
    s.interpreter = runbook::playbook::Interpreter::Sql;
    s.inferred_because = "psql";
  }
  b.section("Communication", 2);
  {
    auto& s = b.templ("communication-1", "Incident [ID]: database down, token ${API_TOKEN}");
    PlaybookBuilder::var(s, "[ID]", "ID", runbook::playbook::VarSyntax::Bracket);
    PlaybookBuilder::var(s, "${API_TOKEN}", "API_TOKEN", runbook::playbook::VarSyntax::DollarBrace, true);
  }
  {
    auto& s = b.snippet("communication-2", "```markdown\n# Embedded\n```");
    s.embedded_title = "Embedded";
  }
  b.question("communication-3", "Is the customer affected?", {"yes", "no"});
  (void)diag;
  return b.pb;
}

}  // namespace

TEST_CASE("to_json: top-level shape and order") {
  const auto pb = full_playbook();
  const auto j = runbook::graph::to_json(pb, StepGraph::build(pb));
  std::vector<std::string> keys;
  for (const auto& item : j.items()) keys.push_back(item.key());
  CHECK(keys == std::vector<std::string>{"$schema", "schema_version", "title", "title_line", "path", "embedded",
                                         "range", "source_sha256", "severity", "severity_levels", "metadata",
                                         "alerts", "front_matter", "sections", "steps", "findings", "summary",
                                         "graph"});
  CHECK(j["schema_version"] == 1);
  CHECK(j["$schema"] == runbook::graph::kSchemaId);
  CHECK(j["severity"]["label"] == "P0");
  CHECK(j["metadata"][0]["duration"]["max_seconds"] == 300);
  CHECK(j["metadata"][1]["duration"].is_null());
  CHECK(j["front_matter"]["tags"][1] == "p0");
  CHECK(j["findings"][0]["level"] == "error");
  CHECK(j["summary"]["by_kind"]["command"] == 3);
  CHECK(j["summary"]["by_safety"]["destructive"] == 1);
  CHECK(j["summary"]["variables"] == ordered_json{"POD_NAME", "NAMESPACE", "ID", "API_TOKEN"});
}

TEST_CASE("to_json: steps carry everything that matters") {
  const auto pb = full_playbook();
  const auto j = runbook::graph::to_json(pb, StepGraph::build(pb));
  const auto& s0 = j["steps"][0];
  CHECK(s0["id"] == "diagnosis-1");
  CHECK(s0["kind"] == "command");
  CHECK(s0["section_path"] == ordered_json{"Database Outage", "Diagnosis"});
  CHECK(s0["attributes"]["timeout"] == "30s");
  CHECK(s0["interpreter"] == "shell");
  CHECK(s0["parts"][0]["safety"]["level"] == "read-only");
  CHECK(s0["safety"]["rule"] == "test.rule");
  CHECK(s0["variables"][0]["key"] == "POD_NAME");
  CHECK(s0["variables"][1]["syntax"] == "dollar");
  CHECK(s0["next"] == ordered_json{"diagnosis-2"});
  CHECK(!s0.contains("checklist"));
  CHECK(!s0.contains("decision"));
  const auto& s1 = j["steps"][1];
  CHECK(s1["checklist"]["checked"] == true);
  CHECK(s1["checklist"]["hints"][0] == "Grafana: db-overview");
  CHECK(s1["safety"].is_null());
  const auto& s2 = j["steps"][2];
  CHECK(s2["decision"]["form"] == "options");
  CHECK(s2["decision"]["choices"][1]["step_ids"] == ordered_json{"option-2-1"});
  CHECK(s2["next"] == ordered_json{"option-1-1", "option-2-1"});
  CHECK(j["steps"][5]["depends_on"] == ordered_json{"option-1-1", "option-2-1"});
  CHECK(j["steps"][4]["inferred_because"] == "psql");
  CHECK(j["steps"][5]["variables"][1]["secret"] == true);
  CHECK(j["steps"][6]["embedded_title"] == "Embedded");
  CHECK(j["steps"][7]["decision"]["form"] == "questions");
}

TEST_CASE("to_json: graph nodes and edges use string ids") {
  const auto pb = full_playbook();
  const auto j = runbook::graph::to_json(pb, StepGraph::build(pb));
  const auto& nodes = j["graph"]["nodes"];
  CHECK(nodes.front() == ordered_json{{"id", "start"}, {"kind", "start"}, {"step", nullptr}});
  CHECK(nodes[1] == ordered_json{{"id", "diagnosis-1"}, {"kind", "step"}, {"step", 0}});
  CHECK(nodes.back()["id"] == "end");
  bool found_choice = false, found_join = false;
  for (const auto& e : j["graph"]["edges"]) {
    if (e["kind"] == "choice" && e["to"] == "option-2-1") {
      found_choice = true;
      CHECK(e["from"] == "remediation-1");
      CHECK(e["label"] == "Option 2: Failover");
    }
    if (e["kind"] == "join" && e["from"] == "option-1-1") {
      found_join = true;
      CHECK(e["to"] == "remediation-1/join");
      CHECK(e["label"] == "");
    }
  }
  CHECK(found_choice);
  CHECK(found_join);
}

TEST_CASE("to_json is deterministic") {
  const auto pb = full_playbook();
  CHECK(runbook::graph::to_json(pb, StepGraph::build(pb)).dump() == runbook::graph::to_json(pb, StepGraph::build(pb)).dump());
}

TEST_CASE("section_path survives bad parent links") {
  PlaybookBuilder b;
  b.section("A", 2);
  b.pb.sections[0].parent = 1;  // a cycle: 0 -> 1 -> 0
  b.pb.sections[1].parent = 0;
  const auto path = runbook::graph::section_path(b.pb, 1);
  CHECK(path.size() <= 3);
  CHECK(runbook::graph::section_path(b.pb, -1).empty());
  CHECK(runbook::graph::section_path(b.pb, 42).empty());
}

TEST_CASE("to_json output matches the schema") {
  if (!runbook::testing::have_jsonschema()) {
    MESSAGE("python3-jsonschema missing: skipped");
    return;
  }
  const auto pb = full_playbook();
  const auto j = runbook::graph::to_json(pb, StepGraph::build(pb));
  CHECK(runbook::testing::matches_schema(j.dump(2)));
  // An array of playbooks is accepted too (files with embedded playbooks).
  CHECK(runbook::testing::matches_schema(ordered_json::array({j, j}).dump()));
  // An empty playbook.
  PlaybookBuilder empty;
  CHECK(runbook::testing::matches_schema(runbook::graph::to_json(empty.pb, StepGraph::build(empty.pb)).dump()));
}

TEST_CASE("the schema is strict") {
  if (!runbook::testing::have_jsonschema()) return;
  const auto pb = full_playbook();
  const auto good = runbook::graph::to_json(pb, StepGraph::build(pb));
  auto bad = good;
  bad["steps"][0]["kind"] = "bogus";
  CHECK_FALSE(runbook::testing::matches_schema(bad.dump(), true));
  bad = good;
  bad["steps"][0]["unexpected"] = 1;
  CHECK_FALSE(runbook::testing::matches_schema(bad.dump(), true));
  bad = good;
  bad["graph"]["edges"][0]["kind"] = "jump";
  CHECK_FALSE(runbook::testing::matches_schema(bad.dump(), true));
  bad = good;
  bad["steps"][0]["parts"][0]["safety"]["level"] = "harmless";
  CHECK_FALSE(runbook::testing::matches_schema(bad.dump(), true));
  bad = good;
  bad["steps"][1].erase("checklist");
  CHECK_FALSE(runbook::testing::matches_schema(bad.dump(), true));
  bad = good;
  bad.erase("schema_version");
  CHECK_FALSE(runbook::testing::matches_schema(bad.dump(), true));
}
