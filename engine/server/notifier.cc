#include "server/notifier.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "server/log.h"

namespace runbook::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

util::Result<HttpUrl> parse_http_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind("https://", 0) == 0)
    return util::Error{"only http:// notify URLs are supported (got '" + url +
                           "'); use a local relay for https endpoints", "", 0};
  if (url.rfind(scheme, 0) != 0) return util::Error{"notify URL must start with http:// (got '" + url + "')", "", 0};
  HttpUrl out;
  std::string rest = url.substr(scheme.size());
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    out.target = rest.substr(slash);
    rest.resize(slash);
  }
  if (!rest.empty() && rest.front() == '[') {  // [::1]:8080
    auto close = rest.find(']');
    if (close == std::string::npos) return util::Error{"notify URL: unterminated [ in '" + url + "'", "", 0};
    out.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return util::Error{"notify URL: bad host in '" + url + "'", "", 0};
      out.port = rest.substr(close + 2);
    }
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    out.host = rest.substr(0, colon);
    out.port = rest.substr(colon + 1);
  } else {
    out.host = rest;
  }
  if (out.host.empty()) return util::Error{"notify URL has no host: '" + url + "'", "", 0};
  if (out.port.empty() || out.port.find_first_not_of("0123456789") != std::string::npos)
    return util::Error{"notify URL has a bad port: '" + url + "'", "", 0};
  return out;
}

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
      log("notify: giving up on a message to http://" + url_.host + ":" + url_.port + url_.target);
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
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(options_.timeout);
    stream.connect(resolver.resolve(url_.host, url_.port));
    http::request<http::string_body> req{http::verb::post, url_.target, 11};
    req.set(http::field::host, url_.host);
    req.set(http::field::user_agent, "runbook");
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1u << 20);
    http::read(stream, buffer, parser);
    beast::error_code ec;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    const int code = parser.get().result_int();
    if (code >= 200 && code < 300) return true;
    log("notify: http://" + url_.host + ":" + url_.port + url_.target + " answered HTTP " + std::to_string(code));
    return false;
  } catch (const std::exception& e) {
    log("notify: http://" + url_.host + ":" + url_.port + url_.target + ": " + e.what());
    return false;
  }
}

}  // namespace runbook::server
