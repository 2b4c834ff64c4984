// One Connection per accepted socket, on its own strand. The life of a request:
//   read_header   parser with header_limit and body_limit; the read timeout starts here and
//                 covers header and body together, so a client trickling bytes cannot hold a
//                 connection longer than that;
//   on_header     Content-Length over the limit: 413 at once, without reading the body;
//                 "Expect: 100-continue" (curl, for bodies over 1 KiB) answered before the body;
//   on_body       body_limit hit by a chunked body: 413; other errors: close;
//   respond       the Api runs on the handler pool (it waits for a commit), the reply is
//                 written back on the connection's strand; keep-alive goes back to read_header;
//   linger        after a refusal with the body unread, the send side is shut and the rest of
//                 the body read and dropped for a short while, so that the client sees the 413
//                 instead of a reset.
#include "server/http_listener.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <array>
#include <optional>
#include <sstream>

#include "server/log.h"

namespace runbook::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::chrono::milliseconds kLinger{2000};
constexpr std::size_t kLingerBytes = 64u << 20;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::shared_ptr<HttpListener::Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {}

  void start() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Connection::read_header, shared_from_this()));
  }

 private:
  void read_header() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(shared_->options.max_body);
    stream_.expires_after(shared_->options.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Connection::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec == http::error::header_limit) return refuse(431, "request header too large");
    // The parser compares Content-Length with body_limit as soon as the header is complete.
    if (ec == http::error::body_limit) return refuse(413, too_large());
    if (ec) return close();  // end of stream, timeout (slow client), reset, garbage
    const auto length = parser_->content_length();
    if (length && *length > shared_->options.max_body) return refuse(413, too_large());
    if (parser_->is_done()) return respond();
    auto& req = parser_->get();
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, req.version());
      http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code e, std::size_t) {
        if (e) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Connection::on_body, shared_from_this()));
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit) return refuse(413, too_large());
    if (ec) return close();
    respond();
  }

  std::string too_large() const {
    return "request body larger than the limit of " + std::to_string(shared_->options.max_body) + " bytes";
  }

  void respond() {
    ++shared_->in_flight;
    auto request = std::make_shared<Request>(parser_->release());
    // The Api blocks (a commit); it runs on the handler pool, the reply comes back to this
    // connection's strand.
    asio::post(shared_->handlers, [self = shared_from_this(), request] {
      Reply reply;
      try {
        reply = self->shared_->api.handle(*request);
      } catch (const std::exception& e) {  // the Api returns errors as values; this is a last resort
        log(std::string("http: internal error: ") + e.what());
        reply = Reply::error(500, "internal error");
      }
      asio::post(self->stream_.get_executor(), [self, request, reply = std::move(reply)]() mutable {
        self->reply(*request, std::move(reply));
      });
    });
  }

  void reply(const Request& request, Reply reply) {
    const bool keep_alive = request.keep_alive();
    if (!reply.file.empty()) {
      beast::error_code ec;
      http::file_body::value_type file;
      file.open(reply.file.c_str(), beast::file_mode::scan, ec);
      if (!ec) {
        auto res = std::make_shared<http::response<http::file_body>>(http::status::ok, request.version());
        res->body() = std::move(file);
        fill(*res, reply, keep_alive);
        res->prepare_payload();
        return send(res, !keep_alive, true);
      }
      reply = Reply::error(404, "evidence log not readable: " + ec.message());
    }
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(reply.status),
                                                                    request.version());
    res->body() = std::move(reply.body);
    fill(*res, reply, keep_alive);
    res->prepare_payload();
    send(res, !keep_alive, true);
  }

  template <typename Response>
  void fill(Response& res, const Reply& reply, bool keep_alive) {
    res.set(http::field::server, "runbook");
    res.set(http::field::content_type, reply.content_type);
    res.set(http::field::cache_control, "no-store");
    for (const auto& [k, v] : reply.headers) res.set(k, v);
    res.keep_alive(keep_alive);
  }

  // Answers `status` and closes; the request body, if any, is left unread.
  void refuse(unsigned status, const std::string& message) {
    ++shared_->in_flight;
    Reply reply = Reply::error(status, message);
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), 11);
    res->body() = std::move(reply.body);
    fill(*res, reply, false);
    res->prepare_payload();
    send(res, true, false);
  }

  template <typename Response>
  void send(std::shared_ptr<Response> res, bool close_after, bool body_read) {
    stream_.expires_after(shared_->options.read_timeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, close_after, body_read](beast::error_code ec, std::size_t) {
                        --self->shared_->in_flight;
                        if (ec) return self->close();
                        if (!close_after) return self->read_header();
                        if (body_read) return self->close();
                        self->linger();
                      });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  void linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(kLinger);
    drain_ = std::make_shared<std::array<char, 65536>>();
    drain_more();
  }

  void drain_more() {
    stream_.async_read_some(asio::buffer(*drain_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kLingerBytes) return self->close();
      self->drain_more();
    });
  }

  beast::tcp_stream stream_;
  std::shared_ptr<HttpListener::Shared> shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<std::array<char, 65536>> drain_;
  std::size_t drained_ = 0;
};

}  // namespace

HttpListener::HttpListener(Api& api, ListenerOptions options)
    : shared_(std::make_shared<Shared>(api, options)), io_(std::max(1, options.threads)), acceptor_(io_) {}

HttpListener::~HttpListener() { stop(std::chrono::milliseconds(0)); }

util::Result<tcp::endpoint> HttpListener::listen(const tcp::endpoint& endpoint) {
  beast::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::ostringstream where;
    where << endpoint;
    return util::Error{"cannot listen on " + where.str() + ": " + ec.message(), "", 0};
  }
  return acceptor_.local_endpoint();
}

void HttpListener::start() {
  accept();
  for (int i = 0; i < std::max(1, shared_->options.threads); ++i) threads_.emplace_back([this] { io_.run(); });
}

void HttpListener::accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);  // small JSON answers: do not wait for Nagle
      std::make_shared<Connection>(std::move(socket), shared_)->start();
    } else if (ec == asio::error::no_descriptors) {
      log("http: out of file descriptors; not accepting for a moment");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    accept();
  });
}

void HttpListener::stop(std::chrono::milliseconds grace) {
  if (stopped_) return;
  stopped_ = true;
  asio::post(io_, [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
  const auto until = std::chrono::steady_clock::now() + grace;
  while (shared_->in_flight.load() > 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  io_.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  // A handler still running finishes its commit; its reply has nowhere to go any more.
  shared_->handlers.stop();
  shared_->handlers.join();
}

}  // namespace runbook::server
