#pragma once
// The HTTP API as a function from a request to a reply, with no sockets in sight: routing,
// authentication, webhook intake, run queries, health and metrics. http_listener.cc carries
// requests to it; tests can call it directly.
//
//   POST /alerts              Alertmanager webhook            bearer token
//   POST /alerts/grafana      Grafana webhook                 bearer token
//   POST /alerts/pagerduty    PagerDuty v3 webhook            X-PagerDuty-Signature when a secret
//                                                             is configured, else bearer token
//   GET  /runs[?limit=N]      runs, newest first              bearer token
//   GET  /runs/{id}           one run: status, alert, summary bearer token
//   GET  /runs/{id}/evidence  its evidence.jsonl (NDJSON)     bearer token
//   GET  /healthz             liveness                        none (it says nothing about runs)
//   GET  /metrics             Prometheus text format 0.0.4    none (counts only, for scrapers)

#include <atomic>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "server/metrics.h"
#include "server/store.h"
#include "server/workers.h"

namespace runbook::server {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

/// What to answer: a JSON or text body, or a file streamed from disk.
struct Reply {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string file;  ///< when not empty: send this file as the body instead
  std::vector<std::pair<std::string, std::string>> headers;

  /// A JSON reply.
  static Reply json(unsigned status, const nlohmann::json& body);
  /// {"error": message}.
  static Reply error(unsigned status, const std::string& message);
};

struct ApiOptions {
  std::optional<std::string> token;  ///< the bearer token; nullopt = --no-auth
  std::string pagerduty_secret;      ///< "" = PagerDuty posts need the bearer token instead
  bool cancel_on_resolved = false;
};

class Api {
 public:
  /// `workers` may be null (nothing is woken or cancelled: tests of intake alone).
  Api(Store& store, Workers* workers, Metrics& metrics, ApiOptions options);

  Reply handle(const Request& request);
  /// While draining, webhooks are answered 503 (the sender retries later, against the next process).
  void set_draining() { draining_ = true; }

 private:
  Reply intake(const Request& request, const std::string& path);
  Reply list_runs(const std::string& query);
  Reply show_run(std::int64_t id, bool evidence);
  Reply metrics();
  bool authorized(const Request& request) const;

  Store& store_;
  Workers* workers_;
  Metrics& metrics_;
  ApiOptions options_;
  std::atomic<bool> draining_{false};
};

}  // namespace runbook::server
