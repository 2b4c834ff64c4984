#include "server/listen_address.h"

#include <boost/asio/io_context.hpp>
#include <charconv>

namespace runbook::server {

namespace asio = boost::asio;

util::Result<ListenAddress> resolve_listen_address(const std::string& text) {
  std::string host, port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return util::Error{"bad listen address '" + text + "': expected [IPv6]:PORT", "", 0};
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) return util::Error{"bad listen address '" + text + "': expected HOST:PORT", "", 0};
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned number = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (host.empty() || ec != std::errc() || end != port.data() + port.size() || number > 65535)
    return util::Error{"bad listen address '" + text + "': expected HOST:PORT with a port from 0 to 65535", "", 0};
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    auto results = resolver.resolve(host, port, asio::ip::tcp::resolver::passive);
    if (results.empty()) return util::Error{"listen address '" + text + "' resolves to nothing", "", 0};
    ListenAddress out;
    out.endpoint = results.begin()->endpoint();
    out.loopback = true;
    for (const auto& r : results)
      if (!r.endpoint().address().is_loopback()) out.loopback = false;
    return out;
  } catch (const std::exception& e) {
    return util::Error{"cannot resolve listen address '" + text + "': " + e.what(), "", 0};
  }
}

}  // namespace runbook::server
