#pragma once
// The HTTP side: Boost.Beast on an Asio thread pool of its own (separate from the run workers),
// carrying requests to the Api, which runs on a second small pool so that a slow disk never
// stalls reading and writing other connections. It guards the server against misbehaving clients: a request must
// arrive whole within the read timeout (slow or stalled clients are disconnected, never waited
// for), headers are capped, and bodies over the limit are refused with 413 without reading them.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>

#include "server/api.h"
#include "util/result.h"

namespace runbook::server {

struct ListenerOptions {
  std::size_t max_body = 1u << 20;                    ///< larger bodies: 413
  std::chrono::milliseconds read_timeout{10000};     ///< a whole request (and each response write)
  int threads = 2;                                    ///< I/O threads: never block
  /// Threads that run the Api (which blocks on the store's commit). Waiting for an fsync costs a
  /// thread nothing, and their number bounds how many webhooks can share one group commit.
  int handler_threads = 8;
};

class HttpListener {
 public:
  HttpListener(Api& api, ListenerOptions options);
  ~HttpListener();  ///< stop()
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  /// Binds and listens; returns the bound endpoint (the real port when asked for port 0).
  util::Result<boost::asio::ip::tcp::endpoint> listen(const boost::asio::ip::tcp::endpoint& endpoint);
  /// Starts accepting on the I/O threads.
  void start();
  /// Stops accepting, gives requests being answered up to `grace` to finish, then stops the
  /// threads (idle keep-alive connections are closed).
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

  /// Requests read and not yet answered (shared with the connections).
  struct Shared {
    Shared(Api& a, ListenerOptions o) : api(a), options(o), handlers(static_cast<std::size_t>(std::max(1, o.handler_threads))) {}
    Api& api;
    ListenerOptions options;
    boost::asio::thread_pool handlers;
    std::atomic<int> in_flight{0};
  };

 private:
  void accept();

  std::shared_ptr<Shared> shared_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
};

}  // namespace runbook::server
