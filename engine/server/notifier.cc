#include "server/notifier.h"

#include <nlohmann/json.hpp>

#include "server/log.h"

namespace runbook::server {

using Clock = std::chrono::steady_clock;

util::Result<HttpUrl> parse_http_url(const std::string& url) { return http::parse_url(url, "notify URL"); }

Notifier::Notifier(HttpUrl url, NotifierOptions options) : url_(std::move(url)), options_(options) {
  thread_ = std::thread([this] { loop(); });
}

Notifier::~Notifier() { stop(std::chrono::milliseconds(0)); }

void Notifier::send(std::string text) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    queue_.push_back(nlohmann::json{{"text", std::move(text)}}.dump(-1, ' ', false,
                                                                   nlohmann::json::error_handler_t::replace));
  }
  wake_.notify_all();
}

void Notifier::stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    if (!stopping_) {
      stopping_ = true;
      stop_by_ = Clock::now() + grace;
    }
  }
  wake_.notify_all();
  thread_.join();
}

int Notifier::delivered() const {
  std::lock_guard lock(mutex_);
  return delivered_;
}

int Notifier::given_up() const {
  std::lock_guard lock(mutex_);
  return given_up_;
}

void Notifier::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping with nothing left
    std::string body = queue_.front();
    queue_.pop_front();
    auto delay = options_.first_delay;
    bool ok = false;
    for (int attempt = 1; attempt <= options_.attempts; ++attempt) {
      if (stopping_ && Clock::now() >= stop_by_) break;
      lock.unlock();
      ok = post(body);
      lock.lock();
      if (ok) break;
      if (attempt == options_.attempts) break;
      // Back off; a stop cuts the wait short at its deadline, not at once, so a brief outage
      // during shutdown still gets its retry.
      const auto until = Clock::now() + delay;
      for (auto now = Clock::now(); now < until; now = Clock::now()) {
        if (stopping_ && now >= stop_by_) break;
        wake_.wait_until(lock, stopping_ ? std::min(until, stop_by_) : until);
      }
      delay *= 2;
    }
    if (ok) {
      ++delivered_;
    } else {
      ++given_up_;
      lock.unlock();
      log("notify: giving up on a message to " + url_.origin() + url_.target);
      lock.lock();
    }
    if (stopping_ && Clock::now() >= stop_by_) {
      given_up_ += static_cast<int>(queue_.size());
      if (!queue_.empty()) {
        const auto dropped = queue_.size();
        queue_.clear();
        lock.unlock();
        log("notify: shutting down, " + std::to_string(dropped) + " message(s) not delivered");
        lock.lock();
      }
      return;
    }
  }
}

bool Notifier::post(const std::string& body) const {
  http::Request request;
  request.method = "POST";
  request.target = url_.target;
  request.content_type = "application/json";
  request.body = body;
  auto answer = http::send(url_, request, options_.timeout, 1u << 20);
  if (!answer) {
    log("notify: " + url_.origin() + url_.target + ": " + answer.error().message);
    return false;
  }
  if (answer->status >= 200 && answer->status < 300) return true;
  log("notify: " + url_.origin() + url_.target + " answered HTTP " + std::to_string(answer->status));
  return false;
}

}  // namespace runbook::server
