#pragma once
// Where the server listens. The API starts playbooks, so by default it only listens on loopback;
// anything else must be asked for (--allow-remote).

#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "util/result.h"

namespace runbook::server {

/// "127.0.0.1:9095", "[::1]:9095", "localhost:9095" resolved to an endpoint; `loopback` says
/// whether every address the host resolves to is a loopback address.
struct ListenAddress {
  boost::asio::ip::tcp::endpoint endpoint;
  bool loopback = false;
};

util::Result<ListenAddress> resolve_listen_address(const std::string& text);

}  // namespace runbook::server
