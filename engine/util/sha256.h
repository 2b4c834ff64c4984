#pragma once
// SHA-256 digests, for source fingerprints and evidence hash chains.

#include <string>
#include <string_view>

namespace runbook::util {

/// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

/// The raw 32-byte SHA-256 digest of `data` (HMAC hashes digests, not their hex).
std::string sha256_bytes(std::string_view data);

}  // namespace runbook::util
