// strip_console_prompts (declared in splitter.h): console transcripts to plain scripts.
#include <optional>

#include "shell/splitter.h"

namespace runbook::shell {

namespace {

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

// `user@host` or `user@host:path` (path without blanks).
bool is_user_at_host(std::string_view s) {
  std::size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos) return false;
  std::size_t colon = s.find(':', at);
  std::string_view host = s.substr(at + 1, colon == std::string_view::npos ? std::string_view::npos : colon - at - 1);
  if (host.empty()) return false;
  for (char c : s.substr(0, at)) if (!is_host_char(c)) return false;
  for (char c : host) if (!is_host_char(c)) return false;
  return true;
}

// Length of the prompt at the start of `line`, if it has one. A bare `# ` is a comment or root
// output as often as a prompt, so `#` counts only after a recognisable user@host prefix.
std::optional<std::size_t> prompt_length(std::string_view line) {
  if (line == "$" || line.starts_with("$ ")) return line.size() < 2 ? line.size() : 2;
  std::size_t skip = 0;
  if (line.starts_with("(")) {  // (venv) user@host$
    std::size_t close = line.find(") ");
    if (close == std::string_view::npos) return std::nullopt;
    skip = close + 2;
  }
  std::string_view rest = line.substr(skip);
  if (rest.starts_with("$ ")) return skip + 2;
  if (rest.starts_with("[")) {  // [user@host dir]$
    std::size_t close = rest.find(']');
    if (close == std::string_view::npos || close + 2 >= rest.size() + 1) return std::nullopt;
    std::string_view after = rest.substr(close + 1);
    bool prompt = (after.starts_with("$ ") || after.starts_with("# ") || after == "$" || after == "#") &&
                  is_user_at_host(rest.substr(1, rest.find(' ') < close ? rest.find(' ') - 1 : close - 1));
    if (prompt) return skip + close + 1 + std::min<std::size_t>(2, after.size());
    return std::nullopt;
  }
  std::size_t space = rest.find(' ');
  std::string_view token = rest.substr(0, space);
  if (token.size() < 2) return std::nullopt;
  char sigil = token.back();
  std::string_view who = token.substr(0, token.size() - 1);
  bool prompt = (sigil == '$' || sigil == '#') && is_user_at_host(who);
  prompt = prompt || (sigil == '$' && (who.starts_with("~") || who.starts_with("/")));
  if (!prompt) return std::nullopt;
  return skip + token.size() + (space == std::string_view::npos ? 0 : 1);
}

std::string_view strip_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

std::string strip_console_prompts(std::string_view console_text) {
  std::string out;
  bool in_command = false;  // the previous line was part of a command
  bool backslash = false;   // ... and ended with a line continuation
  std::size_t start = 0;
  while (start <= console_text.size()) {
    std::size_t nl = console_text.find('\n', start);
    std::size_t end = nl == std::string_view::npos ? console_text.size() : nl;
    std::string_view line = strip_cr(console_text.substr(start, end - start));
    std::string_view kept;
    bool command = false;
    if (auto len = prompt_length(line)) {
      kept = line.substr(*len);
      command = true;
    } else if (in_command && (line.starts_with("> ") || line == ">")) {
      kept = line.substr(line.size() < 2 ? line.size() : 2);
      command = true;
    } else if (backslash) {
      kept = line;
      command = true;
    }
    out.append(kept);
    in_command = command;
    backslash = command && !kept.empty() && kept.back() == '\\';
    if (nl == std::string_view::npos) break;
    out += '\n';
    start = nl + 1;
  }
  return out;
}

}  // namespace runbook::shell
