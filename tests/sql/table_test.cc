#include <doctest.h>

#include "sql/target.h"

using nlohmann::json;
using runbook::sql::format_table;

TEST_CASE("format_table: psql-like layout, numbers right-aligned, NULL empty") {
  std::vector<std::string> columns{"id", "name", "score"};
  std::vector<std::vector<json>> rows{
      {1, "alice", 2.5},
      {22, nullptr, nullptr},
      {3, "\xC3\xBC", 10},  // ü: one code point, two bytes
  };
  CHECK(format_table(columns, rows) ==
        " id | name  | score\n"
        "----+-------+-------\n"
        "  1 | alice |   2.5\n"
        " 22 |       |\n"
        "  3 | \xC3\xBC     |    10\n"
        "(3 rows)\n");
}

TEST_CASE("format_table: one row, no rows, no columns") {
  CHECK(format_table({"n"}, {{json(7)}}) == " n\n---\n 7\n(1 row)\n");
  CHECK(format_table({"a"}, {}) == " a\n---\n(0 rows)\n");
  CHECK(format_table({}, {}) == "(0 rows)\n");
  // A wide header centres; booleans print as true/false; a mixed column is left-aligned.
  CHECK(format_table({"flag", "mixed"}, {{true, 1}, {false, "x"}}) ==
        " flag  | mixed\n"
        "-------+-------\n"
        " true  | 1\n"
        " false | x\n"
        "(2 rows)\n");
}

TEST_CASE("format_table: long cells end in an ellipsis, control characters are escaped") {
  std::string long_text(100, 'x');
  std::string table = format_table({"t"}, {{long_text}, {"a\nb\tc"}});
  std::string cut = std::string(79, 'x') + "\xE2\x80\xA6";
  std::string header = std::string(40, ' ') + "t\n";  // centred over 80 columns
  CHECK(table == header + std::string(82, '-') + "\n " + cut + "\n a\\nb\\tc\n(2 rows)\n");
  // Exactly 80 code points fit without an ellipsis; multi-byte characters count once.
  std::string eighty;
  for (int i = 0; i < 80; ++i) eighty += "\xC3\xA9";
  CHECK(format_table({"t"}, {{eighty}}) == header + std::string(82, '-') + "\n " + eighty + "\n(1 row)\n");
}

TEST_CASE("format_table: the count line of a truncated result") {
  CHECK(format_table({"n"}, {{json(1)}, {json(2)}}, 40) == " n\n---\n 1\n 2\n(40 rows, first 2 shown)\n");
  CHECK(format_table({"n"}, {{json(1)}}, 1) == " n\n---\n 1\n(1 row)\n");
}

TEST_CASE("open_target: unknown driver and missing settings") {
  auto bad = runbook::sql::open_target({"x", "mysql", "", ""});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "target 'x': unknown driver 'mysql' (expected sqlite or postgres)");
  CHECK_FALSE(runbook::sql::open_target({"x", "sqlite", "", ""}).ok());
  CHECK_FALSE(runbook::sql::open_target({"x", "postgres", "", ""}).ok());
}
