#include <doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "process_support.h"
#include "util/source_file.h"
#include "util/text.h"


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
  CHECK(runbook::util::collapse_space("") == "");
  CHECK(runbook::util::collapse_space(" \r\n\f\v ") == "");
  CHECK(runbook::util::collapse_space("caf\xC3\xA9\x01x\n\n\ny") == "caf\xC3\xA9\x01x y");  // only white space folds
  std::string appended = "head";
  runbook::util::append_collapsed(appended, "  one   two\tthree ");
  CHECK(appended == "headone two three");
  CHECK(runbook::util::split_lines("a\r\nb\n").size() == 2);
}

// A plain reference for collapse_space: trim, then every run of white space becomes one ' '.
std::string collapse_reference(const std::string& s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  std::string out;
  bool pending = false;
  for (char c : s) {
    if (space(c)) {
      pending = !out.empty();
      continue;
    }
    if (pending) out += ' ';
    pending = false;
    out += c;
  }
  return out;
}

TEST_CASE("collapse_space agrees with a byte-at-a-time reference on long and random text") {
  // The sixteen-byte fast path must give the same answer as the byte loop, at every alignment
  // and across chunk boundaries: runs of space that straddle two chunks, tabs, high bytes.
  std::mt19937 rng(20261204);
  static constexpr char kAlphabet[] = "ab  \t\n\r\v\f.Z\x80\xff\x08\x0e\x1f";
  const std::string alphabet(kAlphabet, sizeof kAlphabet);  // the terminating NUL is a letter too
  for (int round = 0; round < 3000; ++round) {
    std::string s;
    const std::size_t n = rng() % 90;
    const int bias = round % 3;  // 0: anything, 1: mostly words with lone spaces, 2: mostly space
    for (std::size_t i = 0; i < n; ++i) {
      if (bias == 1) s += (rng() % 6 == 0) ? ' ' : static_cast<char>('a' + rng() % 26);
      else if (bias == 2) s += (rng() % 4 == 0) ? 'x' : ' ';
      else s += alphabet[rng() % alphabet.size()];
    }
    INFO("input #", round, " of ", s.size(), " bytes");
    CHECK(runbook::util::collapse_space(s) == collapse_reference(s));
    std::string appended = "p";
    runbook::util::append_collapsed(appended, s);
    std::string expected = collapse_reference(s);
    expected.insert(expected.begin(), 'p');
    CHECK(appended == expected);
  }
  const std::string words = "one two three four five six seven eight nine ten eleven twelve  thirteen";
  CHECK(runbook::util::collapse_space(words) == collapse_reference(words));
  CHECK(runbook::util::collapse_space("0123456789abcde \n 0123456789abcdef") == "0123456789abcde 0123456789abcdef");
}
