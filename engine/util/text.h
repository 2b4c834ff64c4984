#pragma once
// Small string helpers shared by every module. Depends on nothing else in the engine.

#include <string>
#include <string_view>
#include <vector>

namespace runbook::util {

/// Removes ASCII white space at both ends.
std::string_view trim(std::string_view s);
/// ASCII lower-case copy.
std::string to_lower(std::string_view s);
/// True when `s` starts with `prefix`, ignoring ASCII case.
bool istarts_with(std::string_view s, std::string_view prefix);
/// True when the two strings are equal ignoring ASCII case.
bool iequals(std::string_view a, std::string_view b);
/// Splits on '\n'; a trailing '\r' is removed from each line. "a\n" gives {"a"}.
std::vector<std::string_view> split_lines(std::string_view text);
/// A URL- and id-safe slug: lower-case ASCII letters, digits and '-', at most `max_len` chars.
std::string slugify(std::string_view text, std::size_t max_len = 48);
/// Joins with a separator.
std::string join(const std::vector<std::string>& parts, std::string_view sep);
/// Collapses runs of white space (including newlines) into single spaces and trims.
std::string collapse_space(std::string_view s);
/// collapse_space(s), appended to `out`.
void append_collapsed(std::string& out, std::string_view s);

}  // namespace runbook::util
