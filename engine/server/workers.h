#pragma once
// The run workers: N threads take queued runs oldest first, give each its directory under
// --runs-dir, launch the handler and record how it ended. The queue is the store's `queued` rows,
// not memory, so what is queued survives a restart and is started by the next process.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/launcher.h"
#include "server/metrics.h"
#include "server/notifier.h"
#include "server/outcome.h"
#include "server/store.h"

namespace runbook::server {

struct WorkerOptions {
  int count = 2;
  std::string runs_dir;  ///< run directories: <runs_dir>/<id>-<alertname-slug>/
};

/// "<id>-<slug of alertname>" (just "<id>" when the name has no usable characters).
std::string run_dir_name(std::int64_t id, const std::string& alertname);

/// The chat message for a finished run (notifier), one line per fact.
std::string notification_text(const RunRow& run, const Outcome& outcome);

class Workers {
 public:
  /// `notifier` may be null (no --notify-url).
  Workers(Store& store, Launcher& launcher, Metrics& metrics, Notifier* notifier, WorkerOptions options);
  ~Workers();  ///< stop(0) if still running
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  void start();
  /// New runs were queued: idle workers look again. (They also look every second on their own,
  /// so a lost wake-up delays a run, never strands it.)
  void wake();
  /// Stops the run if a worker of this process is running it (the handler gets SIGTERM, then
  /// SIGKILL); it ends `cancelled`. False when it is not running here.
  bool cancel(std::int64_t run_id);
  /// Shutdown: take no more runs, let the running ones end for up to `drain`, then interrupt them
  /// (they end `interrupted`); joins the threads. Queued runs stay queued.
  void stop(std::chrono::milliseconds drain);
  /// Runs in progress in this process.
  int active() const;

 private:
  struct Active;
  void loop();
  void execute(const RunRow& run, Active& active);

  Store& store_;
  Launcher& launcher_;
  Metrics& metrics_;
  Notifier* notifier_;
  WorkerOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::uint64_t wakes_ = 0;
  bool stopping_ = false;
  std::map<std::int64_t, std::shared_ptr<Active>> active_;
  std::vector<std::thread> threads_;
};

}  // namespace runbook::server
