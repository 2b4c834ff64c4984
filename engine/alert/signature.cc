#include "alert/signature.h"

#include "util/hmac.h"
#include "util/text.h"

namespace runbook::alert {

bool pagerduty_signature_ok(std::string_view secret, std::string_view body, std::string_view header) {
  if (secret.empty()) return false;
  const std::string expected = util::hmac_sha256_hex(secret, body);
  bool ok = false;
  // Every signature is compared (no early return) so timing does not say which one matched.
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view item = util::trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (!util::istarts_with(item, "v1=")) continue;
    // Hex digits may come in either case; ours are lower-case.
    ok = util::constant_time_equal(util::to_lower(item.substr(3)), expected) || ok;
  }
  return ok;
}

}  // namespace runbook::alert
