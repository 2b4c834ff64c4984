#pragma once
// Command substitutions inside a word: the code that `$( )`, backticks and `<( )` would run.

#include <string>
#include <string_view>
#include <vector>

namespace runbook::shell {

/// The code of each outermost `$( )`, `` ` ` ``, `<( )` and `>( )` in a word as written (not
/// inside single quotes; arithmetic `$(( ))` is not code). With `heredoc_body`, quotes are
/// literal, as in an unquoted heredoc. Nested substitutions stay inside their parent's code.
std::vector<std::string> command_substitutions(std::string_view raw, bool heredoc_body = false);

}  // namespace runbook::shell
