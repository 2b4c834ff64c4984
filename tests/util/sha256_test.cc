#include <doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <unistd.h>

#include "process_support.h"
#include "util/sha256.h"

using runbook::util::sha256_bytes;
using runbook::util::sha256_hex;
using runbook::util::Sha256Stream;

namespace {

// Runs `body` once on each code path this CPU has: the SHA extensions (when present) and the
// portable block function.
template <typename Body>
void on_each_path(Body body) {
  for (bool portable : {false, true}) {
    if (!portable && !Sha256Stream::hardware()) continue;  // no SHA extensions here
    const bool before = Sha256Stream::force_portable(portable);
    CAPTURE(portable);
    body();
    Sha256Stream::force_portable(before);
  }
}

}  // namespace

TEST_CASE("sha256 matches the FIPS 180-4 examples and sha256sum, on both code paths") {
  auto path = std::filesystem::temp_directory_path() / ("runbook-sha-test-" + std::to_string(::getpid()));
  on_each_path([&] {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sha256_hex(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    CHECK(sha256_bytes("abc") == std::string("\xba\x78\x16\xbf\x8f\x01\xcf\xea\x41\x41\x40\xde\x5d\xae\x22\x23"
                                             "\xb0\x03\x61\xa3\x96\x17\x7a\x9c\xb4\x10\xff\x61\xf2\x00\x15\xad",
                                             32));
    // Lengths around the padding boundaries, checked against the system's sha256sum.
    for (std::size_t len : {55u, 56u, 63u, 64u, 65u, 119u, 120u, 1000u}) {
      std::string data(len, 'x');
      for (std::size_t i = 0; i < len; ++i) data[i] = static_cast<char>('a' + i % 26);
      std::ofstream(path, std::ios::binary) << data;
      auto r = runbook::testing::run_process({"sha256sum", path.string()});
      CAPTURE(len);
      CHECK(r.out.substr(0, 64) == sha256_hex(data));
    }
  });
  std::filesystem::remove(path);
}

TEST_CASE("streamed SHA-256 equals the one-shot digest, fed in any pieces, and both paths agree") {
  std::mt19937 rng(3);
  for (std::size_t len : {0u, 1u, 3u, 55u, 56u, 63u, 64u, 65u, 119u, 120u, 127u, 128u, 129u, 1000u, 4096u, 100003u}) {
    std::string data(len, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    CAPTURE(len);
    const bool before = Sha256Stream::force_portable(true);
    const std::string portable = sha256_hex(data);
    Sha256Stream::force_portable(before);
    on_each_path([&] {
      CHECK(sha256_hex(data) == portable);
      Sha256Stream h;
      std::size_t at = 0;
      while (at < data.size()) {
        const std::size_t n = std::min<std::size_t>(rng() % 200, data.size() - at);
        h.update(std::string_view(data).substr(at, n));
        at += n;
      }
      CHECK(h.finish_hex() == portable);
      h.update("abc");  // finish_hex resets the stream
      CHECK(h.finish_hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    });
  }
}
