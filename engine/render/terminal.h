#pragma once
// Terminal colour: whether to use it, and the few ANSI styles the text renderer needs.

#include <string>
#include <string_view>

namespace runbook::render {

/// Whether output to `fd` should be coloured: NO_COLOR (non-empty) turns colour off, then
/// CLICOLOR_FORCE (non-empty, not "0") turns it on, then TERM=dumb or CLICOLOR=0 turn it off,
/// otherwise colour when `fd` is a terminal.
bool should_color(int fd);

/// An ANSI style.
enum class Style { Bold, Dim, Red, Orange, Green, Cyan, Unresolved };

/// `text` wrapped in the style's escape sequences when `color`, else `text` unchanged.
std::string styled(std::string_view text, Style style, bool color);

}  // namespace runbook::render
