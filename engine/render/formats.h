#pragma once
// The renderer of each format; render.h dispatches to these.

#include <string>

#include "graph/graph.h"
#include "playbook/model.h"
#include "render/render.h"

namespace runbook::render {

/// Terminal text, ANSI-coloured when Options::color.
std::string render_text(const playbook::Playbook& playbook, const graph::StepGraph& graph, const Options& options);
/// GitHub-flavoured markdown for a pull-request review comment.
std::string render_markdown(const playbook::Playbook& playbook, const graph::StepGraph& graph, const Options& options);
/// A Graphviz digraph.
std::string render_dot(const playbook::Playbook& playbook, const graph::StepGraph& graph, const Options& options);

}  // namespace runbook::render
