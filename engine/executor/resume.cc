// Where a recorded run goes on: read back from its evidence records.
#include "evidence/redact.h"
#include "executor/session.h"

namespace runbook::executor {

util::Result<ResumePoint> resume_point(const std::vector<nlohmann::json>& records) {
  ResumePoint point;
  if (records.empty() || records.front().value("type", "") != "run_started")
    return util::Error{"the evidence log does not start with a run_started record", "", 0};
  point.started_unix_ms = records.front().value("started_unix_ms", std::int64_t{0});
  for (const auto& r : records) {
    const std::string type = r.value("type", "");
    point.last_seq = r.value("seq", std::uint64_t{0});
    if (type == "variable_set") {
      const std::string value = r.value("value", "");
      if (r.value("secret", false) || value == evidence::kRedacted) {
        point.values.erase(r.value("key", ""));  // asked again: secrets are never written down
        continue;
      }
      point.values[r.value("key", "")] = PresetValue{value, r.value("source", "")};
    } else if (type == "run_finished" && r.value("outcome", "") == "completed") {
      point.at_end = true;
      point.next_step.clear();
    } else if (r.contains("next") && type != "run_resumed") {
      if (type == "back") {
        if (!point.history.empty()) point.history.pop_back();
      } else if (r.contains("step") && r["step"].is_string()) {
        point.history.push_back(r["step"].get<std::string>());
      }
      point.at_end = r["next"].is_null();
      point.next_step = r["next"].is_string() ? r["next"].get<std::string>() : "";
    }
  }
  return point;
}

}  // namespace runbook::executor
