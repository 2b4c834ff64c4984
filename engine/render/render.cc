#include "render/render.h"

#include <string>

#include "render/formats.h"
#include "util/text.h"

namespace runbook::render {

namespace {

std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string render(const playbook::Playbook& playbook, const graph::StepGraph& graph, Format format,
                   const Options& options) {
  switch (format) {
    case Format::Text: return render_text(playbook, graph, options);
    case Format::Markdown: return render_markdown(playbook, graph, options);
    case Format::Json: return dump(dry_run_json(playbook, graph, options));
    case Format::Dot: return render_dot(playbook, graph, options);
  }
  return {};
}

std::string render_all(const std::vector<playbook::Playbook>& playbooks, Format format, const Options& options) {
  if (format == Format::Json) {
    auto all = nlohmann::ordered_json::array();
    for (const auto& pb : playbooks) all.push_back(dry_run_json(pb, graph::StepGraph::build(pb), options));
    return dump(all);
  }
  std::string out;
  for (std::size_t i = 0; i < playbooks.size(); ++i) {
    if (i > 0) {
      if (format == Format::Text) out += std::string(72, '=') + "\n\n";
      if (format == Format::Markdown) out += "---\n\n";
    }
    out += render(playbooks[i], graph::StepGraph::build(playbooks[i]), format, options);
  }
  return out;
}

std::optional<Format> parse_format(std::string_view name) {
  const std::string n = util::to_lower(util::trim(name));
  if (n == "text" || n == "txt") return Format::Text;
  if (n == "markdown" || n == "md") return Format::Markdown;
  if (n == "json") return Format::Json;
  if (n == "dot" || n == "graphviz") return Format::Dot;
  return std::nullopt;
}

const char* format_name(Format format) {
  switch (format) {
    case Format::Text: return "text";
    case Format::Markdown: return "markdown";
    case Format::Json: return "json";
    case Format::Dot: return "dot";
  }
  return "text";
}

}  // namespace runbook::render
