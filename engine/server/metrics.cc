#include "server/metrics.h"

#include <cstdio>

namespace runbook::server {

namespace {

// Label values escape backslash, double quote and newline (the format's only escapes).
std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

const std::vector<double>& Metrics::duration_buckets() {
  // From a playbook that finds nothing to match (well under a second) to one that waits on
  // commands for an hour.
  static const std::vector<double> buckets{0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600};
  return buckets;
}

Metrics::Metrics() : bucket_counts_(duration_buckets().size() + 1, 0) {
  // Outcomes that may not have happened yet still show as 0: a dashboard's rate() over a series
  // that appears late misses its first increment.
  for (const char* o : {"completed", "awaiting-operator", "failed", "no-playbook", "interrupted", "cancelled"})
    runs_[o] = 0;
  for (const char* s : {"alertmanager", "grafana", "pagerduty"}) alerts_[s] = 0;
}

void Metrics::alert_received(const std::string& source) {
  std::lock_guard lock(mutex_);
  ++alerts_[source];
}

void Metrics::run_finished(const std::string& outcome, double seconds) {
  std::lock_guard lock(mutex_);
  ++runs_[outcome];
  const auto& bounds = duration_buckets();
  std::size_t i = 0;
  while (i < bounds.size() && seconds > bounds[i]) ++i;
  ++bucket_counts_[i];
  duration_sum_ += seconds;
  ++duration_count_;
}

std::string Metrics::render(std::int64_t queued, std::int64_t running) const {
  std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP runbook_alerts_received_total Alerts received by webhook source.\n";
  out += "# TYPE runbook_alerts_received_total counter\n";
  for (const auto& [source, n] : alerts_)
    out += "runbook_alerts_received_total{source=\"" + escape_label(source) + "\"} " + std::to_string(n) + "\n";
  out += "# HELP runbook_runs_total Runs finished, by outcome.\n";
  out += "# TYPE runbook_runs_total counter\n";
  for (const auto& [outcome, n] : runs_)
    out += "runbook_runs_total{outcome=\"" + escape_label(outcome) + "\"} " + std::to_string(n) + "\n";
  out += "# HELP runbook_run_duration_seconds How long runs took, from start to end.\n";
  out += "# TYPE runbook_run_duration_seconds histogram\n";
  const auto& bounds = duration_buckets();
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += bucket_counts_[i];
    out += "runbook_run_duration_seconds_bucket{le=\"" + number(bounds[i]) + "\"} " + std::to_string(cumulative) + "\n";
  }
  cumulative += bucket_counts_.back();
  out += "runbook_run_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
  out += "runbook_run_duration_seconds_sum " + number(duration_sum_) + "\n";
  out += "runbook_run_duration_seconds_count " + std::to_string(duration_count_) + "\n";
  out += "# HELP runbook_queue_depth Runs waiting for a worker.\n";
  out += "# TYPE runbook_queue_depth gauge\n";
  out += "runbook_queue_depth " + std::to_string(queued) + "\n";
  out += "# HELP runbook_runs_running Runs being handled now.\n";
  out += "# TYPE runbook_runs_running gauge\n";
  out += "runbook_runs_running " + std::to_string(running) + "\n";
  return out;
}

}  // namespace runbook::server
