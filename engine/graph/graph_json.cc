#include "graph/graph_json.h"

#include <cstddef>
#include <string>
#include <vector>

namespace runbook::graph {

namespace {

using nlohmann::ordered_json;
using playbook::Playbook;
using playbook::StepKind;

ordered_json lines_json(const playbook::LineRange& r) {
  ordered_json j;
  j["first"] = r.first;
  j["last"] = r.last;
  return j;
}

ordered_json verdict_json(const safety::Verdict& v) {
  ordered_json j;
  j["level"] = safety::level_name(v.level);
  j["rule"] = v.rule;
  j["reason"] = v.reason;
  j["subject"] = v.subject;
  return j;
}

ordered_json severity_json(const playbook::Severity& s) {
  ordered_json j;
  j["rank"] = s.rank;
  j["label"] = s.label;
  j["name"] = s.name;
  j["source"] = s.source;
  j["line"] = s.line;
  return j;
}

ordered_json variable_json(const playbook::Variable& v) {
  ordered_json j;
  j["name"] = v.name;
  j["written"] = v.written;
  j["key"] = v.key;
  j["syntax"] = playbook::var_syntax_name(v.syntax);
  j["secret"] = v.secret;
  j["has_default"] = v.has_default;
  j["line"] = v.line;
  return j;
}

ordered_json step_ids_json(const Playbook& pb, const std::vector<int>& steps) {
  ordered_json j = ordered_json::array();
  for (int s : steps) j.push_back(pb.steps[static_cast<std::size_t>(s)].id);
  return j;
}

}  // namespace

std::vector<std::string> section_path(const Playbook& playbook, int section) {
  std::vector<std::string> path;
  const int count = static_cast<int>(playbook.sections.size());
  // Bounded walk: a malformed parent chain cannot loop forever.
  for (int at = section, guard = 0; at >= 0 && at < count && guard <= count; ++guard) {
    path.push_back(playbook.sections[static_cast<std::size_t>(at)].title);
    at = playbook.sections[static_cast<std::size_t>(at)].parent;
  }
  return {path.rbegin(), path.rend()};
}

ordered_json step_to_json(const Playbook& pb, int index) {
  const auto& step = pb.steps.at(static_cast<std::size_t>(index));
  ordered_json j;
  j["index"] = index;
  j["id"] = step.id;
  j["kind"] = playbook::kind_name(step.kind);
  j["lines"] = lines_json(step.lines);
  j["section"] = step.section;
  j["section_path"] = section_path(pb, step.section);
  j["context"] = step.context;
  j["info"] = step.info;
  j["language"] = step.language;
  j["interpreter"] = playbook::interpreter_name(step.interpreter);
  ordered_json attributes = ordered_json::object();
  for (const auto& [key, value] : step.attributes) attributes[key] = value;
  j["attributes"] = std::move(attributes);
  j["body"] = step.body;
  ordered_json parts = ordered_json::array();
  for (const auto& part : step.parts) {
    ordered_json p;
    p["text"] = part.text;
    p["label"] = part.label;
    p["lines"] = lines_json(part.lines);
    p["safety"] = verdict_json(part.safety);
    parts.push_back(std::move(p));
  }
  j["parts"] = std::move(parts);
  // Only commands are classified; other kinds carry no verdict.
  j["safety"] = step.kind == StepKind::Command ? verdict_json(step.safety) : ordered_json(nullptr);
  ordered_json vars = ordered_json::array();
  for (const auto& v : step.variables) vars.push_back(variable_json(v));
  j["variables"] = std::move(vars);
  j["inferred_because"] = step.inferred_because;
  j["embedded_title"] = step.embedded_title;
  if (step.kind == StepKind::Checklist) {
    ordered_json c;
    c["checked"] = step.checked;
    c["hints"] = step.hints;
    j["checklist"] = std::move(c);
  }
  if (step.kind == StepKind::Decision) {
    ordered_json d;
    d["form"] = playbook::decision_form_name(step.form);
    d["question"] = step.question;
    ordered_json choices = ordered_json::array();
    for (const auto& choice : step.choices) {
      ordered_json c;
      c["label"] = choice.label;
      c["detail"] = choice.detail;
      c["section"] = choice.section;
      c["step_ids"] = choice.step_ids;
      c["line"] = choice.line;
      choices.push_back(std::move(c));
    }
    d["choices"] = std::move(choices);
    j["decision"] = std::move(d);
  }
  return j;
}

ordered_json to_json(const Playbook& pb, const StepGraph& graph) {
  ordered_json j;
  j["$schema"] = kSchemaId;
  j["schema_version"] = kSchemaVersion;
  j["title"] = pb.title;
  j["title_line"] = pb.title_line;
  j["path"] = pb.path;
  j["embedded"] = pb.embedded;
  j["range"] = lines_json(pb.range);
  j["source_sha256"] = pb.source_sha256;
  j["severity"] = pb.severity ? severity_json(*pb.severity) : ordered_json(nullptr);
  ordered_json levels = ordered_json::array();
  for (const auto& s : pb.severity_levels) levels.push_back(severity_json(s));
  j["severity_levels"] = std::move(levels);

  ordered_json metadata = ordered_json::array();
  for (const auto& f : pb.metadata) {
    ordered_json m;
    m["key"] = f.key;
    m["value"] = f.value;
    m["line"] = f.line;
    if (f.duration) {
      ordered_json d;
      d["min_seconds"] = f.duration->min.count();
      d["max_seconds"] = f.duration->max.count();
      m["duration"] = std::move(d);
    } else {
      m["duration"] = nullptr;
    }
    metadata.push_back(std::move(m));
  }
  j["metadata"] = std::move(metadata);

  ordered_json alerts = ordered_json::array();
  for (const auto& a : pb.alerts) {
    ordered_json x;
    x["name"] = a.name;
    x["line"] = a.line;
    x["source"] = a.source;
    alerts.push_back(std::move(x));
  }
  j["alerts"] = std::move(alerts);
  // Front matter is a plain (key-sorted) json value; carried over as it is.
  j["front_matter"] = pb.front_matter.is_null()
                          ? ordered_json(nullptr)
                          : ordered_json::parse(pb.front_matter.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));

  ordered_json sections = ordered_json::array();
  for (std::size_t i = 0; i < pb.sections.size(); ++i) {
    const auto& s = pb.sections[i];
    ordered_json x;
    x["index"] = static_cast<int>(i);
    x["title"] = s.title;
    x["level"] = s.level;
    x["line"] = s.line;
    x["slug"] = s.slug;
    x["parent"] = s.parent;
    x["children"] = s.children;
    sections.push_back(std::move(x));
  }
  j["sections"] = std::move(sections);

  ordered_json steps = ordered_json::array();
  for (std::size_t i = 0; i < pb.steps.size(); ++i) {
    ordered_json s = step_to_json(pb, static_cast<int>(i));
    s["next"] = step_ids_json(pb, graph.next_steps(static_cast<int>(i)));
    s["depends_on"] = step_ids_json(pb, graph.depends_on(static_cast<int>(i)));
    steps.push_back(std::move(s));
  }
  j["steps"] = std::move(steps);

  ordered_json findings = ordered_json::array();
  for (const auto& f : pb.findings) {
    ordered_json x;
    x["level"] = f.level == playbook::Finding::Level::Error ? "error" : "warning";
    x["code"] = f.code;
    x["message"] = f.message;
    x["line"] = f.line;
    findings.push_back(std::move(x));
  }
  j["findings"] = std::move(findings);

  // Counts, so that consumers need not recompute them.
  ordered_json by_kind = ordered_json::object();
  for (auto kind : {StepKind::Command, StepKind::Snippet, StepKind::Checklist, StepKind::Decision, StepKind::Template})
    by_kind[playbook::kind_name(kind)] = 0;
  ordered_json by_safety = ordered_json::object();
  for (auto level : {safety::Level::ReadOnly, safety::Level::Mutating, safety::Level::Destructive})
    by_safety[safety::level_name(level)] = 0;
  ordered_json variables = ordered_json::array();
  std::vector<std::string> seen;
  for (const auto& step : pb.steps) {
    by_kind[playbook::kind_name(step.kind)] = by_kind[playbook::kind_name(step.kind)].get<int>() + 1;
    if (step.kind == StepKind::Command)
      by_safety[safety::level_name(step.safety.level)] = by_safety[safety::level_name(step.safety.level)].get<int>() + 1;
    for (const auto& v : step.variables) {
      bool known = false;
      for (const auto& k : seen) known = known || k == v.key;
      if (known) continue;
      seen.push_back(v.key);
      variables.push_back(v.key);
    }
  }
  ordered_json summary;
  summary["steps"] = static_cast<int>(pb.steps.size());
  summary["by_kind"] = std::move(by_kind);
  summary["by_safety"] = std::move(by_safety);
  summary["variables"] = std::move(variables);
  j["summary"] = std::move(summary);

  ordered_json nodes = ordered_json::array();
  for (const auto& node : graph.nodes()) {
    ordered_json x;
    x["id"] = node.id;
    x["kind"] = node_kind_name(node.kind);
    x["step"] = node.step >= 0 ? ordered_json(node.step) : ordered_json(nullptr);
    nodes.push_back(std::move(x));
  }
  ordered_json edges = ordered_json::array();
  for (const auto& edge : graph.edges()) {
    ordered_json x;
    x["from"] = graph.nodes()[static_cast<std::size_t>(edge.from)].id;
    x["to"] = graph.nodes()[static_cast<std::size_t>(edge.to)].id;
    x["kind"] = edge_kind_name(edge.kind);
    x["label"] = edge.label;
    edges.push_back(std::move(x));
  }
  ordered_json g;
  g["nodes"] = std::move(nodes);
  g["edges"] = std::move(edges);
  j["graph"] = std::move(g);
  return j;
}

}  // namespace runbook::graph
