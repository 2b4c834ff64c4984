// PagerDuty v3 webhooks: {"event": {"id", "event_type": "incident.triggered", "resource_type":
// "incident", "occurred_at", "data": {incident}}}. The incident's title is the alert name; the
// fields a playbook may want become labels.
#include "alert/formats.h"

namespace runbook::alert::detail {

namespace {

// The summary of a reference object ({"id", "summary", "type": "service_reference"}), or "".
std::string summary_of(const Json& incident, const char* key) {
  auto it = incident.find(key);
  return it != incident.end() && it->is_object() ? member(*it, "summary") : std::string();
}

}  // namespace

bool looks_pagerduty(const Json& body) {
  return body.is_object() && body.contains("event") && body["event"].is_object() &&
         body["event"].contains("event_type") && body["event"]["event_type"].is_string();
}

Alerts parse_pagerduty(const Json& body) {
  const Json& event = body["event"];
  std::string event_type = member(event, "event_type");
  // Pings and events about services or other resources start no playbook: no alerts, no error.
  std::string resource = member(event, "resource_type");
  if (!resource.empty() && resource != "incident") return std::vector<Alert>{};
  if (!event.contains("data") || !event["data"].is_object())
    return error("PagerDuty event `" + event_type + "` has no `data` object");
  // incident.* events carry the incident itself, except notes and status updates, whose data
  // holds a reference to it (`data.incident`, with a `summary` instead of a title).
  const Json* incident = &event["data"];
  if (member(*incident, "type") != "incident" && incident->contains("incident") && (*incident)["incident"].is_object())
    incident = &(*incident)["incident"];

  Alert alert;
  alert.source = "pagerduty";
  alert.name = member(*incident, "title");
  if (alert.name.empty()) alert.name = member(*incident, "summary");
  if (alert.name.empty()) return error("PagerDuty event `" + event_type + "` names no incident title");
  // Resolved when the event says so; an event about an already resolved incident (a late note)
  // must not start a run either.
  alert.status = event_type == "incident.resolved" || member(*incident, "status") == "resolved" ? "resolved" : "firing";

  auto set = [&](const char* label, std::string value) {
    if (!value.empty()) alert.labels[label] = std::move(value);
  };
  set("incident_id", member(*incident, "id"));
  if (incident->contains("number")) set("incident_number", as_text((*incident)["number"]).value_or(""));
  set("service", summary_of(*incident, "service"));
  set("urgency", member(*incident, "urgency"));
  set("priority", summary_of(*incident, "priority"));
  set("event_type", event_type);
  std::string url = member(*incident, "html_url");
  if (!url.empty()) alert.annotations["incident_url"] = url;

  // The labels change over an incident's life (event_type, urgency, priority); its id does not,
  // so the fingerprint is the usual rule over incident_id alone and a triggered and a resolved
  // event of one incident share it.
  auto id = alert.labels.find("incident_id");
  alert.fingerprint = label_fingerprint(id == alert.labels.end() ? alert.labels : TextMap{*id});
  alert.starts_at = member(*incident, "created_at");
  if (alert.starts_at.empty()) alert.starts_at = member(event, "occurred_at");
  if (alert.resolved()) alert.ends_at = member(event, "occurred_at");
  alert.generator_url = url;
  alert.raw = event;
  return std::vector<Alert>{std::move(alert)};
}

}  // namespace runbook::alert::detail
