// Plain labels, for senders with no webhook format of their own (curl, scripts, tests):
//   {"alertname": "DiskFull", "instance": "db-1"}
//   {"labels": {...}, "annotations": {...}, "status": "firing"}
//   [{"labels": {...}, "annotations": {...}}, ...]   (Alertmanager's API v2 alert list)
#include "alert/formats.h"

namespace runbook::alert::detail {

namespace {

util::Result<Alert> one(const Json& object, const std::string& where) {
  if (!object.is_object())
    return error("`" + where + "` must be an object, not " + std::string(object.type_name()));
  Alert alert;
  alert.source = "labels";
  if (object.contains("labels") && object["labels"].is_object()) {
    std::string prefix = where.empty() ? "" : where + ".";
    if (auto r = merge_text_map(object["labels"], prefix + "labels", alert.labels); !r) return r.error();
    if (object.contains("annotations"))
      if (auto r = merge_text_map(object["annotations"], prefix + "annotations", alert.annotations); !r)
        return r.error();
    alert.status = normal_status(member(object, "status"));
    alert.fingerprint = member(object, "fingerprint");
    alert.starts_at = member(object, "startsAt");
    alert.ends_at = member(object, "endsAt");
    alert.generator_url = member(object, "generatorURL");
  } else {
    // Flat: every member is a label, even one called "status".
    std::string root = where.empty() ? "labels" : where;
    if (auto r = merge_text_map(object, root, alert.labels); !r) return r.error();
    alert.status = "firing";
  }
  auto name = alert.labels.find("alertname");
  if (name != alert.labels.end()) alert.name = name->second;
  if (alert.fingerprint.empty()) alert.fingerprint = label_fingerprint(alert.labels);
  alert.raw = object;
  return alert;
}

}  // namespace

Alerts parse_labels(const Json& body) {
  std::vector<Alert> out;
  if (body.is_array()) {
    for (std::size_t i = 0; i < body.size(); ++i) {
      auto a = one(body[i], "[" + std::to_string(i) + "]");
      if (!a) return a.error();
      out.push_back(std::move(a).value());
    }
    return out;
  }
  if (!body.is_object())
    return error("plain labels must be a JSON object (or an array of objects), not " + std::string(body.type_name()));
  auto a = one(body, "");
  if (!a) return a.error();
  out.push_back(std::move(a).value());
  return out;
}

}  // namespace runbook::alert::detail
