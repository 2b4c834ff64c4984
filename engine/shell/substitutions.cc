#include "shell/substitutions.h"

#include "shell/scan.h"

namespace runbook::shell {

namespace {

// Inside backticks, `\$`, `` \` `` and `\\` are escapes of the outer level.
std::string unescape_backticks(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '$' || s[i + 1] == '`' || s[i + 1] == '\\'))
      ++i;
    out += s[i];
  }
  return out;
}

std::string_view body(std::string_view raw, std::size_t from, std::size_t end, char close) {
  std::size_t to = (end > from && raw[end - 1] == close) ? end - 1 : end;
  return raw.substr(from, to > from ? to - from : 0);
}

bool is_arithmetic(std::string_view raw, std::size_t i) {
  return raw.substr(i, 3) == "$((";
}

}  // namespace

std::vector<std::string> command_substitutions(std::string_view raw, bool heredoc_body) {
  std::vector<std::string> out;
  // Every substitution opens with `$(`, `<(`, `>(` or a backtick.
  if (raw.find('(') == std::string_view::npos && raw.find('`') == std::string_view::npos) return out;
  bool in_double = false;
  std::size_t i = 0;
  while (i < raw.size()) {
    char c = raw[i];
    char n = i + 1 < raw.size() ? raw[i + 1] : '\0';
    if (c == '\\') {
      i += 2;
    } else if (c == '\'' && !in_double && !heredoc_body) {
      i = construct_end(raw, i);
    } else if (c == '"' && !heredoc_body) {
      in_double = !in_double;
      ++i;
    } else if (c == '$' && n == '\'' && !in_double && !heredoc_body) {
      i = construct_end(raw, i);
    } else if (c == '$' && n == '(' && !is_arithmetic(raw, i)) {
      std::size_t end = construct_end(raw, i);
      out.emplace_back(body(raw, i + 2, end, ')'));
      i = end;
    } else if (c == '`') {
      std::size_t end = construct_end(raw, i);
      out.push_back(unescape_backticks(body(raw, i + 1, end, '`')));
      i = end;
    } else if ((c == '<' || c == '>') && n == '(' && !in_double && !heredoc_body) {
      std::size_t end = construct_end(raw, i + 1);
      out.emplace_back(body(raw, i + 2, end, ')'));
      i = end;
    } else {
      // `${...}` and `$((...))` are transparent: a `$( )` inside them still runs.
      ++i;
    }
  }
  return out;
}

}  // namespace runbook::shell
