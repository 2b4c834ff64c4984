#include "server/api.h"

#include <charconv>
#include <filesystem>

#include "alert/alert.h"
#include "alert/signature.h"
#include "evidence/log.h"
#include "server/log.h"
#include "util/hmac.h"
#include "util/text.h"

namespace runbook::server {

namespace http = boost::beast::http;

namespace {

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 1000;

std::optional<std::int64_t> parse_id(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

/// The value of `key` in a query string "a=1&b=2" (no percent-decoding: our values are numbers).
std::optional<std::string> query_value(const std::string& query, std::string_view key) {
  std::string_view rest = query;
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == key) return std::string(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
  }
  return std::nullopt;
}

Reply method_not_allowed(const char* allow) {
  Reply r = Reply::error(405, std::string("method not allowed; use ") + allow);
  r.headers.emplace_back("Allow", allow);
  return r;
}

/// The format each webhook path accepts. /alerts is strict Alertmanager: plain labels would make
/// any JSON object an alert, and a typo'd payload should be a 400, not a run.
std::optional<alert::Format> format_for(const std::string& path) {
  if (path == "/alerts") return alert::Format::Alertmanager;
  if (path == "/alerts/grafana") return alert::Format::Grafana;
  if (path == "/alerts/pagerduty") return alert::Format::PagerDuty;
  return std::nullopt;
}

/// The alert as stored in the run row: the labels shape the handler reads, plus what the sender
/// said about it (times, links) for people looking at /runs/{id}.
nlohmann::json stored_alert(const alert::Alert& a) {
  // The handler routes by the alert's name: a PagerDuty incident's title, a legacy Grafana rule
  // name, are not labels of their own, so the name goes in as `alertname` when no label says it.
  auto labels = a.labels;
  if (!a.name.empty()) labels.emplace("alertname", a.name);
  nlohmann::json j = {{"labels", labels}, {"annotations", a.annotations}, {"status", a.status},
                      {"fingerprint", a.fingerprint}, {"source", a.source}};
  if (!a.starts_at.empty()) j["starts_at"] = a.starts_at;
  if (!a.ends_at.empty()) j["ends_at"] = a.ends_at;
  if (!a.generator_url.empty()) j["generator_url"] = a.generator_url;
  if (!a.receiver.empty()) j["receiver"] = a.receiver;
  if (!a.group_key.empty()) j["group_key"] = a.group_key;
  return j;
}

}  // namespace

Reply Reply::json(unsigned status, const nlohmann::json& body) {
  Reply r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return r;
}

Reply Reply::error(unsigned status, const std::string& message) { return json(status, {{"error", message}}); }

Api::Api(Store& store, Workers* workers, Metrics& metrics, ApiOptions options)
    : store_(store), workers_(workers), metrics_(metrics), options_(std::move(options)) {}

bool Api::authorized(const Request& request) const {
  if (!options_.token) return true;
  auto it = request.find(http::field::authorization);
  if (it == request.end()) return false;
  std::string_view value(it->value().data(), it->value().size());
  if (!util::istarts_with(value, "Bearer ")) return false;
  std::string_view presented = util::trim(value.substr(7));
  return util::constant_time_equal(presented, *options_.token);
}

Reply Api::handle(const Request& request) {
  const std::string target(request.target());
  const auto qmark = target.find('?');
  const std::string path = target.substr(0, qmark);
  const std::string query = qmark == std::string::npos ? "" : target.substr(qmark + 1);
  const auto method = request.method();
  const bool get = method == http::verb::get;

  if (path == "/healthz") {
    if (!get) return method_not_allowed("GET");
    return Reply::json(200, {{"status", draining_ ? "draining" : "ok"}});
  }
  if (path == "/metrics") {
    if (!get) return method_not_allowed("GET");
    return metrics();
  }

  if (format_for(path)) {
    if (method != http::verb::post) return method_not_allowed("POST");
    // PagerDuty signs its webhooks; with a secret configured the signature is the credential
    // (PagerDuty cannot always be given a bearer token).
    const bool signed_endpoint = path == "/alerts/pagerduty" && !options_.pagerduty_secret.empty();
    if (!signed_endpoint && !authorized(request)) {
      Reply r = Reply::error(401, "missing or wrong bearer token (Authorization: Bearer <token>)");
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"runbook\"");
      return r;
    }
    if (signed_endpoint) {
      auto it = request.find("X-PagerDuty-Signature");
      const std::string header = it == request.end() ? "" : std::string(it->value());
      if (!alert::pagerduty_signature_ok(options_.pagerduty_secret, request.body(), header))
        return Reply::error(401, header.empty() ? "missing X-PagerDuty-Signature" : "bad X-PagerDuty-Signature");
    }
    return intake(request, path);
  }

  const bool runs_path = path == "/runs" || path.rfind("/runs/", 0) == 0;
  if (!runs_path) return Reply::error(404, "no such endpoint: " + path);
  // Authenticate before telling apart what exists: a stranger learns nothing about run ids.
  if (!authorized(request)) {
    Reply r = Reply::error(401, "missing or wrong bearer token (Authorization: Bearer <token>)");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"runbook\"");
    return r;
  }
  if (path == "/runs") {
    if (!get) return method_not_allowed("GET");
    return list_runs(query);
  }
  std::string_view rest = std::string_view(path).substr(6);
  bool evidence = false;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    if (rest.substr(slash) != "/evidence") return Reply::error(404, "no such endpoint: " + path);
    evidence = true;
    rest = rest.substr(0, slash);
  }
  auto id = parse_id(rest);
  if (!id) return Reply::error(404, "no such run: " + std::string(rest));
  if (!get) return method_not_allowed("GET");
  return show_run(*id, evidence);
}

Reply Api::intake(const Request& request, const std::string& path) {
  if (draining_) {
    Reply r = Reply::error(503, "shutting down; send again later");
    r.headers.emplace_back("Retry-After", "10");
    return r;
  }
  auto parsed = alert::parse_alerts(request.body(), *format_for(path));
  if (!parsed.ok()) return Reply::error(400, parsed.error().describe());

  std::vector<IncomingAlert> incoming;
  for (const auto& a : *parsed) {
    metrics_.alert_received(a.source);
    IncomingAlert in;
    in.source = a.source;
    in.alertname = a.name.empty() ? "unnamed" : a.name;
    in.fingerprint = a.fingerprint.empty() ? alert::label_fingerprint(a.labels) : a.fingerprint;
    in.resolved = a.resolved();
    in.alert = stored_alert(a);
    incoming.push_back(std::move(in));
  }
  auto recorded = store_.record(incoming, options_.cancel_on_resolved);
  if (!recorded.ok()) {
    // 5xx: every sender we accept retries those, so the alert is not lost, only late.
    log("intake: " + recorded.error().describe());
    return Reply::error(503, "could not record the alerts: " + recorded.error().message);
  }

  nlohmann::json created = nlohmann::json::array(), duplicates = nlohmann::json::array();
  nlohmann::json resolved = nlohmann::json::array(), ignored = nlohmann::json::array();
  nlohmann::json alerts = nlohmann::json::array();
  std::vector<std::int64_t> to_cancel;
  for (std::size_t i = 0; i < recorded->size(); ++i) {
    const Recorded& r = (*recorded)[i];
    const IncomingAlert& in = incoming[i];
    nlohmann::json entry = {{"alertname", in.alertname}, {"fingerprint", in.fingerprint}};
    switch (r.kind) {
      case Recorded::Kind::Created:
        entry["result"] = "created";
        entry["run"] = r.run_id;
        created.push_back(r.run_id);
        break;
      case Recorded::Kind::Duplicate:
        entry["result"] = "duplicate";
        entry["run"] = r.run_id;
        entry["message"] = "duplicate of run " + std::to_string(r.run_id);
        duplicates.push_back(r.run_id);
        break;
      case Recorded::Kind::ResolvedRecorded:
        entry["result"] = "resolved";
        entry["run"] = r.run_id;
        entry["cancelled"] = r.cancelled_queued || r.cancel_running;
        entry["message"] = "recorded as resolved on run " + std::to_string(r.run_id);
        resolved.push_back(r.run_id);
        if (r.cancel_running) to_cancel.push_back(r.run_id);
        break;
      case Recorded::Kind::ResolvedIgnored:
        entry["result"] = "ignored";
        entry["message"] = "resolved alert with no active run";
        ignored.push_back(in.fingerprint);
        break;
    }
    alerts.push_back(std::move(entry));
  }
  if (workers_) {
    if (!created.empty()) workers_->wake();
    for (auto id : to_cancel) {
      log("run " + std::to_string(id) + ": cancelling, its alert resolved");
      workers_->cancel(id);
    }
  }
  if (!created.empty())
    log("intake: " + std::to_string(incoming.size()) + " alert(s) from " + incoming.front().source + ", runs " +
        created.dump() + " queued");
  return Reply::json(created.empty() ? 200 : 202, {{"created", created},
                                                   {"duplicates", duplicates},
                                                   {"resolved", resolved},
                                                   {"ignored", ignored},
                                                   {"alerts", alerts}});
}

Reply Api::list_runs(const std::string& query) {
  int limit = kDefaultLimit;
  if (auto text = query_value(query, "limit")) {
    auto v = parse_id(*text);
    if (!v || *v > kMaxLimit) return Reply::error(400, "limit must be a number from 1 to " + std::to_string(kMaxLimit));
    limit = static_cast<int>(*v);
  }
  auto rows = store_.list(limit);
  if (!rows.ok()) return Reply::error(500, rows.error().message);
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& r : *rows) runs.push_back(r.to_json(false));
  return Reply::json(200, {{"runs", runs}});
}

Reply Api::show_run(std::int64_t id, bool evidence) {
  auto row = store_.get(id);
  if (!row.ok()) return Reply::error(500, row.error().message);
  if (!*row) return Reply::error(404, "no such run: " + std::to_string(id));
  const RunRow& run = **row;
  if (!evidence) return Reply::json(200, run.to_json(true));
  // The handler reports where it wrote its log; by contract that is the run directory.
  std::string dir = run.run_dir;
  if (run.summary.is_object() && run.summary.contains("run_dir") && run.summary["run_dir"].is_string())
    dir = run.summary["run_dir"].get<std::string>();
  const std::filesystem::path file = std::filesystem::path(dir) / evidence::kLogFile;
  std::error_code ec;
  if (dir.empty() || !std::filesystem::is_regular_file(file, ec))
    return Reply::error(404, "run " + std::to_string(id) + " has no evidence log (yet)");
  Reply r;
  r.content_type = "application/x-ndjson";
  r.file = file.string();
  return r;
}

Reply Api::metrics() {
  auto counts = store_.count_active();
  std::int64_t queued = 0, running = 0;
  if (counts.ok()) {
    queued = (*counts)[status::kQueued];
    running = (*counts)[status::kRunning];
  }
  Reply r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = metrics_.render(queued, running);
  return r;
}

}  // namespace runbook::server
