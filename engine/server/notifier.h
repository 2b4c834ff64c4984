#pragma once
// Chat notifications (--notify-url): when a run completes or waits for an operator, POST a
// Slack-compatible {"text": "..."} to a webhook URL. Delivery runs on its own thread with
// exponential back-off, so a slow or dead chat service never delays intake or the workers.
// Plain http:// only: put a local relay (or a proxy that speaks TLS) in front of https services.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "http/client.h"
#include "util/result.h"

namespace runbook::server {

using HttpUrl = ::runbook::http::Url;
/// Parses a notify URL (http:// only; https:// is refused with a message saying so).
util::Result<HttpUrl> parse_http_url(const std::string& url);

struct NotifierOptions {
  int attempts = 5;                                     ///< tries per message
  std::chrono::milliseconds first_delay{1000};          ///< then doubled after each failure
  std::chrono::milliseconds timeout{5000};              ///< per attempt
};

class Notifier {
 public:
  Notifier(HttpUrl url, NotifierOptions options = {});
  ~Notifier();  ///< stop(0) if not stopped
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  /// Queues `text` for delivery; returns at once.
  void send(std::string text);
  /// Stops: delivery goes on until the queue is empty or `grace` has passed; the rest is dropped
  /// (and logged).
  void stop(std::chrono::milliseconds grace);

  /// Messages delivered and given up (for tests and the log).
  int delivered() const;
  int given_up() const;

 private:
  void loop();
  bool post(const std::string& body) const;

  HttpUrl url_;
  NotifierOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_by_;
  int delivered_ = 0, given_up_ = 0;
  std::thread thread_;
};

}  // namespace runbook::server
