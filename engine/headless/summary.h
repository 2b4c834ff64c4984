#pragma once
// What a headless run did, for whoever picks it up: built from its evidence records (so the
// summary can never claim more than the log holds), as JSON for machines and markdown for people.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace runbook::headless {

/// outcome ("completed", "awaiting-operator", "interrupted", "failed"), run_dir, playbook, alert,
/// stopped_at {step, reason}, counts, steps [{step, status, command, exit_code, duration_ms,
/// reason, output}], resume (the command that continues it), evidence (the log's path).
nlohmann::ordered_json summarize(const std::vector<nlohmann::json>& records, const std::string& run_dir);

/// The summary as markdown: what ran and what it printed (first lines), what is pending, where
/// the run stopped and how to continue.
std::string summary_markdown(const nlohmann::ordered_json& summary);

}  // namespace runbook::headless
