// Alertmanager's webhook (version "4") and Grafana unified alerting's, which has the same shape
// plus orgId/title/state/message and per-alert dashboardURL/panelURL/silenceURL/values.
#include "alert/formats.h"

namespace runbook::alert::detail {

bool looks_alertmanager(const Json& body) {
  return body.is_object() && body.contains("alerts") && body["alerts"].is_array();
}

bool looks_grafana_unified(const Json& body) {
  if (!looks_alertmanager(body)) return false;
  if (body.contains("orgId")) return true;
  for (const auto& a : body["alerts"])
    if (a.is_object() && (a.contains("dashboardURL") || a.contains("panelURL") || a.contains("silenceURL")))
      return true;
  return false;
}

Alerts parse_alertmanager(const Json& body, const char* source) {
  // The group's labels and annotations, under every alert's own.
  TextMap group_labels, common_annotations;
  for (const char* key : {"groupLabels", "commonLabels"})
    if (body.contains(key))
      if (auto r = merge_text_map(body[key], key, group_labels); !r) return r.error();
  if (body.contains("commonAnnotations"))
    if (auto r = merge_text_map(body["commonAnnotations"], "commonAnnotations", common_annotations); !r)
      return r.error();

  std::vector<Alert> out;
  const Json& alerts = body["alerts"];
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    const Json& a = alerts[i];
    std::string where = "alerts[" + std::to_string(i) + "]";
    if (!a.is_object()) return error("`" + where + "` must be an object, not " + std::string(a.type_name()));
    Alert alert;
    alert.source = source;
    alert.labels = group_labels;
    alert.annotations = common_annotations;
    if (a.contains("labels"))
      if (auto r = merge_text_map(a["labels"], where + ".labels", alert.labels); !r) return r.error();
    if (a.contains("annotations"))
      if (auto r = merge_text_map(a["annotations"], where + ".annotations", alert.annotations); !r)
        return r.error();
    // Grafana's links are worth having next to the annotations (an operator opens them), but
    // never over an annotation of the same name.
    for (auto [key, name] : {std::pair{"dashboardURL", "dashboard_url"}, std::pair{"panelURL", "panel_url"},
                             std::pair{"silenceURL", "silence_url"}, std::pair{"valueString", "value_string"}})
      if (std::string v = member(a, key); !v.empty()) alert.annotations.emplace(name, v);

    auto name = alert.labels.find("alertname");
    if (name != alert.labels.end()) alert.name = name->second;
    std::string status = member(a, "status");
    alert.status = normal_status(status.empty() ? member(body, "status") : status);
    alert.fingerprint = member(a, "fingerprint");
    if (alert.fingerprint.empty()) alert.fingerprint = label_fingerprint(alert.labels);
    alert.starts_at = member(a, "startsAt");
    alert.ends_at = member(a, "endsAt");
    alert.generator_url = member(a, "generatorURL");
    alert.receiver = member(body, "receiver");
    alert.group_key = member(body, "groupKey");
    alert.external_url = member(body, "externalURL");
    alert.raw = a;
    out.push_back(std::move(alert));
  }
  return out;
}

}  // namespace runbook::alert::detail
