#include "server/server.h"

#include <filesystem>
#include <sstream>

#include "server/listen_address.h"
#include "server/log.h"

namespace runbook::server {

std::string runs_dir_for(const ServerOptions& options) {
  if (!options.runs_dir.empty()) return options.runs_dir;
  const auto parent = std::filesystem::path(options.state_path).parent_path();
  return (parent.empty() ? std::filesystem::path("runs") : parent / "runs").string();
}

util::Result<std::unique_ptr<Server>> Server::start(ServerOptions options, std::unique_ptr<Launcher> launcher) {
  auto where = resolve_listen_address(options.listen);
  if (!where.ok()) return where.error();
  if (!where->loopback && !options.allow_remote)
    return util::Error{"refusing to listen on " + options.listen +
                           ": not a loopback address. The API starts playbooks; to expose it beyond this "
                           "host, pass --allow-remote (with --token-file)", "", 0};
  if (!where->loopback && !options.token)
    return util::Error{"refusing --no-auth on the non-loopback address " + options.listen +
                           ": anyone who can reach it could start playbooks; use --token-file", "", 0};

  std::unique_ptr<Server> s(new Server());
  s->options_ = options;
  s->launcher_ = std::move(launcher);
  auto store = Store::open(options.state_path);
  if (!store.ok()) return store.error();
  s->store_ = std::move(store.value());
  auto recovered = s->store_->recover();
  if (!recovered.ok()) return recovered.error();
  if (*recovered > 0)
    log("start-up: " + std::to_string(*recovered) + " run(s) left running by the previous process marked interrupted");

  // Absolute: the handler runs in the server's working directory today, but the run_dir stored in
  // the row must mean the same thing to whoever reads it later (runbook resume, a person).
  std::error_code ec;
  const std::string runs_dir = std::filesystem::absolute(runs_dir_for(options), ec).string();
  std::filesystem::create_directories(runs_dir, ec);
  if (ec) return util::Error{"cannot create the runs directory " + runs_dir + ": " + ec.message(), "", 0};

  if (!options.notify_url.empty()) {
    auto url = parse_http_url(options.notify_url);
    if (!url.ok()) return url.error();
    s->notifier_ = std::make_unique<Notifier>(*url, options.notify);
  }
  s->workers_ = std::make_unique<Workers>(*s->store_, *s->launcher_, s->metrics_, s->notifier_.get(),
                                          WorkerOptions{std::max(1, options.workers), runs_dir});
  ApiOptions api{options.token, options.pagerduty_secret, options.cancel_on_resolved};
  s->api_ = std::make_unique<Api>(*s->store_, s->workers_.get(), s->metrics_, api);
  s->listener_ = std::make_unique<HttpListener>(*s->api_, options.http);
  auto bound = s->listener_->listen(where->endpoint);
  if (!bound.ok()) return bound.error();
  s->endpoint_ = *bound;
  // Workers first: queued runs from before a restart start now, whatever comes in.
  s->workers_->start();
  s->listener_->start();
  log("listening on http://" + s->address() + " (state " + options.state_path + ", runs " + runs_dir + ", " +
      std::to_string(std::max(1, options.workers)) + " worker(s)" + (options.token ? "" : ", NO AUTH") + ")");
  return s;
}

Server::~Server() { shutdown(); }

void Server::shutdown() {
  if (stopped_) return;
  stopped_ = true;
  log("shutting down: no longer accepting alerts");
  if (api_) api_->set_draining();
  if (listener_) listener_->stop();
  if (workers_) workers_->stop(options_.drain_timeout);
  if (notifier_) notifier_->stop(std::chrono::seconds(5));
  log("stopped");
}

std::string Server::address() const {
  std::ostringstream out;
  out << endpoint_;
  return out.str();
}

}  // namespace runbook::server
