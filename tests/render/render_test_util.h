#pragma once
// Shared fixtures for the render tests.

#include <string>

#include "graph/graph.h"
#include "graph/playbook_builder.h"
#include "render/render.h"

namespace runbook::testing {

/// A playbook with each step kind, a branch, variables, a destructive command and a secret.
inline playbook::Playbook sample_playbook() {
  PlaybookBuilder b("API Outage");
  b.pb.severity = playbook::Severity{0, "P0", "Critical", "P0 - Critical", 3};
  b.pb.metadata.push_back(playbook::MetadataField{"Response Time", "Immediate (0-5 minutes)", 4,
                                                  playbook::Duration{std::chrono::seconds(0), std::chrono::seconds(300)}});
  b.pb.alerts.push_back(playbook::Alert{"ApiDown", 5, "alert-line"});
  b.section("Diagnosis", 2);
  {
    auto& s = b.command("diagnosis-1", "kubectl logs <pod-name> -n <namespace>");
    PlaybookBuilder::var(s, "<pod-name>", "pod-name");
    PlaybookBuilder::var(s, "<namespace>", "namespace");
  }
  b.checklist("diagnosis-2", "Check the error rate", {"Dashboard: api-overview", "Compare with last week"});
  b.section("Remediation", 2);
  b.options("remediation-1", {{"Option 1: Restart", {"option-1-1"}}, {"Option 2: Wait", {}}});
  {
    auto& s = b.command("option-1-1", "kubectl delete pod <pod-name>", safety::Level::Destructive, "kubectl.delete",
                        "kubectl delete removes resources");
    PlaybookBuilder::var(s, "<pod-name>", "pod-name");
  }
  b.section("Communication", 2);
  {
    auto& s = b.templ("communication-1", "Status: [Status] for incident ${INCIDENT_ID} (token ${API_TOKEN})");
    PlaybookBuilder::var(s, "[Status]", "Status", playbook::VarSyntax::Bracket);
    PlaybookBuilder::var(s, "${INCIDENT_ID}", "INCIDENT_ID", playbook::VarSyntax::DollarBrace);
    PlaybookBuilder::var(s, "${API_TOKEN}", "API_TOKEN", playbook::VarSyntax::DollarBrace, true);
  }
  b.question("communication-2", "Are customers affected?", {"yes", "no"});
  b.command("communication-3", "systemctl restart api", safety::Level::Mutating, "systemctl.restart",
            "restarts a service");
  return b.pb;
}

/// Renders a playbook in one format.
inline std::string render_as(const playbook::Playbook& pb, render::Format format, const render::Options& options = {}) {
  return render::render(pb, graph::StepGraph::build(pb), format, options);
}

/// Position of `needle` in `hay` (npos when absent), for ordering checks.
inline std::size_t pos(const std::string& hay, const std::string& needle) { return hay.find(needle); }

}  // namespace runbook::testing
