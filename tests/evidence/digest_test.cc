#include <doctest.h>

#include <random>
#include <string>

#include "evidence/digest.h"
#include "util/sha256.h"

using runbook::evidence::Sha256Stream;

TEST_CASE("streamed SHA-256 equals the one-shot digest, fed in any pieces, on both code paths") {
  std::mt19937 rng(3);
  const bool hardware = Sha256Stream::hardware();
  for (bool portable : {false, true}) {
    if (!portable && !hardware) continue;  // no SHA extensions on this CPU: the portable path only
    const bool before = Sha256Stream::force_portable(portable);
    CAPTURE(portable);
    for (std::size_t len : {0u, 1u, 3u, 55u, 56u, 63u, 64u, 65u, 119u, 120u, 127u, 128u, 129u, 1000u, 4096u, 100003u}) {
      std::string data(len, '\0');
      for (auto& c : data) c = static_cast<char>(rng());
      Sha256Stream h;
      std::size_t at = 0;
      while (at < data.size()) {
        const std::size_t n = std::min<std::size_t>(rng() % 200, data.size() - at);
        h.update(std::string_view(data).substr(at, n));
        at += n;
      }
      CAPTURE(len);
      CHECK(h.finish_hex() == runbook::util::sha256_hex(data));
      h.update("abc");  // finish_hex resets the stream
      CHECK(h.finish_hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
    Sha256Stream::force_portable(before);
  }
}
