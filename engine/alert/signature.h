#pragma once
// Webhook signatures: proof that a body came from the sender that holds the shared secret.

#include <string_view>

namespace runbook::alert {

/// True when the X-PagerDuty-Signature header (`v1=<hex>`, several comma-separated while a
/// secret is being rotated) holds HMAC-SHA256(secret, body) in hex. Other versions are skipped;
/// an empty secret never verifies, so a missing configuration fails closed.
bool pagerduty_signature_ok(std::string_view secret, std::string_view body, std::string_view header);

}  // namespace runbook::alert
