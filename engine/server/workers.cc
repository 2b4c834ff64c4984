#include "server/workers.h"

#include <atomic>
#include <filesystem>
#include <fstream>

#include "server/log.h"
#include "util/text.h"

namespace runbook::server {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Workers::Active {
  exec::Interrupt interrupt;
  std::atomic<StopReason> reason{StopReason::None};
};

std::string run_dir_name(std::int64_t id, const std::string& alertname) {
  std::string slug = util::slugify(alertname, 40);
  return slug.empty() ? std::to_string(id) : std::to_string(id) + "-" + slug;
}

std::string notification_text(const RunRow& run, const Outcome& outcome) {
  std::string title;
  if (outcome.summary.contains("playbook") && outcome.summary["playbook"].is_object())
    title = outcome.summary["playbook"].value("title", "");
  std::string text = "runbook: run " + std::to_string(run.id) + " " + outcome.status + " for alert " +
                     run.alertname + " (" + run.source + ")";
  text += "\nplaybook: " + (title.empty() ? (outcome.playbook.empty() ? "-" : outcome.playbook) : title);
  if (outcome.status == status::kAwaitingOperator) {
    if (outcome.summary.contains("stopped_at") && outcome.summary["stopped_at"].is_object()) {
      const auto& at = outcome.summary["stopped_at"];
      text += "\nstopped at: " + at.value("step", std::string("?")) + " (" + at.value("reason", std::string("?")) + ")";
    }
    text += "\nresume with: runbook resume " + run.run_dir;
  } else {
    text += "\nrun dir: " + run.run_dir;
  }
  return text;
}

Workers::Workers(Store& store, Launcher& launcher, Metrics& metrics, Notifier* notifier, WorkerOptions options)
    : store_(store), launcher_(launcher), metrics_(metrics), notifier_(notifier), options_(std::move(options)) {}

Workers::~Workers() { stop(std::chrono::milliseconds(0)); }

void Workers::start() {
  std::lock_guard lock(mutex_);
  for (int i = 0; i < options_.count; ++i) threads_.emplace_back([this] { loop(); });
}

void Workers::wake() {
  {
    std::lock_guard lock(mutex_);
    ++wakes_;
  }
  wake_.notify_all();
}

bool Workers::cancel(std::int64_t run_id) {
  std::lock_guard lock(mutex_);
  auto it = active_.find(run_id);
  if (it == active_.end()) return false;
  StopReason none = StopReason::None;
  it->second->reason.compare_exchange_strong(none, StopReason::Cancelled);
  it->second->interrupt.raise();
  return true;
}

int Workers::active() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(active_.size());
}

void Workers::stop(std::chrono::milliseconds drain) {
  std::vector<std::thread> threads;
  {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
    if (!active_.empty()) {
      log("shutdown: waiting up to " + std::to_string(drain.count() / 1000) + " s for " +
          std::to_string(active_.size()) + " running run(s)");
      idle_.wait_for(lock, drain, [&] { return active_.empty(); });
    }
    for (auto& [id, active] : active_) {
      log("run " + std::to_string(id) + ": interrupting (drain timeout)");
      StopReason none = StopReason::None;
      active->reason.compare_exchange_strong(none, StopReason::Shutdown);
      active->interrupt.raise();
    }
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
}

void Workers::loop() {
  std::unique_lock lock(mutex_);
  std::uint64_t seen = wakes_;
  while (!stopping_) {
    // Claiming under mutex_ makes the claim and the registration in active_ one step for
    // cancel(): a run the store says is running is either in active_ or already finished.
    auto claimed = store_.claim_next();
    if (!claimed.ok()) {
      log("workers: " + claimed.error().describe());
      wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
      continue;
    }
    if (!*claimed) {
      wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || wakes_ != seen; });
      seen = wakes_;
      continue;
    }
    RunRow run = std::move(**claimed);
    auto active = std::make_shared<Active>();
    active_[run.id] = active;
    lock.unlock();
    execute(run, *active);
    lock.lock();
    active_.erase(run.id);
    idle_.notify_all();
  }
}

void Workers::execute(const RunRow& claimed, Active& active) {
  RunRow run = claimed;
  const auto started = Clock::now();
  Outcome outcome;
  std::error_code ec;
  const fs::path dir = fs::path(options_.runs_dir) / run_dir_name(run.id, run.alertname);
  fs::create_directories(dir, ec);
  // The handler's input: the plain labels shape, whatever format the alert came in.
  nlohmann::json input = {{"labels", run.alert.value("labels", nlohmann::json::object())},
                          {"annotations", run.alert.value("annotations", nlohmann::json::object())},
                          {"status", run.alert.value("status", std::string("firing"))},
                          {"fingerprint", run.alert.value("fingerprint", std::string())}};  // the row's, in the evidence too
  const std::string alert_file = (dir / "alert.json").string();
  if (!ec) {
    std::ofstream out(alert_file, std::ios::trunc);
    out << input.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    out.close();
    if (!out) ec = std::make_error_code(std::errc::io_error);
  }
  run.run_dir = dir.string();
  if (auto stored = store_.set_run_dir(run.id, run.run_dir); !stored.ok())
    log("run " + std::to_string(run.id) + ": " + stored.error().describe());

  if (ec) {
    outcome.status = status::kFailed;
    outcome.summary = {{"error", "cannot prepare the run directory " + dir.string() + ": " + ec.message()}};
  } else {
    log("run " + std::to_string(run.id) + ": started for alert " + run.alertname + " (" + run.source +
        ", fingerprint " + run.fingerprint + ") in " + run.run_dir);
    LaunchRequest request{run.id, alert_file, run.run_dir};
    LaunchResult result = launcher_.launch(request, active.interrupt);
    outcome = interpret(result, active.reason.load());
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  if (auto stored = store_.finish(run.id, outcome.status, outcome.exit_code, outcome.summary, outcome.playbook);
      !stored.ok())
    log("run " + std::to_string(run.id) + ": " + stored.error().describe());
  metrics_.run_finished(outcome.status, seconds);
  std::string line = "run " + std::to_string(run.id) + ": " + outcome.status;
  if (outcome.exit_code) line += " (exit " + std::to_string(*outcome.exit_code) + ")";
  if (!outcome.playbook.empty()) line += ", playbook " + outcome.playbook;
  if (outcome.summary.contains("error") && outcome.summary["error"].is_string())
    line += ": " + outcome.summary["error"].get<std::string>();
  char took[32];
  std::snprintf(took, sizeof took, " after %.1f s", seconds);
  log(line + took);
  if (notifier_ && (outcome.status == status::kCompleted || outcome.status == status::kAwaitingOperator))
    notifier_->send(notification_text(run, outcome));
}

}  // namespace runbook::server
