#pragma once
// Quote removal: the value of a word as written, without performing any expansion.

#include <string>
#include <string_view>

#include "shell/words.h"

namespace runbook::shell {

/// The Word for `raw`: quotes and backslashes removed, `$'...'` escapes decoded, and
/// `$x`, `${...}`, `$( )` and backticks kept exactly as written.
Word make_word(std::string_view raw);

}  // namespace runbook::shell
