#pragma once
// HMAC-SHA256 (RFC 2104) and a comparison that does not leak where two strings differ, for
// checking webhook signatures.

#include <string>
#include <string_view>

namespace runbook::util {

/// Lower-case hex HMAC-SHA256 of `message` under `key` (keys longer than 64 bytes are hashed
/// first, as RFC 2104 says).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

/// True when `a` and `b` hold the same bytes. The time taken depends only on the lengths, never
/// on where the contents differ, so a caller comparing a received signature with the expected one
/// does not tell an attacker how many leading characters were right. Different lengths return at
/// once: a signature's length is public anyway.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace runbook::util
