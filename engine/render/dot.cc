// The step graph as Graphviz: shapes by kind, colours by safety, choice edges labelled.

#include <cstddef>
#include <string>
#include <vector>

#include "render/dry_run.h"
#include "render/formats.h"

namespace runbook::render {

namespace {

using playbook::StepKind;

/// A double-quoted DOT string: quotes and backslashes escaped, line breaks as centred "\n".
std::string dot_string(std::string_view text) {
  const std::string clean = sanitize(text);
  std::string out = "\"";
  for (char c : clean) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += ' '; break;
      default: out += c;
    }
  }
  return out + "\"";
}

struct Look {
  const char* shape;
  const char* style;
  const char* color;
  const char* fill;
};

Look look_of(const playbook::Step& step) {
  switch (step.kind) {
    case StepKind::Command:
      switch (step.safety.level) {
        case safety::Level::Destructive: return {"box", "rounded,filled,bold", "red", "#ffd6d6"};
        case safety::Level::Mutating: return {"box", "rounded,filled", "orange", "#ffe9c7"};
        case safety::Level::ReadOnly: return {"box", "rounded,filled", "green", "#ddf5dd"};
      }
      break;
    case StepKind::Snippet: return {"note", "filled", "gray40", "#f2f2f2"};
    case StepKind::Checklist: return {"box", "filled", "steelblue", "#e3eef9"};
    case StepKind::Decision: return {"diamond", "filled", "purple", "#efe3f7"};
    case StepKind::Template: return {"folder", "filled", "gray40", "#fdfbe6"};
  }
  return {"box", "filled", "gray40", "#f2f2f2"};
}

}  // namespace

std::string render_dot(const playbook::Playbook& pb, const graph::StepGraph& graph, const Options& options) {
  std::string out = "digraph runbook {\n";
  out += "  graph [label=" + dot_string(pb.title + (pb.path.empty() ? "" : "\n" + pb.path)) +
         ", labelloc=t, fontname=\"Helvetica\", rankdir=TB];\n";
  out += "  node [fontname=\"Helvetica\", fontsize=10];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  const auto& nodes = graph.nodes();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& node = nodes[i];
    const std::string name = "  n" + std::to_string(i) + " ";
    switch (node.kind) {
      case graph::Node::Kind::Start:
        out += name + "[label=\"start\", shape=circle, style=filled, fillcolor=\"#dddddd\"];\n";
        break;
      case graph::Node::Kind::End:
        out += name + "[label=\"end\", shape=doublecircle, style=filled, fillcolor=\"#dddddd\"];\n";
        break;
      case graph::Node::Kind::Join:
      case graph::Node::Kind::Branch:
        out += name + "[label=\"\", shape=point, width=0.12, tooltip=" + dot_string(node.id) + "];\n";
        break;
      case graph::Node::Kind::Step: {
        if (node.step < 0 || node.step >= static_cast<int>(pb.steps.size())) {
          out += name + "[label=" + dot_string(node.id) + "];\n";
          break;
        }
        const auto& step = pb.steps[static_cast<std::size_t>(node.step)];
        std::string kind = playbook::kind_name(step.kind);
        if (step.kind == StepKind::Command) kind += std::string(" · ") + safety::level_name(step.safety.level);
        std::string text;
        if (step.kind == StepKind::Decision && !step.question.empty())
          text = step.question;
        else
          text = plain(fill_step(step, options, FillParts::No).body);
        std::string label = node.id + "\n" + kind;
        const std::string line = first_line(text, 40);
        if (!line.empty()) label += "\n" + line;
        const Look look = look_of(step);
        out += name + "[label=" + dot_string(label) + ", shape=" + look.shape + ", style=\"" + look.style +
               "\", color=\"" + look.color + "\", fillcolor=\"" + look.fill + "\"];\n";
        break;
      }
    }
  }
  for (const auto& edge : graph.edges()) {
    out += "  n" + std::to_string(edge.from) + " -> n" + std::to_string(edge.to);
    switch (edge.kind) {
      case graph::Edge::Kind::Choice:
        out += " [label=" + dot_string(first_line(edge.label, 40)) + ", style=bold]";
        break;
      case graph::Edge::Kind::Join: out += " [style=dashed]"; break;
      case graph::Edge::Kind::Next: break;
    }
    out += ";\n";
  }
  out += "}\n";
  return out;
}

}  // namespace runbook::render
