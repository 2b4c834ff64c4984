// Grafana's legacy (dashboard) alerting webhook: one rule, no labels of its own but `tags`.
//   {"ruleName", "ruleId", "ruleUrl", "state": "alerting"|"ok"|"no_data", "title", "message",
//    "tags": {..}, "evalMatches": [{"metric", "value", "tags"}], "imageUrl", ...}
// Unified alerting's webhook is Alertmanager-shaped and parsed in alertmanager.cc.
#include "alert/formats.h"

namespace runbook::alert::detail {

bool looks_grafana_legacy(const Json& body) {
  return body.is_object() && body.contains("ruleName") && body["ruleName"].is_string() &&
         (body.contains("state") || body.contains("evalMatches"));
}

Alerts parse_grafana_legacy(const Json& body) {
  Alert alert;
  alert.source = "grafana";
  alert.name = member(body, "ruleName");
  // With a single match, its series tags (instance, pod...) are what a playbook needs; with
  // several they disagree, so none are taken. The rule's own tags win either way.
  if (body.contains("evalMatches") && body["evalMatches"].is_array() && body["evalMatches"].size() == 1) {
    const Json& match = body["evalMatches"][0];
    if (match.is_object() && match.contains("tags"))
      if (auto r = merge_text_map(match["tags"], "evalMatches[0].tags", alert.labels); !r) return r.error();
  }
  if (body.contains("tags"))
    if (auto r = merge_text_map(body["tags"], "tags", alert.labels); !r) return r.error();
  // As Grafana's unified alerts and Alertmanager do, the rule name is the alertname label.
  alert.labels["alertname"] = alert.name;
  for (auto [key, name] : {std::pair{"message", "message"}, std::pair{"title", "title"},
                           std::pair{"imageUrl", "image_url"}})
    if (std::string v = member(body, key); !v.empty()) alert.annotations[name] = v;
  alert.status = normal_status(member(body, "state"));
  alert.fingerprint = label_fingerprint(alert.labels);
  alert.generator_url = member(body, "ruleUrl");
  alert.raw = body;
  return std::vector<Alert>{std::move(alert)};
}

}  // namespace runbook::alert::detail
