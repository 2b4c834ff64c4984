#pragma once
// Dry-run renderers: show what a playbook would do, step by step, without executing anything.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/graph.h"
#include "playbook/model.h"
#include "playbook/placeholders.h"

namespace runbook::render {

/// An output format of the dry run.
enum class Format { Text, Markdown, Json, Dot };

/// How to render.
struct Options {
  bool color = false;       ///< ANSI colours in Text output (the caller decides; see terminal.h)
  playbook::Bindings vars;  ///< values for variables, by binding key (playbook::binding_key)
  bool show_secrets = false;///< print bound values of secret-looking variables instead of "********"
};

/// Renders one playbook and its graph in a format. Nothing is executed.
std::string render(const playbook::Playbook& playbook, const graph::StepGraph& graph, Format format,
                   const Options& options);

/// Renders every playbook of a file (the document first, then embedded ones), building each graph:
/// Text/Markdown joined by separators, Json as an array, Dot as one digraph per playbook.
std::string render_all(const std::vector<playbook::Playbook>& playbooks, Format format, const Options& options);

/// The dry-run JSON document: graph::to_json plus "dry_run" (bindings used, unresolved variables)
/// and a "filled" object on each step with its text and parts after substitution.
nlohmann::ordered_json dry_run_json(const playbook::Playbook& playbook, const graph::StepGraph& graph,
                                    const Options& options);

/// "text", "markdown" (or "md"), "json", "dot" (or "graphviz"); case-insensitive.
std::optional<Format> parse_format(std::string_view name);

/// "text", "markdown", "json", "dot".
const char* format_name(Format format);

}  // namespace runbook::render
