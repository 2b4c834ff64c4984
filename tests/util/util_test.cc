#include <doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "process_support.h"
#include "util/sha256.h"
#include "util/source_file.h"
#include "util/text.h"

using runbook::util::sha256_hex;

TEST_CASE("sha256 matches the FIPS 180-4 examples and sha256sum") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // Lengths around the padding boundaries, checked against the system's sha256sum.
  auto path = std::filesystem::temp_directory_path() / "runbook-sha-test";
  for (std::size_t len : {55u, 56u, 63u, 64u, 65u, 119u, 120u, 1000u}) {
    std::string data(len, 'x');
    for (std::size_t i = 0; i < len; ++i) data[i] = static_cast<char>('a' + i % 26);
    std::ofstream(path, std::ios::binary) << data;
    auto r = runbook::testing::run_process({"sha256sum", path.string()});
    CHECK(r.out.substr(0, 64) == sha256_hex(data));
  }
  std::filesystem::remove(path);
}

TEST_CASE("source text checks: NUL, UTF-8, size, BOM and line endings") {
  using runbook::util::check_source_text;
  auto ok = check_source_text("a.md", "\xEF\xBB\xBF# T\r\nx\ry\n");
  REQUIRE(ok.ok());
  CHECK(ok->text == "# T\nx\ny\n");
  auto nul = check_source_text("a.md", std::string("ab\n\0", 4));
  REQUIRE_FALSE(nul.ok());
  CHECK(nul.error().line == 2);
  auto bad = check_source_text("a.md", "ok\n\xC3\x28");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().describe() == "a.md:2: invalid UTF-8 at byte 3");
  CHECK_FALSE(check_source_text("a.md", "\xED\xA0\x80").ok());  // a surrogate
  CHECK_FALSE(check_source_text("a.md", "\xC0\xAF").ok());      // overlong
  runbook::util::ReadLimits small;
  small.max_bytes = 4;
  CHECK_FALSE(check_source_text("a.md", "12345", small).ok());
}

TEST_CASE("text helpers") {
  CHECK(runbook::util::slugify("2. Initial Assessment (5 min)") == "2-initial-assessment-5-min");
  CHECK(runbook::util::collapse_space("  a \n\t b  ") == "a b");
  CHECK(runbook::util::split_lines("a\r\nb\n").size() == 2);
}
