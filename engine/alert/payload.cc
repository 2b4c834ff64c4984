// parse_alerts: JSON parsing, format names and auto-detection; each format is in its own file.
#include "alert/formats.h"

#include "util/sha256.h"
#include "util/text.h"

namespace runbook::alert {

using namespace detail;

namespace {

struct FormatName {
  Format format;
  const char* name;
};
constexpr FormatName kNames[] = {{Format::Auto, "auto"},
                                 {Format::Alertmanager, "alertmanager"},
                                 {Format::Grafana, "grafana"},
                                 {Format::PagerDuty, "pagerduty"},
                                 {Format::Labels, "labels"}};

// Said whenever a payload's shape is not recognised, so the sender's owner knows what to send.
constexpr const char* kExpected =
    "expected an Alertmanager or Grafana webhook (an object with an `alerts` array), a legacy "
    "Grafana webhook (`ruleName`, `state`), a PagerDuty v3 webhook (`event.event_type`) or plain "
    "labels (an object of strings, or one with `labels`/`annotations` objects)";

std::string json_type(const Json& j) { return j.type_name(); }

Alerts parse_grafana(const Json& body) {
  if (looks_alertmanager(body)) return parse_alertmanager(body, "grafana");
  if (looks_grafana_legacy(body)) return parse_grafana_legacy(body);
  return error("not a Grafana webhook: expected an `alerts` array (unified alerting) or `ruleName` "
               "and `state` (legacy alerting)");
}

Alerts detect(const Json& body) {
  if (looks_pagerduty(body)) return parse_pagerduty(body);
  if (looks_grafana_unified(body)) return parse_alertmanager(body, "grafana");
  if (looks_alertmanager(body)) return parse_alertmanager(body, "alertmanager");
  if (looks_grafana_legacy(body)) return parse_grafana_legacy(body);
  if (!body.is_object() && !body.is_array())
    return error(std::string("unrecognised alert payload (a JSON ") + json_type(body) + "): " + kExpected);
  if (body.is_object() && body.empty()) return error(std::string("empty alert payload: ") + kExpected);
  // Anything else may be plain labels; when it is not, say why as well as what was expected.
  Alerts labels = parse_labels(body);
  if (labels.ok()) return labels;
  return error(std::string("unrecognised alert payload: ") + kExpected + " (as plain labels: " +
               labels.error().message + ")");
}

}  // namespace

const char* format_name(Format format) {
  for (const auto& n : kNames)
    if (n.format == format) return n.name;
  return "auto";
}

std::optional<Format> parse_format(std::string_view name) {
  for (const auto& n : kNames)
    if (util::iequals(name, n.name)) return n.format;
  return std::nullopt;
}

std::string label_fingerprint(const std::map<std::string, std::string>& labels) {
  std::string text;
  for (const auto& [k, v] : labels) text += k + "=" + v + "\n";
  return util::sha256_hex(text).substr(0, 16);
}

util::Result<std::vector<Alert>> parse_alerts(std::string_view body, Format format) {
  Json j;
  try {
    j = Json::parse(body.begin(), body.end());
  } catch (const Json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    return error("invalid JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  } catch (const std::exception& e) {
    return error(std::string("invalid JSON: ") + e.what());
  }
  // The parsers check types before reading, but a payload must never take the process down:
  // anything nlohmann still throws becomes an error.
  try {
    switch (format) {
      case Format::Alertmanager:
        if (!looks_alertmanager(j))
          return error("not an Alertmanager webhook: expected an object with an `alerts` array");
        return parse_alertmanager(j, "alertmanager");
      case Format::Grafana: return parse_grafana(j);
      case Format::PagerDuty:
        if (!looks_pagerduty(j))
          return error("not a PagerDuty v3 webhook: expected an `event` object with `event_type`");
        return parse_pagerduty(j);
      case Format::Labels: return parse_labels(j);
      case Format::Auto: break;
    }
    return detect(j);
  } catch (const std::exception& e) {
    return error(std::string("malformed alert payload: ") + e.what());
  }
}

}  // namespace runbook::alert
