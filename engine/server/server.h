#pragma once
// `runbook serve` as an object: the store, the run workers, the notifier and the HTTP listener,
// started in that order (nothing is accepted before the state is recovered) and stopped in the
// reverse one (nothing is accepted while the runs drain).

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "server/api.h"
#include "server/http_listener.h"
#include "server/launcher.h"
#include "server/metrics.h"
#include "server/notifier.h"
#include "server/store.h"
#include "server/workers.h"
#include "util/result.h"

namespace runbook::server {

struct ServerOptions {
  std::string listen = "127.0.0.1:9095";
  bool allow_remote = false;                 ///< listen on a non-loopback address
  std::optional<std::string> token;          ///< nullopt: --no-auth
  std::string pagerduty_secret;
  std::string state_path = "runbook-state/state.db";
  std::string runs_dir;                      ///< "" = "runs" next to the state file
  int workers = 2;
  bool cancel_on_resolved = false;
  std::chrono::milliseconds drain_timeout{30000};
  std::string notify_url;                    ///< "" = no notifications
  NotifierOptions notify;
  ListenerOptions http;
};

/// The runs directory for these options (runs_dir, else "runs" beside the state file).
std::string runs_dir_for(const ServerOptions& options);

class Server {
 public:
  /// Opens the state, marks runs left running by a crash interrupted, starts the workers (which
  /// take the queued runs) and listens. Refuses a non-loopback address without allow_remote, and
  /// --no-auth on one even with it.
  static util::Result<std::unique_ptr<Server>> start(ServerOptions options, std::unique_ptr<Launcher> launcher);
  ~Server();  ///< shutdown()

  /// Stops accepting, drains the workers (options.drain_timeout), stops the notifier. Idempotent.
  void shutdown();

  /// The bound address, e.g. "127.0.0.1:40123".
  std::string address() const;
  unsigned short port() const { return endpoint_.port(); }
  Store& store() { return *store_; }
  Workers& workers() { return *workers_; }
  Notifier* notifier() { return notifier_.get(); }

 private:
  Server() = default;

  ServerOptions options_;
  std::unique_ptr<Launcher> launcher_;
  std::unique_ptr<Store> store_;
  Metrics metrics_;
  std::unique_ptr<Notifier> notifier_;
  std::unique_ptr<Workers> workers_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<HttpListener> listener_;
  boost::asio::ip::tcp::endpoint endpoint_;
  bool stopped_ = false;
};

}  // namespace runbook::server
