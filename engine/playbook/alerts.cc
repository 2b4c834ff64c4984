// Alert names stated in prose: `Alert: "ServiceDown" from Prometheus`, `Alerts: `A`, `B``.
#include "playbook/builder.h"
#include "playbook/metadata.h"
#include "util/text.h"

namespace runbook::playbook::detail {

namespace {

// Quoted ("x", “x”) or backticked names after the marker, up to the end of the sentence.
void quoted_names(std::string_view rest, std::vector<std::string>& out) {
  static const std::string_view kOpen[] = {"\"", "`", "\xE2\x80\x9C"};
  static const std::string_view kClose[] = {"\"", "`", "\xE2\x80\x9D"};
  std::size_t i = 0;
  while (i < rest.size()) {
    std::size_t best = std::string_view::npos;
    int which = -1;
    for (int k = 0; k < 3; ++k) {
      std::size_t p = rest.find(kOpen[k], i);
      if (p < best) best = p, which = k;
    }
    if (which < 0) return;
    std::size_t start = best + kOpen[which].size();
    std::size_t end = rest.find(kClose[which], start);
    if (end == std::string_view::npos) return;
    std::string_view name = util::trim(rest.substr(start, end - start));
    if (looks_like_alert_name(name)) out.emplace_back(name);
    i = end + kClose[which].size();
  }
}

}  // namespace

std::vector<std::string> alert_names_in(std::string_view text) {
  std::vector<std::string> out;
  // Every marker ends in a colon, which few prose lines have: look back from each.
  for (std::size_t colon = text.find(':'); colon != std::string_view::npos; colon = text.find(':', colon + 1)) {
    std::size_t pos = std::string_view::npos;  // where "alert" or "alerts" starts
    for (std::size_t len : {std::size_t{5}, std::size_t{6}})
      if (colon >= len && util::iequals(text.substr(colon - len, len), std::string_view("alerts").substr(0, len)))
        pos = colon - len;
    if (pos == std::string_view::npos) continue;
    if (pos > 0 && std::isalnum(static_cast<unsigned char>(text[pos - 1]))) continue;
    std::string_view rest = text.substr(colon + 1);
    rest = rest.substr(0, rest.find('\n'));
    std::size_t before = out.size();
    quoted_names(rest, out);
    if (out.size() == before) {
      // Unquoted: the first token, when it looks like an alert name (`Alert: KubePodCrashLooping`).
      std::string_view t = util::trim(rest);
      std::string_view token = t.substr(0, t.find_first_of(" ,;."));
      if (looks_like_alert_name(token)) out.emplace_back(token);
    }
  }
  return out;
}

}  // namespace runbook::playbook::detail
