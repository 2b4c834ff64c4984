#pragma once
// SHA-256 (FIPS 180-4), for source fingerprints, evidence hash chains and output digests. Uses
// the x86 SHA extensions when the CPU has them (several times faster than the portable code: a
// fingerprint is taken of every playbook loaded, and a command may print gigabytes); the result
// is the same either way. Written out here because OpenSSL's first-use set-up alone cost more
// than parsing a playbook.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace runbook::util {

/// Incremental SHA-256, for data that arrives in pieces or is too large to hold.
class Sha256Stream {
 public:
  Sha256Stream();
  /// Feeds more bytes.
  void update(std::string_view data);
  /// Lower-case hex digest of everything fed so far. Ends the stream: call reset() to reuse it.
  std::string finish_hex();
  /// The raw 32-byte digest; ends the stream like finish_hex().
  std::string finish_bytes();
  void reset();

  /// Whether the hardware path is in use (for tests and benchmarks).
  static bool hardware();
  /// Forces the portable path (tests compare both); returns the previous setting.
  static bool force_portable(bool on);

 private:
  void blocks(const unsigned char* data, std::size_t count);
  void finish();
  std::array<std::uint32_t, 8> state_;
  std::array<unsigned char, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_ = 0;
};

/// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

/// The raw 32-byte SHA-256 digest of `data` (HMAC hashes digests, not their hex).
std::string sha256_bytes(std::string_view data);

}  // namespace runbook::util
