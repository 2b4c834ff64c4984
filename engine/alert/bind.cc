// Binding alert values to placeholders. Names are matched through binding_key on both sides, so
// label `pod_name`, placeholder `<pod-name>` and `${POD_NAME}` meet at POD_NAME.
#include "alert/bind.h"

#include <optional>

#include "playbook/placeholders.h"
#include "util/text.h"

namespace runbook::alert {

namespace {

using Json = nlohmann::json;
using Values = std::map<std::string, BoundValue>;

void warn(std::vector<std::string>* warnings, std::string message) {
  if (warnings) warnings->push_back(std::move(message));
}

std::optional<BoundValue> from_map(const std::map<std::string, std::string>& map, const std::string& name,
                                   const char* kind) {
  auto it = map.find(name);
  if (it == map.end()) return std::nullopt;
  return BoundValue{it->second, std::string(kind) + ":" + name};
}

std::optional<BoundValue> alert_field(const Alert& alert, const std::string& name) {
  if (name == "alertname") return BoundValue{alert.name, "alert:name"};
  if (name == "alert_status") return BoundValue{alert.status, "alert:status"};
  if (name == "fingerprint") return BoundValue{alert.fingerprint, "alert:fingerprint"};
  return std::nullopt;
}

// A mapping's source: "labels.NAME", "annotations.NAME" or a bare NAME.
std::optional<BoundValue> resolve(const Alert& alert, const std::string& source) {
  for (auto [prefix, kind] : {std::pair{"labels.", "label"}, std::pair{"annotations.", "annotation"}}) {
    if (util::istarts_with(source, prefix)) {
      std::string name = source.substr(std::string_view(prefix).size());
      return from_map(kind[0] == 'l' ? alert.labels : alert.annotations, name, kind);
    }
  }
  if (auto v = from_map(alert.labels, source, "label")) return v;
  if (auto v = from_map(alert.annotations, source, "annotation")) return v;
  return alert_field(alert, source);
}

// Everything the alert offers, by binding key.
Values offered(const Alert& alert) {
  Values out;
  for (const auto& [name, value] : alert.labels) out.emplace(playbook::binding_key(name), BoundValue{value, "label:" + name});
  for (const auto& [name, value] : alert.annotations)
    out.emplace(playbook::binding_key(name), BoundValue{value, "annotation:" + name});
  for (const char* name : {"alertname", "alert_status", "fingerprint"})
    out.emplace(playbook::binding_key(name), *alert_field(alert, name));
  return out;
}

struct Mapping {
  std::string source;  ///< "labels.pod", "annotations.summary", "pod"
  std::string origin;  ///< for warnings: "alert_variables.pod-name"
};

// Explicit mappings from the front matter, by the variable's binding key. Read in rising
// precedence, so a later form overwrites an earlier one.
std::map<std::string, Mapping> mappings(const Json& fm, std::vector<std::string>* warnings) {
  std::map<std::string, Mapping> out;
  if (!fm.is_object()) return out;
  auto set = [&](const std::string& variable, const std::string& source, const std::string& origin) {
    std::string key = playbook::binding_key(variable);
    if (key.empty() || source.empty()) {
      warn(warnings, "front matter `" + origin + "` names no variable or no alert value; it is ignored");
      return;
    }
    out[key] = Mapping{source, origin};
  };

  if (auto it = fm.find("labels"); it != fm.end() && it->is_object())
    for (auto m = it->begin(); m != it->end(); ++m) {
      if (m.value().is_string()) set(m.value().get<std::string>(), "labels." + m.key(), "labels." + m.key());
      else warn(warnings, "front matter `labels." + m.key() + "` must be a variable name; it is ignored");
    }

  if (auto it = fm.find("variables"); it != fm.end() && it->is_object())
    for (auto v = it->begin(); v != it->end(); ++v) {
      if (!v.value().is_object() || !v.value().contains("label")) continue;
      const Json& label = v.value()["label"];
      if (label.is_string()) set(v.key(), "labels." + label.get<std::string>(), "variables." + v.key() + ".label");
      else warn(warnings, "front matter `variables." + v.key() + ".label` must be a label name; it is ignored");
    }

  if (auto it = fm.find("alert_variables"); it != fm.end()) {
    if (!it->is_object()) {
      warn(warnings, "front matter `alert_variables` must map variable names to `labels.NAME`, "
                     "`annotations.NAME` or a label name; it is ignored");
    } else {
      for (auto m = it->begin(); m != it->end(); ++m) {
        if (m.value().is_string()) set(m.key(), m.value().get<std::string>(), "alert_variables." + m.key());
        else warn(warnings, "front matter `alert_variables." + m.key() + "` must be a string; it is ignored");
      }
    }
  }
  return out;
}

// `{{ .Labels.pod }}` (name "Labels.pod") says which map to read; other names say nothing.
std::optional<std::string> template_source(const playbook::Variable& var) {
  if (var.syntax != playbook::VarSyntax::Mustache) return std::nullopt;
  std::string_view name = var.name;
  if (!name.empty() && name.front() == '.') name.remove_prefix(1);
  for (std::string_view prefix : {"labels.", "annotations."})
    if (util::istarts_with(name, prefix) && name.size() > prefix.size())
      return std::string(prefix) + std::string(name.substr(prefix.size()));
  return std::nullopt;
}

}  // namespace

std::map<std::string, BoundValue> alert_variables(const Alert& alert, const playbook::Playbook& pb,
                                                  std::vector<std::string>* warnings) {
  Values values = offered(alert);
  std::map<std::string, Mapping> mapped = mappings(pb.front_matter, warnings);
  Values out;

  // Mapped first: they are returned whether or not a step uses them, and nothing overrides them.
  for (const auto& [key, m] : mapped) {
    if (auto v = resolve(alert, m.source)) out[key] = std::move(*v);
    else
      warn(warnings, "front matter `" + m.origin + "` takes \"" + m.source +
                         "\", which this alert does not have; the variable is left unbound");
  }

  for (const auto& step : pb.steps) {
    for (const auto& var : step.variables) {
      if (mapped.count(var.key) || out.count(var.key)) continue;
      if (auto source = template_source(var))
        if (auto v = resolve(alert, *source)) {
          out[var.key] = std::move(*v);
          continue;
        }
      auto it = values.find(var.key);
      if (it == values.end()) {
        std::string alias = playbook::alias_key(var);
        if (!alias.empty()) it = values.find(alias);
      }
      if (it != values.end()) out[var.key] = it->second;
    }
  }
  return out;
}

}  // namespace runbook::alert
