#pragma once
// The incident timeline and a post-mortem draft, built from a run's evidence records.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace runbook::report {

/// The report as data: run facts, the timeline, commands, decisions, checklist, notes, messages.
/// `torn_tail` says the log ended in a partial record (a crash), which the report mentions.
nlohmann::ordered_json build(const std::vector<nlohmann::json>& records, bool torn_tail = false);

/// The report as markdown: facts, timeline, results, then a post-mortem draft to complete.
std::string markdown(const nlohmann::ordered_json& report);

}  // namespace runbook::report
