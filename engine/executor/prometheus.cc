// The Prometheus client: Boost.Beast over a plain TCP stream, with one deadline for the request.
#include "executor/prometheus.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace runbook::executor {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

namespace {

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string labels_text(const nlohmann::json& metric) {
  std::string name, labels;
  for (const auto& [k, v] : metric.items()) {
    if (k == "__name__") { name = v.get<std::string>(); continue; }
    if (!labels.empty()) labels += ", ";
    labels += k + "=\"" + (v.is_string() ? v.get<std::string>() : v.dump()) + "\"";
  }
  return name + "{" + labels + "}";
}

}  // namespace

std::string format_prometheus(const nlohmann::json& data) {
  std::string out;
  const std::string type = data.value("resultType", "");
  const auto& result = data.contains("result") ? data["result"] : nlohmann::json();
  if (type == "vector" && result.is_array()) {
    for (const auto& s : result)
      out += labels_text(s.value("metric", nlohmann::json::object())) + "  " +
             (s.contains("value") && s["value"].size() == 2 ? s["value"][1].get<std::string>() : "?") + "\n";
    out += "(" + std::to_string(result.size()) + (result.size() == 1 ? " series)\n" : " series)\n");
  } else if (type == "matrix" && result.is_array()) {
    for (const auto& s : result) {
      out += labels_text(s.value("metric", nlohmann::json::object())) + "\n";
      for (const auto& v : s.value("values", nlohmann::json::array()))
        if (v.size() == 2) out += "  @" + v[0].dump() + "  " + v[1].get<std::string>() + "\n";
    }
  } else if ((type == "scalar" || type == "string") && result.is_array() && result.size() == 2) {
    out += result[1].get<std::string>() + "\n";
  } else {
    out += data.dump() + "\n";
  }
  return out;
}

util::Result<PromResult> query_prometheus(const std::string& base_url, const std::string& query,
                                          std::chrono::milliseconds timeout) {
  const std::string scheme = "http://";
  if (base_url.rfind(scheme, 0) != 0)
    return util::Error{"prometheus url must start with http:// (got '" + base_url + "')", "", 0};
  std::string rest = base_url.substr(scheme.size());
  std::string prefix;
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    prefix = rest.substr(slash);
    rest.resize(slash);
  }
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::string host = rest, port = "80";
  if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> req{http::verb::get, prefix + "/api/v1/query?query=" + url_encode(query), 11};
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "runbook");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    http::read(stream, buffer, parser);
    beast::error_code ec;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    const auto& res = parser.get();
    nlohmann::json body = nlohmann::json::parse(res.body(), nullptr, false);
    if (body.is_discarded())
      return util::Error{"Prometheus answered HTTP " + std::to_string(res.result_int()) + " with a body that is not JSON", "", 0};
    if (body.value("status", "") != "success")
      return util::Error{"Prometheus: " + body.value("errorType", std::string("error")) + ": " +
                             body.value("error", std::string("HTTP ") + std::to_string(res.result_int())), "", 0};
    PromResult out;
    out.data = body["data"];
    out.table = format_prometheus(out.data);
    return out;
  } catch (const std::exception& e) {
    return util::Error{"Prometheus at " + base_url + ": " + e.what(), "", 0};
  }
}

}  // namespace runbook::executor
