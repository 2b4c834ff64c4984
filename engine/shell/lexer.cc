#include "shell/lexer.h"

#include <algorithm>
#include <array>
#include <vector>

#include "shell/scan.h"

namespace runbook::shell {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// The first characters a redirection (fd digits first) or a control operator can have: most
// tokens are words, and need not be tried against either table.
bool starts_redirect(char c) { return c == '<' || c == '>' || c == '&' || is_digit(c); }
bool starts_op(char c) { return c == ';' || c == '&' || c == '|' || c == '(' || c == ')'; }

// `NAME=` or `NAME+=` (optionally `NAME[i]=`): a following `(` opens an array value.
bool is_array_assignment_prefix(std::string_view w) {
  if (w.empty() || w.back() != '=') return false;
  w.remove_suffix(1);
  if (!w.empty() && w.back() == '+') w.remove_suffix(1);
  if (!w.empty() && w.back() == ']') {
    std::size_t open = w.find('[');
    if (open == std::string_view::npos) return false;
    w = w.substr(0, open);
  }
  return is_name(w);
}

std::size_t word_end(std::string_view s, std::size_t i) {
  std::size_t start = i;
  if (i + 1 < s.size() && (s[i] == '<' || s[i] == '>') && s[i + 1] == '(')
    i = construct_end(s, i + 1);  // process substitution <( ) / >( )
  while (i < s.size()) {
    char c = s[i];
    if (is_plain_word_char(c)) {
      ++i;
    } else if (c == '\\') {
      i += 2;
    } else if (opens_construct(s, i)) {
      i = construct_end(s, i);
    } else if (c == '(' && is_array_assignment_prefix(s.substr(start, i - start))) {
      i = construct_end(s, i);
    } else if (is_metachar(c)) {
      break;
    } else {
      ++i;
    }
  }
  return std::min(i, s.size());
}

// Longest operator first, so `;;&` is not read as `;;` then `&`.
constexpr std::array<std::string_view, 11> kOperators = {";;&", ";;", ";&", ";", "&&", "&", "||",
                                                         "|&", "|", "(", ")"};
constexpr std::array<std::string_view, 12> kRedirects = {"&>>", "&>", "<<<", "<<-", "<<", "<>",
                                                         "<&", "<", ">>", ">&", ">|", ">"};

std::string_view match(std::string_view rest, const auto& table) {
  for (std::string_view op : table)
    if (rest.substr(0, op.size()) == op) return op;
  return {};
}

}  // namespace

class TokenStream::Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  // Tokens queue up only while a heredoc waits for its body (normally the rest of one line).
  bool next(Token& out) {
    if (head_ == tokens_.size()) {  // all handed out: reuse the storage
      tokens_.clear();
      head_ = 0;
    }
    while ((head_ == tokens_.size() || !pending_heredocs_.empty()) && i_ < s_.size()) step();
    if (head_ == tokens_.size()) return false;
    out = tokens_[head_++];
    pending_heredocs_.clear();  // only non-empty here at the end of the text
    return true;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
  std::vector<Token> tokens_;  // [head_, size): read, not yet handed out
  std::size_t head_ = 0;
  std::vector<std::size_t> pending_heredocs_;  // indexes into tokens_ waiting for their bodies
  std::size_t no_arithmetic_before_ = 0;

  void step() {
    char c = s_[i_];
    if (is_blank(c)) {
      ++i_;
    } else if (c == '\\' && i_ + 1 < s_.size() && s_[i_ + 1] == '\n') {
      i_ += 2;
    } else if (c == '\n') {
      newline();
    } else if (c == '#') {
      std::size_t eol = s_.find('\n', i_);
      i_ = eol == std::string_view::npos ? s_.size() : eol;
    } else if (!(starts_redirect(c) && redirect()) && !(c == '(' && arithmetic()) && !(starts_op(c) && op())) {
      std::size_t end = word_end(s_, i_);
      if (end == i_) end = i_ + 1;  // a lone metachar nothing else claimed; keep moving
      add(TokenKind::Word, i_, end);
    }
  }

  void add(TokenKind kind, std::size_t begin, std::size_t end) {
    Token t;
    t.kind = kind;
    t.text = s_.substr(begin, end - begin);
    t.begin = begin;
    t.end = end;
    tokens_.push_back(t);
    i_ = end;
  }

  void newline() {
    add(TokenKind::Newline, i_, i_ + 1);
    for (std::size_t index : pending_heredocs_) {
      Token& t = tokens_[index];
      HeredocBody b = find_heredoc_end(s_, i_, heredoc_delimiter(t.target).word, t.strip_tabs);
      t.heredoc_body = s_.substr(i_, b.body_end - i_);
      t.end = b.term_end;
      i_ = b.next;
    }
    pending_heredocs_.clear();
  }

  // `((` starts an arithmetic command only when it closes with `))`; `((a); b)` is subshells.
  // A failed attempt marks its whole span, so nested `((((` cannot make lexing quadratic.
  bool arithmetic() {
    if (s_.substr(i_, 2) != "((" || i_ < no_arithmetic_before_) return false;
    std::size_t end = construct_end(s_, i_);
    if (end < i_ + 4 || s_[end - 1] != ')' || s_[end - 2] != ')') {
      no_arithmetic_before_ = end;
      return false;
    }
    add(TokenKind::Word, i_, end);
    return true;
  }

  bool op() {
    std::string_view o = match(s_.substr(i_), kOperators);
    if (o.empty()) return false;
    add(TokenKind::Operator, i_, i_ + o.size());
    return true;
  }

  bool redirect() {
    std::size_t p = i_;
    while (p < s_.size() && is_digit(s_[p])) ++p;
    std::string_view o = match(s_.substr(p), kRedirects);
    if (o.empty()) return false;
    if (p == i_ && (o == "<" || o == ">") && p + 1 < s_.size() && s_[p + 1] == '(')
      return false;  // process substitution: a word
    std::size_t op_end = p + o.size();
    std::size_t t = op_end;
    while (t < s_.size() && (is_blank(s_[t]) || (s_[t] == '\\' && t + 1 < s_.size() && s_[t + 1] == '\n')))
      t += is_blank(s_[t]) ? 1 : 2;
    std::size_t target_end = (t < s_.size() && s_[t] != '\n') ? word_end(s_, t) : t;
    Token tok;
    tok.kind = TokenKind::Redirect;
    tok.text = s_.substr(i_, op_end - i_);
    tok.target = s_.substr(t, target_end - t);
    tok.begin = i_;
    tok.end = std::max(target_end, op_end);
    tok.heredoc = (o == "<<" || o == "<<-");
    tok.strip_tabs = (o == "<<-");
    if (tok.heredoc) {
      tok.heredoc_expands = !heredoc_delimiter(tok.target).quoted;
      pending_heredocs_.push_back(tokens_.size());
    }
    tokens_.push_back(tok);
    i_ = tok.end;
    return true;
  }
};

TokenStream::TokenStream(std::string_view text) : lexer_(std::make_unique<Lexer>(text)) {}

TokenStream::~TokenStream() = default;

bool TokenStream::next(Token& out) { return lexer_->next(out); }

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  TokenStream stream(text);
  Token t;
  while (stream.next(t)) tokens.push_back(t);
  return tokens;
}

}  // namespace runbook::shell
