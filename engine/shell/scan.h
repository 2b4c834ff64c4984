#pragma once
// Character-level scanning of shell text: where quotes and expansions end, names, line numbers.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace runbook::shell {

namespace detail {
// Character classes, one bit each, for the scanners' inner loops.
enum : unsigned char { kMeta = 1, kSpecial = 2 };
constexpr unsigned char char_class(unsigned char c) {
  switch (c) {
    case ' ': case '\t': case '\r': case '\n': case ';': case '&': case '|': case ')': case '<': case '>':
      return kMeta;
    case '(':
      return kMeta | kSpecial;
    case '\\': case '\'': case '"': case '$': case '`':
      return kSpecial;
    default:
      return 0;
  }
}
struct CharClasses {
  unsigned char of[256] = {};
  constexpr CharClasses() {
    for (int c = 0; c < 256; ++c) of[c] = char_class(static_cast<unsigned char>(c));
  }
};
inline constexpr CharClasses kCharClasses{};
}  // namespace detail

/// True for the characters that end an unquoted word: blanks, newline and `;&|()<>`.
inline bool is_metachar(char c) { return detail::kCharClasses.of[static_cast<unsigned char>(c)] & detail::kMeta; }

/// True for a character an unquoted word simply continues with: not a metacharacter and none of
/// the backslash, quotes, `$`, backtick or `(` that open something. Most bytes of a script are.
inline bool is_plain_word_char(char c) { return detail::kCharClasses.of[static_cast<unsigned char>(c)] == 0; }

/// True for a character that may start a shell variable name.
bool is_name_start(char c);

/// Length of the variable NAME starting at s[i]; 0 when s[i] cannot start a name.
std::size_t name_length(std::string_view s, std::size_t i);

/// True when the whole of `s` is a valid variable name.
bool is_name(std::string_view s);

/// True when s[i] opens a construct that construct_end() can skip: a quote, a backtick,
/// `$(`, `${`, `$'` or `$"`.
bool opens_construct(std::string_view s, std::size_t i);

/// Index one past the construct opened at s[i]: '...', "...", `...`, $'...', $"...", $(...),
/// $((...)), ${...}, or a bare (...) group. Nesting, quotes, comments and heredocs inside
/// command substitutions are honoured. Unterminated constructs end at s.size().
/// Iterative (no recursion), linear in the construct's length.
std::size_t construct_end(std::string_view s, std::size_t i);

/// A heredoc delimiter after quote removal, and whether any of it was quoted.
struct HeredocDelimiter {
  std::string word;    ///< the terminator line to look for
  bool quoted = false; ///< quoted delimiters turn off expansion in the body
};

/// Quote removal for a heredoc delimiter word such as `'EOF'`, `"END"` or `\EOF`.
HeredocDelimiter heredoc_delimiter(std::string_view raw);

/// Where a heredoc body ends.
struct HeredocBody {
  std::size_t body_end = 0; ///< offset where the terminator line starts (or s.size())
  std::size_t next = 0;     ///< offset just past the terminator line and its newline
  std::size_t term_end = 0; ///< offset just past the terminator text (before its newline)
};

/// Finds the terminator line of a heredoc whose body starts at s[begin]. With `strip_tabs`
/// (`<<-`) leading tabs are ignored. A missing terminator runs the body to the end.
HeredocBody find_heredoc_end(std::string_view s, std::size_t begin, std::string_view delimiter,
                             bool strip_tabs);

/// Maps byte offsets of a text to 0-based line numbers.
class LineIndex {
 public:
  /// Indexes the line starts of `text`.
  explicit LineIndex(std::string_view text);
  /// The 0-based line holding byte `offset` (offsets past the end map to the last line).
  int line_of(std::size_t offset) const;
  /// Byte offset where `line` starts.
  std::size_t line_start(int line) const;
  /// Number of lines (a trailing newline does not open a new line).
  int line_count() const;

 private:
  std::vector<std::size_t> starts_;
  std::size_t size_ = 0;
};

}  // namespace runbook::shell
