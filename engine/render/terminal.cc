#include "render/terminal.h"

#include <cstdlib>
#include <string>

#include <unistd.h>

namespace runbook::render {

namespace {

/// The value of an environment variable, or "" when unset.
std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

const char* code(Style style) {
  switch (style) {
    case Style::Bold: return "1";
    case Style::Dim: return "2";
    case Style::Red: return "1;31";
    case Style::Orange: return "33";
    case Style::Green: return "32";
    case Style::Cyan: return "36";
    case Style::Unresolved: return "1;33";
  }
  return "0";
}

}  // namespace

bool should_color(int fd) {
  if (!env("NO_COLOR").empty()) return false;
  const std::string force = env("CLICOLOR_FORCE");
  if (!force.empty() && force != "0") return true;
  if (env("TERM") == "dumb") return false;
  if (env("CLICOLOR") == "0") return false;
  return fd >= 0 && ::isatty(fd) == 1;
}

std::string styled(std::string_view text, Style style, bool color) {
  if (!color || text.empty()) return std::string(text);
  std::string out = "\x1b[";
  out += code(style);
  out += 'm';
  out += text;
  out += "\x1b[0m";
  return out;
}

}  // namespace runbook::render
