// The Prometheus client: the instant-query API over http::send, one deadline for the request.
#include "executor/prometheus.h"

#include <cctype>

#include "http/client.h"

namespace runbook::executor {

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
  auto url = http::parse_url(base_url, "prometheus url");
  if (!url) return url.error();
  std::string prefix = url->target;  // Prometheus behind a path prefix: http://host/prometheus
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  http::Request request;
  request.target = prefix + "/api/v1/query?query=" + url_encode(query);
  auto answer = http::send(*url, request, timeout, 64u << 20);
  if (!answer) return util::Error{"Prometheus at " + base_url + ": " + answer.error().message, "", 0};
  nlohmann::json body = nlohmann::json::parse(answer->body, nullptr, false);
  if (body.is_discarded())
    return util::Error{"Prometheus answered HTTP " + std::to_string(answer->status) + " with a body that is not JSON", "", 0};
  if (body.value("status", "") != "success")
    return util::Error{"Prometheus: " + body.value("errorType", std::string("error")) + ": " +
                           body.value("error", std::string("HTTP ") + std::to_string(answer->status)), "", 0};
  PromResult out;
  out.data = body["data"];
  out.table = format_prometheus(out.data);
  return out;
}

}  // namespace runbook::executor
