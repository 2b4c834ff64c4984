#pragma once
// Internal: the walk over a cmark-gfm tree that fills a Playbook. Use loader.h from outside.

#include <string_view>

#include "markdown/document.h"
#include "playbook/loader.h"
#include "playbook/model.h"

namespace runbook::playbook::detail {

/// Fills `playbook` (path, front matter and title fallbacks already set) from `doc`.
void build_from_document(const markdown::Document& doc, const ParseOptions& options, Playbook& playbook);

/// Groups sibling "Option N" sections under one Options decision step (before ids are assigned).
void add_option_decisions(Playbook& playbook);

/// Lists in each Options choice the ids of the steps inside its option's sections.
void fill_choice_steps(Playbook& playbook);

/// Assigns stable ids (section path slug + position) and fills choices' step ids.
void assign_step_ids(Playbook& playbook);

/// Findings about fences that cmark silently accepts: unterminated, mis-nested, unknown language.
void check_fences(std::string_view text, int line_offset, Playbook& playbook);

/// Alert names mentioned in text ("Alert: \"ServiceDown\"", "Alerts: `A` or `B`").
std::vector<std::string> alert_names_in(std::string_view text);

}  // namespace runbook::playbook::detail
