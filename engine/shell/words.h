#pragma once
// Word-level view of one shell command, for the safety classifier and variable analysis.

#include <string>
#include <string_view>
#include <vector>

namespace runbook::shell {

/// One shell word after quote removal. No expansion is performed: `$X` stays `$X`.
struct Word {
  std::string text;         ///< the word with quotes removed
  std::string raw;          ///< the word as written
  bool quoted = false;      ///< any part was quoted
};

/// A simple command inside a pipeline or list: its words, in order. Redirections
/// (`> f`, `2>&1`, `<<EOF` and the heredoc body) are not words.
struct SimpleCommand {
  std::vector<Word> words;
  std::vector<std::string> assignments;  ///< leading NAME=value prefixes, as written
  std::string heredoc;                   ///< body of a heredoc fed to this command, if any
};

/// Splits one command (as returned by split_commands) into its simple commands, descending
/// into pipelines, `&&`/`||`, `;`, subshells, `{ }`, `$( )` substitutions and the bodies of
/// if/for/while/case, so that every program the text would run is listed once.
std::vector<SimpleCommand> simple_commands(std::string_view command);

/// Splits a single simple command's text into words (quote removal, no expansion).
std::vector<Word> split_words(std::string_view text);

}  // namespace runbook::shell
