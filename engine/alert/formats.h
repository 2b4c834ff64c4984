#pragma once
// Inside the alert module: the per-format parsers and the JSON helpers they share.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alert/alert.h"
#include "util/result.h"

namespace runbook::alert::detail {

using Json = nlohmann::json;
using TextMap = std::map<std::string, std::string>;
using Alerts = util::Result<std::vector<Alert>>;

/// Each parser gets the whole parsed body; `source` names the sender in Alert::source.
Alerts parse_alertmanager(const Json& body, const char* source);  // also Grafana unified
Alerts parse_grafana_legacy(const Json& body);
Alerts parse_pagerduty(const Json& body);
Alerts parse_labels(const Json& body);

/// Shape tests used by auto-detection and by the explicit formats.
bool looks_alertmanager(const Json& body);  ///< an object with an `alerts` array
bool looks_grafana_unified(const Json& body);
bool looks_grafana_legacy(const Json& body);
bool looks_pagerduty(const Json& body);

/// A scalar as text: strings as they are, numbers and booleans as JSON writes them; nothing for
/// null, objects and arrays.
std::optional<std::string> as_text(const Json& value);

/// The string member `key` of an object, or "" when it is absent or not a string.
std::string member(const Json& object, const char* key);

/// An object of scalars as text, merged over `into` (its values win). Absent or null is empty.
/// `where` names the object in errors: "alerts[1].labels".
util::Result<bool> merge_text_map(const Json& object, const std::string& where, TextMap& into);

/// "resolved" for resolved-like words ("resolved", "ok"), otherwise "firing".
std::string normal_status(std::string_view status);

inline util::Error error(std::string message) { return util::Error{std::move(message), {}, 0}; }

}  // namespace runbook::alert::detail
