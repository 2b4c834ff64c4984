#pragma once
// Walks the tokens of shell text and collects its simple commands, at every nesting level.

#include <string>
#include <string_view>
#include <vector>

#include "shell/words.h"

namespace runbook::shell {

/// Everything parse_script() found.
struct ParsedScript {
  std::vector<SimpleCommand> commands;  ///< in source order; outer commands before their `$( )`
  std::vector<std::string> loop_names;  ///< NAME of each `for NAME` / `select NAME`
};

/// Simple commands of `text`, including assignment-only ones (`X=$(date)`, which have no words).
/// Descends into `$( )`, backticks, `<( )` and unquoted heredoc bodies up to a fixed depth.
ParsedScript parse_script(std::string_view text);

}  // namespace runbook::shell
