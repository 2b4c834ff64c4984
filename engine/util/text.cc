#include "util/text.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <array>
#include <cctype>
#include <cstring>

namespace runbook::util {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

std::string slugify(std::string_view text, std::size_t max_len) {
  std::string out;
  bool dash = false;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) && u < 0x80) {
      if (dash && !out.empty()) out += '-';
      dash = false;
      out += lower(c);
      if (out.size() >= max_len) break;
    } else {
      dash = true;
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

void append_collapsed(std::string& out, std::string_view s) {
  // Every run of white space becomes one space. This runs over all the prose of a playbook, so
  // it goes sixteen bytes at a time where it can: a chunk with no white space but lone ' ' bytes
  // is copied as it is; any other chunk takes the byte loop.
  static constexpr auto kSpace = [] {
    std::array<bool, 256> t{};
    for (unsigned char c : {' ', '\t', '\n', '\r', '\f', '\v'}) t[c] = true;
    return t;
  }();
  s = trim(s);
  const std::size_t start = out.size();
  out.resize(start + s.size());
  char* w = out.data() + start;  // never ahead of the byte being read, so writes stay in bounds
  const char* p = s.data();
  const char* const end = p + s.size();
  bool in_space = false;
  auto bytes = [&](const char* stop) {
    for (; p < stop; ++p) {
      const char c = *p;
      const bool space = kSpace[static_cast<unsigned char>(c)];
      // Trimmed, so a run of space always ends before the text does: write one ' ' for the run.
      *w = space ? ' ' : c;
      w += !(space && in_space);
      in_space = space;
    }
  };
#if defined(__SSE2__)
  const __m128i blank = _mm_set1_epi8(' ');
  const __m128i nine = _mm_set1_epi8(9);
  const __m128i four = _mm_set1_epi8(4);  // '\t'..'\r' are 9..13
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i d = _mm_sub_epi8(v, nine);
    const unsigned other = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, four), d)));
    const unsigned spaces = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, blank)));
    if (other == 0 && (spaces & ((spaces << 1) | (in_space ? 1u : 0u))) == 0) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(w), v);
      w += 16, p += 16;
      in_space = (spaces >> 15) & 1u;
    } else {
      bytes(p + 16);
    }
  }
#endif
  bytes(end);
  out.resize(static_cast<std::size_t>(w - out.data()));
}

std::string collapse_space(std::string_view s) {
  std::string out;
  append_collapsed(out, s);
  return out;
}

}  // namespace runbook::util
