#pragma once
// The server's Prometheus metrics, rendered in the text exposition format 0.0.4. Counters live in
// memory (they restart at zero with the process, which Prometheus' rate() expects); the queue
// gauges are read from the store at scrape time so they can never drift from the truth.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace runbook::server {

class Metrics {
 public:
  Metrics();
  /// One alert parsed from a webhook of `source` (alertmanager, grafana, pagerduty).
  void alert_received(const std::string& source);
  /// A run ended with `outcome` (a final status) after `seconds`.
  void run_finished(const std::string& outcome, double seconds);
  /// The exposition text; `queued` and `running` are the current gauges.
  std::string render(std::int64_t queued, std::int64_t running) const;

  /// The histogram's upper bounds (seconds); +Inf is implied.
  static const std::vector<double>& duration_buckets();

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> alerts_;
  std::map<std::string, std::uint64_t> runs_;
  std::vector<std::uint64_t> bucket_counts_;  // per bucket (not cumulative); the last is +Inf
  double duration_sum_ = 0;
  std::uint64_t duration_count_ = 0;
};

}  // namespace runbook::server
