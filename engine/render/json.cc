// The dry run as JSON: the playbook graph document plus what the steps look like filled in.

#include <cstddef>
#include <string>
#include <vector>

#include "graph/graph_json.h"
#include "render/dry_run.h"
#include "render/render.h"

namespace runbook::render {

nlohmann::ordered_json dry_run_json(const playbook::Playbook& playbook, const graph::StepGraph& graph,
                                    const Options& options) {
  using nlohmann::ordered_json;
  ordered_json doc = graph::to_json(playbook, graph);
  auto& steps = doc["steps"];
  std::vector<std::string> bound;
  for (std::size_t i = 0; i < playbook.steps.size() && i < steps.size(); ++i) {
    const FilledStep filled = fill_step(playbook.steps[i], options);
    ordered_json f;
    f["text"] = plain(filled.body);
    f["parts"] = filled.parts;
    ordered_json unresolved = ordered_json::array();
    for (const auto* v : filled.unresolved) unresolved.push_back(v->written);
    f["unresolved"] = std::move(unresolved);
    steps[i]["filled"] = std::move(f);
    for (const auto* v : filled.bound) {
      bool known = false;
      for (const auto& k : bound) known = known || k == v->key;
      if (!known) bound.push_back(v->key);
    }
  }
  const Summary summary = summarize(playbook, options);
  ordered_json dry;
  dry["executed"] = false;
  dry["bound"] = bound;  // keys only: values may be secret
  ordered_json unresolved = ordered_json::array();
  for (const auto* v : summary.unresolved) {
    ordered_json u;
    u["key"] = v->key;
    u["written"] = v->written;
    u["secret"] = v->secret;
    unresolved.push_back(std::move(u));
  }
  dry["unresolved"] = std::move(unresolved);
  doc["dry_run"] = std::move(dry);
  return doc;
}

}  // namespace runbook::render
