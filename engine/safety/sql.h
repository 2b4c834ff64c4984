#pragma once
// SQL statement classification: a small lexer that understands comments, string literals,
// dollar quoting and psql/sqlite meta commands, and rules keyed by statement keywords.

#include <string>
#include <string_view>
#include <vector>

#include "safety/classifier.h"
#include "safety/rules.h"

namespace runbook::safety {

/// One lexical token of SQL.
struct SqlToken {
  enum class Kind { Word, Number, Ident, String, Punct, Meta };
  Kind kind = Kind::Word;  ///< what it is
  std::string text;        ///< words upper-cased, quoted identifiers without quotes, meta lines as written
  std::size_t begin = 0;   ///< byte offsets in the source text
  std::size_t end = 0;
};

/// One statement (or one meta command) of a SQL text.
struct SqlStatement {
  std::vector<SqlToken> tokens;  ///< never empty
  std::string text;              ///< the source text, white space collapsed
};

/// Splits SQL into statements at top-level `;` and around meta commands (`\dt`, `.tables`);
/// comments and the contents of literals never split or appear as words.
std::vector<SqlStatement> split_sql(std::string_view sql);

/// Classifies SQL text: every statement, sub-statement (`WITH d AS (DELETE ...)`) and known
/// function call (`pg_terminate_backend(...)`) counts; the worst wins. Empty text is ReadOnly.
Verdict classify_sql_text(const SqlRules& rules, std::string_view sql);

}  // namespace runbook::safety
