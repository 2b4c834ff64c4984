#pragma once
// Tokens of shell text: words, operators, redirections (with heredoc bodies) and newlines.

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace runbook::shell {

/// What a token is.
enum class TokenKind {
  Word,      ///< a word as written, quotes and expansions included
  Operator,  ///< ; ;; ;& ;;& & && | || |& ( )
  Redirect,  ///< a redirection operator with its target word
  Newline,   ///< an unquoted, unescaped newline
};

/// One token. All views point into the text given to tokenize().
struct Token {
  TokenKind kind = TokenKind::Word;
  std::string_view text;          ///< the word, the operator, or the redirection operator (with fd)
  std::string_view target;        ///< Redirect: its target word as written (heredoc: delimiter)
  std::size_t begin = 0;          ///< offset of the first character
  std::size_t end = 0;            ///< offset past the token; heredocs: past the terminator line
  bool heredoc = false;           ///< `<<` or `<<-`
  bool heredoc_expands = false;   ///< the delimiter was unquoted, so `$x` in the body expands
  bool strip_tabs = false;        ///< `<<-`
  std::string_view heredoc_body;  ///< body lines (with their newlines), without the terminator
};

/// Reads tokens one at a time, so large scripts are never held as a token array. Comments and
/// `\`-newline continuations are dropped; heredoc bodies are attached to their redirection
/// (which is released only once its body has been read) and skipped. Never fails; linear time.
class TokenStream {
 public:
  /// A stream over `text`, which must outlive it.
  explicit TokenStream(std::string_view text);
  ~TokenStream();
  TokenStream(const TokenStream&) = delete;
  TokenStream& operator=(const TokenStream&) = delete;
  /// Stores the next token in `out`; false at the end of the text.
  bool next(Token& out);

 private:
  class Lexer;
  std::unique_ptr<Lexer> lexer_;
};

/// All tokens of `text` (see TokenStream).
std::vector<Token> tokenize(std::string_view text);

}  // namespace runbook::shell
