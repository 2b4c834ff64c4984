#include "executor/config.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace runbook::executor {

namespace {

util::Error config_error(const std::string& path, const YAML::Node& node, std::string message) {
  return util::Error{std::move(message), path, node.Mark().line >= 0 ? node.Mark().line + 1 : 0};
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  long long total = 0;
  std::size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
    long long n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      n = n * 10 + (text[i] - '0');
      if (n > 1'000'000'000LL) return std::nullopt;
      ++i;
    }
    std::size_t u = i;
    while (u < text.size() && std::isalpha(static_cast<unsigned char>(text[u]))) ++u;
    const std::string_view unit = text.substr(i, u - i);
    long long ms = 0;
    if (unit.empty() || unit == "s" || unit == "sec" || unit == "secs") ms = n * 1000;
    else if (unit == "ms") ms = n;
    else if (unit == "m" || unit == "min" || unit == "mins") ms = n * 60'000;
    else if (unit == "h" || unit == "hr" || unit == "hrs") ms = n * 3'600'000;
    else return std::nullopt;
    if (unit.empty() && u != text.size()) return std::nullopt;  // "2" only as the whole text
    total += ms;
    any = true;
    i = u;
    while (i < text.size() && text[i] == ' ') ++i;
  }
  if (!any) return std::nullopt;
  return std::chrono::milliseconds(total);
}

std::optional<std::size_t> parse_size(std::string_view text) {
  std::size_t i = 0;
  unsigned long long n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    n = n * 10 + static_cast<unsigned>(text[i] - '0');
    if (n > (1ULL << 40)) return std::nullopt;
    ++i;
  }
  if (i == 0) return std::nullopt;
  std::string unit;
  for (; i < text.size(); ++i)
    if (!std::isspace(static_cast<unsigned char>(text[i]))) unit += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  unsigned long long mult = 1;
  if (unit.empty() || unit == "b") mult = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib") mult = 1ULL << 10;
  else if (unit == "m" || unit == "mb" || unit == "mib") mult = 1ULL << 20;
  else if (unit == "g" || unit == "gb" || unit == "gib") mult = 1ULL << 30;
  else return std::nullopt;
  return static_cast<std::size_t>(n * mult);
}

std::string clock_text(std::chrono::milliseconds d) {
  long long s = std::max<long long>(0, d.count() / 1000);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

util::Result<RunConfig> parse_config(std::string_view text, const std::string& path) {
  RunConfig config;
  config.source = path;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    return util::Error{"invalid YAML: " + e.msg, path, e.mark.line >= 0 ? e.mark.line + 1 : 0};
  }
  if (!root || root.IsNull()) return config;
  if (!root.IsMap()) return config_error(path, root, "the config must be a mapping of settings");
  const std::filesystem::path base = std::filesystem::path(path).parent_path();

  auto duration_of = [&](const YAML::Node& node, const char* what) -> util::Result<std::chrono::milliseconds> {
    const auto d = node.IsScalar() ? parse_duration(node.Scalar()) : std::nullopt;
    if (!d) return config_error(path, node, std::string(what) + ": expected a duration such as 30s, 5m or 1h");
    return *d;
  };
  try {
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      if (key == "timeouts") {
        if (!v.IsMap()) return config_error(path, v, "timeouts: expected step: and grace:");
        if (v["step"]) { auto d = duration_of(v["step"], "timeouts.step"); if (!d) return d.error(); config.step_timeout = *d; }
        if (v["grace"]) { auto d = duration_of(v["grace"], "timeouts.grace"); if (!d) return d.error(); config.grace = *d; }
      } else if (key == "output") {
        if (v["inline_limit"]) {
          const auto s = parse_size(v["inline_limit"].Scalar());
          if (!s || *s == 0) return config_error(path, v["inline_limit"], "output.inline_limit: expected a size such as 1MiB");
          config.inline_output = *s;
        }
      } else if (key == "confirm_word") {
        config.confirm_word = v.as<std::string>();
        if (config.confirm_word.empty()) return config_error(path, v, "confirm_word must not be empty");
      } else if (key == "targets") {
        if (!v.IsMap()) return config_error(path, v, "targets: expected a mapping of name: {driver: ..., ...}");
        for (const auto& t : v) {
          sql::TargetConfig target;
          target.name = t.first.as<std::string>();
          const YAML::Node& spec = t.second;
          if (!spec.IsMap() || !spec["driver"])
            return config_error(path, spec, "target '" + target.name + "': expected driver: sqlite|postgres");
          target.driver = spec["driver"].as<std::string>();
          if (target.driver == "sqlite") {
            if (!spec["path"]) return config_error(path, spec, "target '" + target.name + "': sqlite needs path:");
            std::filesystem::path p = spec["path"].as<std::string>();
            target.path = (p.is_relative() && !base.empty()) ? (base / p).lexically_normal().string() : p.string();
          } else if (target.driver == "postgres" || target.driver == "postgresql") {
            target.driver = "postgres";
            if (spec["dsn"]) target.dsn = spec["dsn"].as<std::string>();
            else if (spec["dsn_env"]) {
              const char* env = std::getenv(spec["dsn_env"].as<std::string>().c_str());
              if (!env) return config_error(path, spec, "target '" + target.name + "': environment variable " +
                                                          spec["dsn_env"].as<std::string>() + " is not set");
              target.dsn = env;
            } else return config_error(path, spec, "target '" + target.name + "': postgres needs dsn: or dsn_env:");
          } else {
            return config_error(path, spec["driver"], "target '" + target.name + "': unknown driver '" + target.driver +
                                                          "' (expected sqlite or postgres)");
          }
          config.targets[target.name] = target;
        }
      } else if (key == "default_target") {
        config.default_target = v.as<std::string>();
      } else if (key == "prometheus") {
        if (!v.IsMap() || !v["url"]) return config_error(path, v, "prometheus: expected url:");
        config.prometheus_url = v["url"].as<std::string>();
        if (v["timeout"]) { auto d = duration_of(v["timeout"], "prometheus.timeout"); if (!d) return d.error(); config.prometheus_timeout = *d; }
      } else if (key == "redact") {
        if (!v.IsSequence()) return config_error(path, v, "redact: expected a list of regular expressions");
        for (const auto& p : v) config.redact_patterns.push_back(p.as<std::string>());
      } else if (key == "variables") {
        if (!v.IsMap()) return config_error(path, v, "variables: expected NAME: value pairs");
        for (const auto& p : v) config.variables[playbook::binding_key(p.first.as<std::string>())] = p.second.as<std::string>();
      } else {
        return config_error(path, kv.first, "unknown setting '" + key +
                                                "' (known: timeouts, output, confirm_word, targets, default_target, "
                                                "prometheus, redact, variables)");
      }
    }
  } catch (const YAML::Exception& e) {
    return util::Error{"invalid config: " + e.msg, path, e.mark.line >= 0 ? e.mark.line + 1 : 0};
  }
  if (!config.default_target.empty() && !config.targets.count(config.default_target))
    return util::Error{"default_target '" + config.default_target + "' is not among targets:", path, 0};
  if (config.default_target.empty() && config.targets.size() == 1) config.default_target = config.targets.begin()->first;
  return config;
}

util::Result<RunConfig> load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::Error{"cannot read config file", path, 0};
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

}  // namespace runbook::executor
