#pragma once
// The operator's run configuration (YAML): timeouts, output limits, SQL targets, Prometheus,
// redaction patterns, preset variables. `runbook run --config FILE`.

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "playbook/placeholders.h"
#include "sql/target.h"
#include "util/result.h"

namespace runbook::executor {

/// Everything a run takes from the config file; the defaults apply without one.
struct RunConfig {
  std::chrono::milliseconds step_timeout{std::chrono::minutes(5)};  ///< `timeouts.step`
  std::chrono::milliseconds grace{std::chrono::seconds(3)};         ///< `timeouts.grace`
  std::size_t inline_output = 1u << 20;                              ///< `output.inline_limit`
  std::string confirm_word = "destroy";       ///< typed to confirm a destructive step
  std::map<std::string, sql::TargetConfig> targets;  ///< `targets:` by name
  std::string default_target;                 ///< `default_target:`, else the only target
  std::string prometheus_url;                 ///< `prometheus.url`; "" = promql steps not runnable
  std::chrono::milliseconds prometheus_timeout{std::chrono::seconds(10)};
  std::vector<std::string> redact_patterns;   ///< `redact:` extra regexes
  playbook::Bindings variables;               ///< `variables:` preset values, by binding key
  std::string source;                         ///< the file it came from, "" for defaults
};

/// Reads a config file; errors name the file and line.
util::Result<RunConfig> load_config(const std::string& path);
/// Parses config text (for tests); `path` is used in messages and to resolve relative sqlite paths
/// against the config file's directory.
util::Result<RunConfig> parse_config(std::string_view text, const std::string& path);

/// "30s", "5m", "1h30m", "250ms", "2" (seconds) -> milliseconds; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
/// "1MiB", "512k", "1048576" -> bytes; nullopt when malformed.
std::optional<std::size_t> parse_size(std::string_view text);
/// "12:31", "1:02:03" from a duration.
std::string clock_text(std::chrono::milliseconds d);

}  // namespace runbook::executor
