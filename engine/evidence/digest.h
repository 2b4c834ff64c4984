#pragma once
// Incremental SHA-256 for output files that are too large to hold in memory. Uses the x86 SHA
// extensions when the CPU has them (several times faster than the portable code, which matters
// when a command prints gigabytes); the result is the same as util::sha256_hex either way.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace runbook::evidence {

class Sha256Stream {
 public:
  Sha256Stream();
  /// Feeds more bytes.
  void update(std::string_view data);
  /// Lower-case hex digest of everything fed so far. Ends the stream: call reset() to reuse it.
  std::string finish_hex();
  void reset();

  /// Whether the hardware path is in use (for tests and benchmarks).
  static bool hardware();
  /// Forces the portable path (tests compare both); returns the previous setting.
  static bool force_portable(bool on);

 private:
  void blocks(const unsigned char* data, std::size_t count);
  std::array<std::uint32_t, 8> state_;
  std::array<unsigned char, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace runbook::evidence
