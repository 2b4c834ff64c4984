#include "shell/unquote.h"

#include <algorithm>

#include "shell/scan.h"

namespace runbook::shell {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x110000) {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Reads up to `max` digits of `base` at s[i]; returns the count read.
std::size_t read_number(std::string_view s, std::size_t i, int base, std::size_t max, unsigned long& v) {
  std::size_t n = 0;
  v = 0;
  while (n < max && i + n < s.size()) {
    int d = hex_value(s[i + n]);
    if (d < 0 || d >= base) break;
    v = v * static_cast<unsigned long>(base) + static_cast<unsigned long>(d);
    ++n;
  }
  return n;
}

char simple_escape(char c) {
  switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'a': return '\a';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'v': return '\v';
    case 'e': case 'E': return '\x1b';
    default: return c;
  }
}

// Decodes the inside of $'...' (bash ANSI-C quoting).
std::string decode_ansi(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    unsigned long v = 0;
    if (c == 'x' || c == 'u' || c == 'U') {
      std::size_t max = c == 'x' ? 2 : (c == 'u' ? 4 : 8);
      std::size_t n = read_number(s, i + 1, 16, max, v);
      if (n == 0) {
        out += '\\';
        out += c;
        continue;
      }
      if (c == 'x') out += static_cast<char>(v);
      else append_utf8(out, v);
      i += n;
    } else if (c >= '0' && c <= '7') {
      std::size_t n = read_number(s, i, 8, 3, v);
      out += static_cast<char>(v & 0xFF);
      i += n - 1;
    } else if (c == 'c' && i + 1 < s.size()) {
      out += static_cast<char>(s[++i] & 0x1F);
    } else {
      out += simple_escape(c);
    }
  }
  return out;
}

// The inside of "..." (from after the opening quote to before the closing one).
void append_double_quoted(std::string& out, std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      char n = s[i + 1];
      if (n == '\n') {
        // line continuation: removed
      } else if (n == '$' || n == '`' || n == '"' || n == '\\') {
        out += n;
      } else {
        out += c;
        out += n;
      }
      i += 2;
    } else if (c == '`' || (c == '$' && i + 1 < s.size() && (s[i + 1] == '(' || s[i + 1] == '{'))) {
      std::size_t end = construct_end(s, i);
      out.append(s.substr(i, end - i));
      i = end;
    } else {
      out += c;
      ++i;
    }
  }
}

// Interior of a quoted construct [open_len, end - close) when it was terminated.
std::string_view interior(std::string_view raw, std::size_t begin, std::size_t end, std::size_t open_len,
                          char close) {
  std::size_t from = begin + open_len;
  std::size_t to = (end > from && raw[end - 1] == close) ? end - 1 : end;
  return raw.substr(from, to > from ? to - from : 0);
}

}  // namespace

Word make_word(std::string_view raw) {
  Word w;
  w.raw = std::string(raw);
  // Most words are plain (`kubectl`, `-n`, `prod`): nothing to unquote or keep whole.
  if (std::all_of(raw.begin(), raw.end(), is_plain_word_char)) {
    w.text = w.raw;
    return w;
  }
  std::size_t i = 0;
  while (i < raw.size()) {
    char c = raw[i];
    char n = i + 1 < raw.size() ? raw[i + 1] : '\0';
    if (c == '\\') {
      w.quoted = true;
      if (i + 1 >= raw.size()) w.text += c;  // a trailing lone backslash stays literal
      else if (n != '\n') w.text += n;
      i += 2;
    } else if (c == '\'' || c == '"' || (c == '$' && (n == '\'' || n == '"'))) {
      w.quoted = true;
      std::size_t open = c == '$' ? 2 : 1;
      std::size_t end = construct_end(raw, i);
      char close = c == '$' ? n : c;
      std::string_view inside = interior(raw, i, end, open, close);
      if (c == '\'') w.text.append(inside);
      else if (c == '$' && n == '\'') w.text += decode_ansi(inside);
      else append_double_quoted(w.text, inside);
      i = end;
    } else if (opens_construct(raw, i) || (c == '(' && i > 0)) {
      std::size_t end = construct_end(raw, i);
      w.text.append(raw.substr(i, end - i));
      i = end;
    } else {
      w.text += c;
      ++i;
    }
  }
  return w;
}

}  // namespace runbook::shell
