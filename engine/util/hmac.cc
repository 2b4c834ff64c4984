// HMAC on top of our own SHA-256, so signature checks need no crypto library either.
#include "util/hmac.h"

#include "util/sha256.h"

namespace runbook::util {

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  constexpr std::size_t kBlock = 64;  // SHA-256's block size
  std::string k = key.size() > kBlock ? sha256_bytes(key) : std::string(key);
  k.resize(kBlock, '\0');
  std::string inner(kBlock, '\0'), outer(kBlock, '\0');
  for (std::size_t i = 0; i < kBlock; ++i) {
    inner[i] = static_cast<char>(k[i] ^ 0x36);
    outer[i] = static_cast<char>(k[i] ^ 0x5c);
  }
  inner.append(message);
  outer += sha256_bytes(inner);
  return sha256_hex(outer);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // OR every byte difference together; no branch depends on the contents. `volatile` keeps the
  // compiler from turning the loop into an early-exit memcmp.
  volatile unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff = diff | static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace runbook::util
