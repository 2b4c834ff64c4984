#pragma once
// Shell quoting: how untrusted values become exactly one word.

#include <string>
#include <string_view>

namespace runbook::shell {

/// POSIX single-quote quoting: the result is always exactly one shell word whose value is `value`,
/// whatever it contains (quotes, `$( )`, backticks, `;`, newlines). Plain safe words are left bare.
std::string quote(std::string_view value);

}  // namespace runbook::shell
