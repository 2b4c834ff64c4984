#include "http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace runbook::http {

namespace beast = boost::beast;
namespace asio = boost::asio;

std::string Url::origin() const {
  const bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + port;
}

util::Result<Url> parse_url(const std::string& url, const std::string& what) {
  const std::string scheme = "http://";
  auto fail = [&](const std::string& why) { return util::Error{what + ": " + why + " in '" + url + "'", "", 0}; };
  if (url.rfind("https://", 0) == 0)
    return util::Error{what + ": only http:// URLs are supported (got '" + url +
                           "'); use a local relay for https endpoints", "", 0};
  if (url.rfind(scheme, 0) != 0) return util::Error{what + " must start with http:// (got '" + url + "')", "", 0};
  Url out;
  std::string rest = url.substr(scheme.size());
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    out.target = rest.substr(slash);
    rest.resize(slash);
  }
  if (!rest.empty() && rest.front() == '[') {  // [::1]:8080
    auto close = rest.find(']');
    if (close == std::string::npos) return fail("unterminated [");
    out.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return fail("bad host");
      out.port = rest.substr(close + 2);
    }
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    out.host = rest.substr(0, colon);
    out.port = rest.substr(colon + 1);
  } else {
    out.host = rest;
  }
  if (out.host.empty()) return fail("no host");
  if (out.port.empty() || out.port.find_first_not_of("0123456789") != std::string::npos) return fail("bad port");
  return out;
}

util::Result<Response> send(const Url& url, const Request& request, std::chrono::milliseconds timeout,
                            std::size_t body_limit) {
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    stream.connect(resolver.resolve(url.host, url.port));
    beast::http::request<beast::http::string_body> req{
        request.method == "POST" ? beast::http::verb::post : beast::http::verb::get, request.target, 11};
    req.set(beast::http::field::host, url.host);
    req.set(beast::http::field::user_agent, "runbook");
    if (!request.content_type.empty()) req.set(beast::http::field::content_type, request.content_type);
    if (!request.body.empty() || request.method == "POST") {
      req.body() = request.body;
      req.prepare_payload();
    }
    beast::http::write(stream, req);
    beast::flat_buffer buffer;
    beast::http::response_parser<beast::http::string_body> parser;
    parser.body_limit(body_limit);
    beast::http::read(stream, buffer, parser);
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    Response out;
    out.status = parser.get().result_int();
    out.body = std::move(parser.get().body());
    return out;
  } catch (const std::exception& e) {
    return util::Error{e.what(), "", 0};
  }
}

}  // namespace runbook::http
