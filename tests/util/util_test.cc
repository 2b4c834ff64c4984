#include <doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

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
