#pragma once
// The server's durable state: one SQLite table of runs. Every alert the server answers 2xx for
// is a committed row first (WAL, synchronous=FULL), so nothing acknowledged is lost to kill -9.
// Two connections: one writer, used by one thread at a time through a group commit (concurrent
// writes share one transaction and one fsync), and one reader for the API's queries. Every
// method is thread-safe and returns after its write is durable.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/result.h"

struct sqlite3;

namespace runbook::server {

/// The life of a run: queued -> running -> one of the final states. `interrupted` is a run the
/// server stopped (shutdown after the drain timeout, or a crash while it ran); `cancelled` is a
/// run stopped because its alert resolved (--cancel-on-resolved).
namespace status {
inline constexpr const char* kQueued = "queued";
inline constexpr const char* kRunning = "running";
inline constexpr const char* kCompleted = "completed";
inline constexpr const char* kAwaitingOperator = "awaiting-operator";
inline constexpr const char* kFailed = "failed";
inline constexpr const char* kNoPlaybook = "no-playbook";
inline constexpr const char* kInterrupted = "interrupted";
inline constexpr const char* kCancelled = "cancelled";
}  // namespace status

/// One row of the runs table.
struct RunRow {
  std::int64_t id = 0;
  std::string received_at, source, alertname, fingerprint, status;
  bool resolved_seen = false;
  nlohmann::json alert;    ///< the alert as received (labels, annotations, status, ...)
  std::string playbook;    ///< the playbook the run chose ("" until known)
  std::string run_dir;     ///< "" until a worker created it
  nlohmann::json summary;  ///< `runbook handle --json` output (null until the run ends)
  std::optional<int> exit_code;
  std::string started_at, finished_at;

  /// The row as the API shows it; `full` adds the alert and the summary.
  nlohmann::json to_json(bool full) const;
};

/// One alert to record, already parsed.
struct IncomingAlert {
  std::string source, alertname, fingerprint;
  bool resolved = false;
  nlohmann::json alert;
};

/// What recording one alert did.
struct Recorded {
  enum class Kind {
    Created,           ///< a new queued run
    Duplicate,         ///< a run for this fingerprint is already queued or running
    ResolvedRecorded,  ///< resolved_seen set on the active run
    ResolvedIgnored,   ///< resolved, and no active run: nothing to do
  };
  Kind kind = Kind::Created;
  std::int64_t run_id = 0;        ///< the new run, the active one; 0 for ResolvedIgnored
  bool cancelled_queued = false;  ///< ResolvedRecorded: the run was still queued and is now cancelled
  bool cancel_running = false;    ///< ResolvedRecorded: the run is running; the caller interrupts it
};

class Store {
 public:
  /// Opens (creating) the database and takes an exclusive lock on "<path>.lock", so two servers
  /// never share one state file (each would mark the other's running runs interrupted).
  static util::Result<std::unique_ptr<Store>> open(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  /// At start-up: rows left `running` by a previous process become `interrupted`. Returns how many.
  util::Result<int> recover();

  /// Records a webhook's alerts in one transaction; returns after the commit (durable).
  util::Result<std::vector<Recorded>> record(const std::vector<IncomingAlert>& alerts, bool cancel_on_resolved);

  /// Takes the oldest queued run: marks it running (started_at = now) and returns it.
  util::Result<std::optional<RunRow>> claim_next();
  /// The run's directory, once created.
  util::Result<bool> set_run_dir(std::int64_t id, const std::string& run_dir);
  /// The run's end: final status, exit code (none when the process did not exit), summary, playbook.
  util::Result<bool> finish(std::int64_t id, const std::string& status, std::optional<int> exit_code,
                            const nlohmann::json& summary, const std::string& playbook);

  /// The newest `limit` runs, newest first (without alert and summary).
  util::Result<std::vector<RunRow>> list(int limit);
  /// One run with everything.
  util::Result<std::optional<RunRow>> get(std::int64_t id);
  /// Number of queued and running rows, by status (the /metrics gauges; uses the active index, so
  /// it stays cheap however long the history grows).
  util::Result<std::map<std::string, std::int64_t>> count_active();

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace runbook::server
