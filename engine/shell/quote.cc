#include "shell/quote.h"

namespace runbook::shell {

namespace {

bool is_safe(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '_': case '@': case '%': case '+': case '=': case ':': case ',': case '.': case '/': case '-':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string quote(std::string_view value) {
  if (value.empty()) return "''";
  bool bare = true;
  for (char c : value) bare = bare && is_safe(c);
  if (bare) return std::string(value);
  std::string out = "'";
  for (char c : value) {
    // A single quote cannot appear inside '...': close, emit an escaped quote, reopen.
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  out += '\'';
  return out;
}

}  // namespace runbook::shell
