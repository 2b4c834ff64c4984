// Reading the loosely typed members of webhook payloads without trusting their types.
#include "alert/formats.h"

#include "util/text.h"

namespace runbook::alert::detail {

std::optional<std::string> as_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  // Numbers and booleans are what YAML-minded senders put in labels (`code: 500`); their JSON
  // spelling is the obvious text.
  if (value.is_number() || value.is_boolean()) return value.dump();
  return std::nullopt;
}

std::string member(const Json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

util::Result<bool> merge_text_map(const Json& object, const std::string& where, TextMap& into) {
  if (object.is_null()) return true;
  if (!object.is_object())
    return error("`" + where + "` must be an object of strings, not " + std::string(object.type_name()));
  for (auto it = object.begin(); it != object.end(); ++it) {
    std::optional<std::string> text = as_text(it.value());
    if (!text)
      return error("`" + where + "." + it.key() + "` must be a string, number or boolean, not " +
                   std::string(it.value().type_name()));
    into[it.key()] = std::move(*text);
  }
  return true;
}

std::string normal_status(std::string_view status) {
  // Alertmanager says "resolved", legacy Grafana "ok"; everything else (firing, alerting,
  // no_data, pending) still wants attention.
  return util::iequals(status, "resolved") || util::iequals(status, "ok") ? "resolved" : "firing";
}

}  // namespace runbook::alert::detail
