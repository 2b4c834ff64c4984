#include "playbook/front_matter.h"

#include <yaml-cpp/yaml.h>

#include "util/text.h"

namespace runbook::playbook {

namespace {

nlohmann::json scalar_to_json(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return s;  // quoted: stays a string
  if (s == "true" || s == "True" || s == "yes") return true;
  if (s == "false" || s == "False" || s == "no") return false;
  if (s == "null" || s == "~" || s.empty()) return nullptr;
  try {
    std::size_t used = 0;
    long long v = std::stoll(s, &used);
    if (used == s.size()) return v;
    double d = std::stod(s, &used);
    if (used == s.size()) return d;
  } catch (const std::exception&) {
  }
  return s;
}

nlohmann::json to_json(const YAML::Node& node, int depth = 0) {
  if (depth > 64) return nullptr;  // hostile nesting; ignore deeper content
  switch (node.Type()) {
    case YAML::NodeType::Scalar: return scalar_to_json(node);
    case YAML::NodeType::Sequence: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& item : node) arr.push_back(to_json(item, depth + 1));
      return arr;
    }
    case YAML::NodeType::Map: {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& kv : node) obj[kv.first.as<std::string>("")] = to_json(kv.second, depth + 1);
      return obj;
    }
    default: return nullptr;
  }
}

void check_shape(const nlohmann::json& data, int line, std::vector<Finding>& findings) {
  auto warn = [&](const std::string& msg) {
    findings.push_back({Finding::Level::Warning, "front-matter", msg, line});
  };
  if (!data.is_object()) {
    warn("front matter is not a mapping; it is ignored");
    return;
  }
  if (data.contains("alerts")) {
    const auto& a = data["alerts"];
    bool ok = a.is_string() || a.is_array();
    if (a.is_array())
      for (const auto& x : a) ok = ok && x.is_string();
    if (!ok) warn("front matter `alerts` must be a list of alert names");
  }
  for (const char* key : {"title", "severity", "timeout", "owner", "service"})
    if (data.contains(key) && !data[key].is_string() && !data[key].is_number())
      warn(std::string("front matter `") + key + "` must be a string");
  if (data.contains("variables") && !data["variables"].is_object())
    warn("front matter `variables` must be a mapping of name to settings");
  if (data.contains("labels") && !data["labels"].is_object())
    warn("front matter `labels` must map alert labels to variable names");
}

}  // namespace

Bindings front_matter_defaults(const nlohmann::json& fm) {
  Bindings out;
  if (!fm.is_object() || !fm.contains("variables") || !fm["variables"].is_object()) return out;
  for (auto it = fm["variables"].begin(); it != fm["variables"].end(); ++it) {
    if (!it.value().is_object() || !it.value().contains("default")) continue;
    const auto& d = it.value()["default"];
    out[binding_key(it.key())] = d.is_string() ? d.get<std::string>() : d.dump();
  }
  return out;
}

std::string blank_lines(std::string_view text, int from_line, int to_line) {
  std::string out;
  out.reserve(text.size());
  int line = 1;
  for (char c : text) {
    if (c == '\n') {
      out += c;
      ++line;
    } else if (line < from_line || line > to_line) {
      out += c;
    }
  }
  return out;
}

FrontMatter parse_front_matter(std::string_view text, int first_line) {
  FrontMatter fm;
  if (util::trim(text.substr(0, text.find('\n'))) != "---") return fm;  // most files: no lines to split
  auto lines = util::split_lines(text);
  std::size_t close = 0;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view t = util::trim(lines[i]);
    if (t == "---" || t == "...") {
      close = i;
      break;
    }
  }
  if (close == 0) return fm;  // a lone `---` is a thematic break, not front matter
  fm.last_line = static_cast<int>(close) + 1;
  std::string yaml;
  for (std::size_t i = 1; i < close; ++i) {
    yaml.append(lines[i]);
    yaml += '\n';
  }
  try {
    YAML::Node node = YAML::Load(yaml);
    fm.data = node.IsNull() ? nlohmann::json::object() : to_json(node);
    check_shape(fm.data, first_line, fm.findings);
  } catch (const YAML::Exception& e) {
    fm.findings.push_back({Finding::Level::Error, "front-matter",
                           "front matter is not valid YAML: " + e.msg, first_line + 1 + e.mark.line});
    fm.data = nullptr;
  }
  return fm;
}

}  // namespace runbook::playbook
