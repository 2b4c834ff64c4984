#pragma once
// Alerts as they arrive from monitoring systems, in one shape whatever sent them.
//
// Label and annotation values are kept byte for byte as received (quotes, `$(...)`, newlines and
// all): they are untrusted text, and the executor shell-quotes them when it fills placeholders,
// so nothing here escapes, trims or rejects them for their content.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/result.h"

namespace runbook::alert {

/// One alert, normalised.
struct Alert {
  std::string source;  ///< "alertmanager", "grafana", "pagerduty", "labels"
  /// The `alertname` label (Alertmanager, Grafana), the rule name (legacy Grafana), the incident
  /// title (PagerDuty), the "alertname" key (labels); may be empty for plain labels.
  std::string name;
  std::string status;  ///< "firing" or "resolved"
  /// Group and common labels merged under the alert's own (the alert's value wins).
  std::map<std::string, std::string> labels;
  /// Common annotations merged under the alert's own (the alert's value wins).
  std::map<std::string, std::string> annotations;
  /// Alertmanager's and Grafana's own when sent; otherwise label_fingerprint(labels) (PagerDuty:
  /// of the incident_id label alone, see pagerduty.cc).
  std::string fingerprint;
  std::string starts_at, ends_at, generator_url;
  std::string receiver, group_key, external_url;  ///< Alertmanager and Grafana only
  nlohmann::json raw;  ///< this alert's own JSON object as received

  bool resolved() const { return status == "resolved"; }
};

/// The payload formats understood.
enum class Format { Auto, Alertmanager, Grafana, PagerDuty, Labels };

/// "auto", "alertmanager", "grafana", "pagerduty", "labels".
const char* format_name(Format format);
/// The format with this name (case-insensitive), or nothing.
std::optional<Format> parse_format(std::string_view name);

/// The alerts in a webhook body. Accepted:
///  - Alertmanager webhook (version "4"): every entry of `alerts`, firing and resolved;
///  - Grafana unified alerting webhook (Alertmanager-shaped) and the legacy Grafana webhook
///    (`ruleName`, `state`, `evalMatches`, `tags`): one alert;
///  - PagerDuty v3 webhook (`event.event_type`): one alert for an incident event, none for events
///    about other resources (pings, services);
///  - plain labels: an object of strings (numbers and booleans become text), or an object with
///    `labels` and `annotations` objects, or an array of such objects.
/// Auto picks the format from the payload's shape. Invalid JSON, an unknown shape and values that
/// cannot be text (objects, arrays, null as a label value) are Errors, never exceptions.
util::Result<std::vector<Alert>> parse_alerts(std::string_view body, Format format = Format::Auto);

/// The fingerprint computed when the sender gives none: the first 16 hex digits of the SHA-256
/// of the labels written as "name=value\n", sorted by name (bytewise). Stable whatever the order
/// in the payload. Not Alertmanager's own algorithm, so never compare the two.
std::string label_fingerprint(const std::map<std::string, std::string>& labels);

}  // namespace runbook::alert
