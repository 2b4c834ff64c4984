#pragma once
// The playbook and its step graph as JSON: the machine-readable form (schemas/playbook-graph.schema.json).

#include <nlohmann/json.hpp>

#include "graph/graph.h"
#include "playbook/model.h"

namespace runbook::graph {

/// The version of the JSON shape; bumped on incompatible changes.
inline constexpr int kSchemaVersion = 1;
/// The `$id` of schemas/playbook-graph.schema.json, written as "$schema" in every document.
inline constexpr const char* kSchemaId = "https://runbook.dev/schemas/playbook-graph.v1.schema.json";

/// The whole playbook (metadata, sections, steps, findings) and its graph, keys in a fixed order.
nlohmann::ordered_json to_json(const playbook::Playbook& playbook, const StepGraph& graph);

/// One step as JSON (no graph information), as it appears in to_json's "steps".
nlohmann::ordered_json step_to_json(const playbook::Playbook& playbook, int step);

/// The section titles from the top down to `section`; empty for -1 or an invalid index.
std::vector<std::string> section_path(const playbook::Playbook& playbook, int section);

}  // namespace runbook::graph
