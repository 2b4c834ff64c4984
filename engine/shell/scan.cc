#include "shell/scan.h"

#include <algorithm>
#include <utility>

namespace runbook::shell {

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

std::size_t name_length(std::string_view s, std::size_t i) {
  if (i >= s.size() || !is_name_start(s[i])) return 0;
  std::size_t j = i + 1;
  while (j < s.size() && (is_name_start(s[j]) || (s[j] >= '0' && s[j] <= '9'))) ++j;
  return j - i;
}

bool is_name(std::string_view s) { return !s.empty() && name_length(s, 0) == s.size(); }

bool opens_construct(std::string_view s, std::size_t i) {
  if (i >= s.size()) return false;
  char c = s[i];
  if (c == '\'' || c == '"' || c == '`') return true;
  if (c != '$' || i + 1 >= s.size()) return false;
  char n = s[i + 1];
  return n == '(' || n == '{' || n == '\'' || n == '"';
}

namespace {

// Frame kinds of the scanning stack. Code is the inside of $( ), ( ) and backticks.
enum class Frame : char { Single, Ansi, Double, Backtick, Paren, Brace };

struct PendingHeredoc {
  std::string delimiter;
  bool strip_tabs = false;
};

struct Scanner {
  std::string_view s;
  std::size_t start;
  std::vector<Frame> stack;
  std::vector<PendingHeredoc> heredocs;

  bool at_word_start(std::size_t p) const {
    if (p == start) return true;
    char prev = s[p - 1];
    return prev == ' ' || prev == '\t' || prev == '\n' || prev == ';' || prev == '|' ||
           prev == '&' || prev == '(';
  }

  // Pushes the frame opened at p (if any) and returns where scanning continues.
  std::size_t open(std::size_t p) {
    char c = s[p];
    if (c == '\'') return push(Frame::Single, p + 1);
    if (c == '"') return push(Frame::Double, p + 1);
    if (c == '`') return push(Frame::Backtick, p + 1);
    if (c == '(') return push(Frame::Paren, p + 1);
    if (c == '$' && p + 1 < s.size()) {
      char n = s[p + 1];
      if (n == '(') return push(Frame::Paren, p + 2);
      if (n == '{') return push(Frame::Brace, p + 2);
      if (n == '\'') return push(Frame::Ansi, p + 2);
      if (n == '"') return push(Frame::Double, p + 2);
    }
    return p + 1;
  }

  std::size_t push(Frame f, std::size_t next) {
    stack.push_back(f);
    return next;
  }

  std::size_t pop(std::size_t next) {
    stack.pop_back();
    return next;
  }

  // Reads `<<[-]WORD` inside a command substitution so its body is skipped at the next newline;
  // otherwise an apostrophe in the body (`don't`) would open a runaway quote.
  std::size_t heredoc_operator(std::size_t p) {
    std::size_t q = p + 2;
    bool strip = q < s.size() && s[q] == '-';
    if (strip) ++q;
    while (q < s.size() && (s[q] == ' ' || s[q] == '\t')) ++q;
    std::size_t w = q;
    while (w < s.size() && !is_metachar(s[w])) {
      if (s[w] == '\'' || s[w] == '"') {
        std::size_t close = s.find(s[w], w + 1);
        w = close == std::string_view::npos ? s.size() : close + 1;
      } else {
        w += (s[w] == '\\') ? 2 : 1;
      }
    }
    w = std::min(w, s.size());
    // `$(( 1 << 2 ))` is a shift, not a heredoc: numeric "delimiters" are ignored.
    std::string_view word = s.substr(q, w - q);
    bool numeric = word.find_first_not_of("0123456789") == std::string_view::npos;
    if (!numeric) heredocs.push_back({heredoc_delimiter(word).word, strip});
    return w;
  }

  std::size_t newline_in_code(std::size_t p) {
    std::size_t next = p + 1;
    for (const auto& h : heredocs) next = find_heredoc_end(s, next, h.delimiter, h.strip_tabs).next;
    heredocs.clear();
    return next;
  }

  std::size_t step_code(std::size_t p) {
    char c = s[p];
    Frame top = stack.back();
    if (c == '\\') return p + 2;
    if (c == '`' && top == Frame::Backtick) return pop(p + 1);
    if (c == ')' && top == Frame::Paren) return pop(p + 1);
    if (c == '(' && top == Frame::Paren) return push(Frame::Paren, p + 1);
    if (c == '\n' && !heredocs.empty()) return newline_in_code(p);
    if (c == '#' && at_word_start(p)) {
      std::size_t eol = s.find('\n', p);
      return eol == std::string_view::npos ? s.size() : eol;
    }
    if (c == '<' && p + 2 < s.size() && s[p + 1] == '<') {
      if (s[p + 2] == '<') return p + 3;
      return heredoc_operator(p);
    }
    if (opens_construct(s, p)) return open(p);
    return p + 1;
  }

  std::size_t step_double(std::size_t p) {
    char c = s[p];
    if (c == '\\') return p + 2;
    if (c == '"') return pop(p + 1);
    if (c == '`' || (c == '$' && p + 1 < s.size() && (s[p + 1] == '(' || s[p + 1] == '{')))
      return open(p);
    return p + 1;
  }

  std::size_t step_brace(std::size_t p) {
    char c = s[p];
    if (c == '\\') return p + 2;
    if (c == '}') return pop(p + 1);
    // Inside "${x:-'a'}" the single quotes are literal; outside double quotes they quote.
    bool in_double = stack.size() >= 2 && stack[stack.size() - 2] == Frame::Double;
    if (c == '\'' && in_double) return p + 1;
    if (opens_construct(s, p)) return open(p);
    return p + 1;
  }

  std::size_t step(std::size_t p) {
    switch (stack.back()) {
      case Frame::Single:
        return s[p] == '\'' ? pop(p + 1) : p + 1;
      case Frame::Ansi:
        if (s[p] == '\\') return p + 2;
        return s[p] == '\'' ? pop(p + 1) : p + 1;
      case Frame::Double:
        return step_double(p);
      case Frame::Brace:
        return step_brace(p);
      case Frame::Backtick:
      case Frame::Paren:
        return step_code(p);
    }
    return p + 1;
  }
};

}  // namespace

std::size_t construct_end(std::string_view s, std::size_t i) {
  if (i >= s.size()) return s.size();
  Scanner sc{s, i, {}, {}};
  std::size_t p = sc.open(i);
  while (!sc.stack.empty() && p < s.size()) p = sc.step(p);
  return std::min(p, s.size());
}

HeredocDelimiter heredoc_delimiter(std::string_view raw) {
  HeredocDelimiter d;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\'' || c == '"') {
      d.quoted = true;
    } else if (c == '\\') {
      d.quoted = true;
      if (i + 1 < raw.size()) d.word += raw[++i];
    } else {
      d.word += c;
    }
  }
  return d;
}

HeredocBody find_heredoc_end(std::string_view s, std::size_t begin, std::string_view delimiter,
                             bool strip_tabs) {
  std::size_t p = std::min(begin, s.size());
  while (p < s.size()) {
    std::size_t eol = s.find('\n', p);
    std::size_t line_end = eol == std::string_view::npos ? s.size() : eol;
    std::string_view line = s.substr(p, line_end - p);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (strip_tabs) {
      while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
    }
    if (line == delimiter) {
      std::size_t next = eol == std::string_view::npos ? s.size() : eol + 1;
      return {p, next, line_end};
    }
    p = eol == std::string_view::npos ? s.size() : eol + 1;
  }
  return {s.size(), s.size(), s.size()};
}

LineIndex::LineIndex(std::string_view text) : size_(text.size()) {
  starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && i + 1 < text.size()) starts_.push_back(i + 1);
  }
}

int LineIndex::line_of(std::size_t offset) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  return static_cast<int>(it - starts_.begin()) - 1;
}

std::size_t LineIndex::line_start(int line) const {
  if (line < 0) return 0;
  if (line >= line_count()) return size_;
  return starts_[static_cast<std::size_t>(line)];
}

int LineIndex::line_count() const { return static_cast<int>(starts_.size()); }

}  // namespace runbook::shell
