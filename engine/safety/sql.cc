#include "safety/sql.h"

#include <algorithm>
#include <cctype>

#include "util/text.h"

namespace runbook::safety {

namespace {

bool is_word_start(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return std::isalpha(u) || c == '_' || u >= 0x80;
}
bool is_word_char(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || c == '$' || u >= 0x80;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  std::vector<SqlToken> run() {
    while (i_ < s_.size()) step();
    return std::move(out_);
  }

 private:
  void push(SqlToken::Kind kind, std::string text, std::size_t begin) {
    out_.push_back(SqlToken{kind, std::move(text), begin, i_});
    line_start_ = false;
  }

  bool at_statement_start() const {
    return out_.empty() || (out_.back().kind == SqlToken::Kind::Punct && out_.back().text == ";") ||
           out_.back().kind == SqlToken::Kind::Meta;
  }

  void skip_quoted(char quote, bool backslash_escapes) {
    ++i_;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (backslash_escapes && c == '\\' && i_ + 1 < s_.size()) {
        i_ += 2;
        continue;
      }
      if (c == quote) {
        if (i_ + 1 < s_.size() && s_[i_ + 1] == quote) {  // doubled quote is an escaped quote
          i_ += 2;
          continue;
        }
        ++i_;
        return;
      }
      ++i_;
    }
  }

  void meta_line(std::size_t begin) {
    std::size_t eol = s_.find('\n', i_);
    if (eol == std::string_view::npos) eol = s_.size();
    // `\\` separates two meta commands on one line; keep it simple: the rest of the line is one.
    i_ = eol;
    out_.push_back(SqlToken{SqlToken::Kind::Meta, std::string(util::trim(s_.substr(begin, eol - begin))), begin, eol});
    line_start_ = true;
  }

  void step() {
    char c = s_[i_];
    std::size_t begin = i_;
    if (c == '\n') {
      line_start_ = true;
      ++i_;
      return;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i_;
      return;
    }
    if (c == '-' && i_ + 1 < s_.size() && s_[i_ + 1] == '-') {
      std::size_t eol = s_.find('\n', i_);
      i_ = eol == std::string_view::npos ? s_.size() : eol;
      return;
    }
    if (c == '/' && i_ + 1 < s_.size() && s_[i_ + 1] == '*') {
      int depth = 0;
      while (i_ < s_.size()) {
        if (s_.compare(i_, 2, "/*") == 0) {
          ++depth;
          i_ += 2;
        } else if (s_.compare(i_, 2, "*/") == 0) {
          i_ += 2;
          if (--depth == 0) break;
        } else {
          ++i_;
        }
      }
      return;
    }
    if (c == '\\') {  // psql meta command: to the end of the line
      meta_line(begin);
      return;
    }
    if (c == '.' && line_start_ && at_statement_start() && i_ + 1 < s_.size() &&
        std::isalpha(static_cast<unsigned char>(s_[i_ + 1]))) {  // sqlite dot command
      meta_line(begin);
      return;
    }
    if (c == '\'') {
      skip_quoted('\'', false);
      push(SqlToken::Kind::String, "", begin);
      return;
    }
    if (c == '"' || c == '`') {
      skip_quoted(c, false);
      std::string_view inner = s_.substr(begin + 1, i_ > begin + 1 ? i_ - begin - 2 : 0);
      push(SqlToken::Kind::Ident, std::string(inner), begin);
      return;
    }
    if (c == '$') {
      // $tag$ ... $tag$ dollar quoting; $1 is a parameter.
      std::size_t j = i_ + 1;
      while (j < s_.size() && (is_word_start(s_[j]) || (j > i_ + 1 && std::isdigit(static_cast<unsigned char>(s_[j])))))
        ++j;
      if (j < s_.size() && s_[j] == '$') {
        std::string_view tag = s_.substr(i_, j - i_ + 1);
        std::size_t close = s_.find(tag, j + 1);
        i_ = close == std::string_view::npos ? s_.size() : close + tag.size();
        push(SqlToken::Kind::String, "", begin);
        return;
      }
      ++i_;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      push(SqlToken::Kind::Number, std::string(s_.substr(begin, i_ - begin)), begin);
      return;
    }
    if (is_word_start(c)) {
      while (i_ < s_.size() && is_word_char(s_[i_])) ++i_;
      std::string word = upper(s_.substr(begin, i_ - begin));
      if (i_ < s_.size() && s_[i_] == '\'' && (word == "E" || word == "B" || word == "X" || word == "N")) {
        skip_quoted('\'', word == "E");
        push(SqlToken::Kind::String, "", begin);
        return;
      }
      push(SqlToken::Kind::Word, std::move(word), begin);
      return;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.')) ++i_;
      push(SqlToken::Kind::Number, std::string(s_.substr(begin, i_ - begin)), begin);
      return;
    }
    ++i_;
    push(SqlToken::Kind::Punct, std::string(1, c), begin);
  }

  std::string_view s_;
  std::size_t i_ = 0;
  bool line_start_ = true;
  std::vector<SqlToken> out_;
};

bool is_punct(const SqlToken& t, char c) { return t.kind == SqlToken::Kind::Punct && t.text.size() == 1 && t.text[0] == c; }
bool is_word(const SqlToken& t, std::string_view w) { return t.kind == SqlToken::Kind::Word && t.text == w; }

std::string subject_text(std::string_view s) {
  std::string out = util::collapse_space(s);
  if (out.size() > 200) out = out.substr(0, 197) + "...";
  return out;
}

using Tokens = std::vector<SqlToken>;

// Index of the `)` matching the `(` at `open`, or `end` when unbalanced.
std::size_t matching_paren(const Tokens& t, std::size_t open, std::size_t end) {
  int depth = 0;
  for (std::size_t i = open; i < end; ++i) {
    if (is_punct(t[i], '(')) ++depth;
    else if (is_punct(t[i], ')') && --depth == 0) return i;
  }
  return end;
}

bool starts_substatement(const SqlToken& t) {
  static const char* const kStarts[] = {"SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "WITH", "VALUES", "TABLE"};
  if (t.kind != SqlToken::Kind::Word) return false;
  for (const char* s : kStarts)
    if (t.text == s) return true;
  return false;
}

class StatementClassifier {
 public:
  StatementClassifier(const SqlRules& rules, const Tokens& tokens, std::string subject)
      : rules_(rules), t_(tokens), subject_(std::move(subject)) {}

  Verdict classify(std::size_t b, std::size_t e, int depth) const {
    if (b >= e) return make_readonly();
    if (depth > 16) return from_rule(rules_.unknown);
    const SqlToken& first = t_[b];
    if (first.kind == SqlToken::Kind::Meta) return meta(first);
    if (is_punct(first, '(')) {  // (SELECT ...) UNION (...)
      std::size_t close = matching_paren(t_, b, e);
      return worse(classify(b + 1, close, depth + 1), classify(std::min(close + 1, e), e, depth + 1));
    }

    if (is_word(first, "EXPLAIN") || is_word(first, "DESCRIBE") || is_word(first, "DESC")) {
      Verdict v = keyed(b, e);
      std::size_t i = b + 1;
      bool analyze = false;
      if (i < e && is_punct(t_[i], '(')) {
        std::size_t close = matching_paren(t_, i, e);
        for (std::size_t k = i + 1; k < close; ++k) {
          if (is_word(t_[k], "ANALYZE") || is_word(t_[k], "ANALYSE")) {
            bool off = k + 1 < close && (is_word(t_[k + 1], "FALSE") || is_word(t_[k + 1], "OFF") ||
                                         (t_[k + 1].kind == SqlToken::Kind::Number && t_[k + 1].text == "0"));
            analyze = !off;
          }
        }
        i = close + 1;
      } else {
        while (i < e && t_[i].kind == SqlToken::Kind::Word &&
               (t_[i].text == "ANALYZE" || t_[i].text == "ANALYSE" || t_[i].text == "VERBOSE" ||
                t_[i].text == "EXTENDED" || t_[i].text == "PARTITIONS")) {
          analyze = analyze || t_[i].text == "ANALYZE" || t_[i].text == "ANALYSE";
          ++i;
        }
      }
      // Plain EXPLAIN only plans; EXPLAIN ANALYZE runs the statement, so it is judged by it.
      return analyze ? worse(v, classify(i, e, depth + 1)) : v;
    }

    Verdict v = keyed(b, e);
    if (is_word(first, "WITH")) {
      // The main statement follows the CTE list at depth 0.
      int d = 0;
      for (std::size_t i = b + 1; i < e; ++i) {
        if (is_punct(t_[i], '(')) ++d;
        else if (is_punct(t_[i], ')')) --d;
        else if (d == 0 && starts_substatement(t_[i]) && !is_word(t_[i], "WITH")) {
          v = classify(i, e, depth + 1);
          break;
        }
      }
    }

    // Sub-statements in parentheses (CTE bodies, subqueries) and known function calls.
    for (std::size_t i = b; i < e; ++i) {
      if (is_punct(t_[i], '(') && i + 1 < e && starts_substatement(t_[i + 1])) {
        std::size_t close = matching_paren(t_, i, e);
        v = worse(v, classify(i + 1, close, depth + 1));
        i = close;
        continue;
      }
      if ((t_[i].kind == SqlToken::Kind::Word || t_[i].kind == SqlToken::Kind::Ident) && i + 1 < e &&
          is_punct(t_[i + 1], '(')) {
        std::string name = t_[i].text;
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (const auto& [fn, rule] : rules_.functions)
          if (fn == name) v = worse(v, from_rule(rule));
      }
    }
    return v;
  }

 private:
  Verdict from_rule(const Rule& r) const { return Verdict{r.level, r.id, r.reason, subject_}; }
  Verdict make_readonly() const { return Verdict{Level::ReadOnly, "sql.empty", "no SQL statement", subject_}; }

  const Rule* lookup(std::string_view key) const {
    for (const auto& [k, r] : rules_.statements)
      if (k == key) return &r;
    return nullptr;
  }

  // The rule of the longest statement key matching the leading words, refined for COPY,
  // SELECT ... INTO and PRAGMA x = y.
  Verdict keyed(std::size_t b, std::size_t e) const {
    std::vector<std::string> words;
    for (std::size_t i = b; i < e && words.size() < 6 && t_[i].kind == SqlToken::Kind::Word; ++i)
      words.push_back(t_[i].text);
    const Rule* best = nullptr;
    std::size_t best_len = 0;
    for (const auto& [key, rule] : rules_.statements) {
      // The key's words against the leading words, one by one (no copies: this runs for every
      // statement key on every statement).
      std::size_t n = 0, start = 0;
      bool match = true;
      for (;;) {
        const std::size_t sp = key.find(' ', start);
        const std::string_view word = std::string_view(key).substr(start, sp == std::string::npos ? std::string::npos : sp - start);
        if (n >= words.size() || word != words[n]) {
          match = false;
          break;
        }
        ++n;
        if (sp == std::string::npos) break;
        start = sp + 1;
      }
      if (match && n > best_len) {
        best = &rule;
        best_len = n;
      }
    }
    if (words.empty()) return from_rule(rules_.unknown);
    const std::string& head = words[0];
    auto depth0_word = [&](std::string_view w) -> std::size_t {
      int d = 0;
      for (std::size_t i = b; i < e; ++i) {
        if (is_punct(t_[i], '(')) ++d;
        else if (is_punct(t_[i], ')')) --d;
        else if (d == 0 && is_word(t_[i], w)) return i;
      }
      return e;
    };
    const Rule* refined = nullptr;
    if (head == "COPY") {
      std::size_t from = depth0_word("FROM"), to = depth0_word("TO");
      if (from < to) refined = lookup("COPY FROM");
      else if (to < e) {
        bool stdout_target = to + 1 < e && is_word(t_[to + 1], "STDOUT");
        refined = lookup(stdout_target ? "COPY TO STDOUT" : "COPY TO");
      }
    } else if (head == "SELECT" && depth0_word("INTO") < e) {
      refined = lookup("SELECT INTO");
    } else if (head == "PRAGMA") {
      for (std::size_t i = b; i < e; ++i)
        if (is_punct(t_[i], '=')) refined = lookup("PRAGMA SET");
    }
    if (refined) return from_rule(*refined);
    return best ? from_rule(*best) : from_rule(rules_.unknown);
  }

  Verdict meta(const SqlToken& t) const {
    const Rule* best = nullptr;
    std::size_t best_len = 0;
    for (const auto& [pattern, rule] : rules_.meta_commands) {
      if (pattern.size() >= best_len && glob_match(pattern, t.text, true)) {
        best = &rule;
        best_len = pattern.size();
      }
    }
    Verdict v = best ? from_rule(*best) : from_rule(rules_.unknown);
    v.subject = subject_text(t.text);
    return v;
  }

  const SqlRules& rules_;
  const Tokens& t_;
  std::string subject_;
};

}  // namespace

std::vector<SqlStatement> split_sql(std::string_view sql) {
  std::vector<SqlToken> tokens = Lexer(sql).run();
  std::vector<SqlStatement> out;
  SqlStatement cur;
  auto flush = [&] {
    if (!cur.tokens.empty()) {
      std::size_t b = cur.tokens.front().begin, e = cur.tokens.back().end;
      cur.text = subject_text(sql.substr(b, e - b));
      out.push_back(std::move(cur));
    }
    cur = SqlStatement{};
  };
  for (auto& t : tokens) {
    if (is_punct(t, ';')) {
      flush();
    } else if (t.kind == SqlToken::Kind::Meta) {
      flush();
      cur.tokens.push_back(std::move(t));
      flush();
    } else {
      cur.tokens.push_back(std::move(t));
    }
  }
  flush();
  return out;
}

Verdict classify_sql_text(const SqlRules& rules, std::string_view sql) {
  std::vector<SqlStatement> statements = split_sql(sql);
  if (statements.empty()) return Verdict{Level::ReadOnly, "sql.empty", "no SQL statement to run", ""};
  Verdict result;
  bool first = true;
  for (const auto& st : statements) {
    StatementClassifier c(rules, st.tokens, st.text);
    Verdict v = c.classify(0, st.tokens.size(), 0);
    result = first ? v : worse(result, v);
    first = false;
  }
  return result;
}

}  // namespace runbook::safety
