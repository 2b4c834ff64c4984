#include "shell/words.h"

#include "shell/lexer.h"
#include "shell/parser.h"
#include "shell/unquote.h"

namespace runbook::shell {

std::vector<SimpleCommand> simple_commands(std::string_view command) {
  std::vector<SimpleCommand> all = parse_script(command).commands;
  std::vector<SimpleCommand> programs;
  // Assignment-only commands (`X=$(date)`) run no program of their own; their substitutions
  // were already listed as separate commands.
  for (SimpleCommand& c : all)
    if (!c.words.empty()) programs.push_back(std::move(c));
  return programs;
}

std::vector<Word> split_words(std::string_view text) {
  std::vector<Word> words;
  TokenStream tokens(text);
  Token t;
  while (tokens.next(t))
    if (t.kind == TokenKind::Word) words.push_back(make_word(t.text));
  return words;
}

}  // namespace runbook::shell
