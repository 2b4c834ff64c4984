#pragma once
// A small blocking HTTP/1.1 client for the requests runbook makes itself: PromQL queries from the
// executor and chat notifications from the server. Boost.Beast over plain TCP with one deadline
// for the whole exchange. No TLS: put a local relay in front of https services.

#include <chrono>
#include <cstddef>
#include <string>

#include "util/result.h"

namespace runbook::http {

/// http://host[:port][/path[?query]] split up.
struct Url {
  std::string host, port = "80", target = "/";
  /// "http://host:port" (IPv6 hosts in brackets), for messages.
  std::string origin() const;
};

/// Parses an http:// URL; https:// and other schemes are refused with a message saying so.
/// `what` names the URL in messages ("notify URL", "prometheus url").
util::Result<Url> parse_url(const std::string& url, const std::string& what);

struct Request {
  std::string method = "GET";  ///< GET or POST
  std::string target = "/";    ///< path and query, already encoded
  std::string content_type;    ///< empty: no Content-Type header
  std::string body;
};

struct Response {
  int status = 0;
  std::string body;
};

/// Sends one request and reads the answer, all within `timeout`; a body over `body_limit` bytes
/// is an error. Errors (name resolution, connection, timeout, a malformed answer) say what failed
/// but not which URL: callers name it.
util::Result<Response> send(const Url& url, const Request& request, std::chrono::milliseconds timeout,
                            std::size_t body_limit);

}  // namespace runbook::http
