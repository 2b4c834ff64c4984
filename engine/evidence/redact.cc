// Redaction: a one-pass scan for the literals of the built-in patterns (a byte table picks
// "anchor" bytes, each anchor is checked against the few literals that contain it), hand-written
// matchers for the patterns on the lines where a literal was found, and plain substring search for
// added secrets. std::regex only runs for patterns from the config.
#include "evidence/redact.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define RUNBOOK_REDACT_X86 1
#endif

namespace runbook::evidence {

namespace {

constexpr std::size_t npos = std::string_view::npos;

enum class Kind { Key, Auth, Url, Aws, GitHub, Slack, Jwt };

struct Trigger {
  std::string_view literal;  // lower case; matched ASCII case-insensitively
  Kind kind;
  std::size_t anchor;        // offset of the two bytes the scan looks for (a rare pair)
  bool exact_anchor;         // the pair must match in case too (token shapes: "KI" of AKIA, "yJ" of eyJ)
};

// "passw" covers both spellings; "api?key" three. The anchor pair is an uncommon pair of the
// literal, so that the scan stops rarely in ordinary output.
constexpr Trigger kTriggers[] = {
    {"passw", Kind::Key, 3, false},        {"token", Kind::Key, 1, false},    {"secret", Kind::Key, 2, false},
    {"api_key", Kind::Key, 2, false},      {"api-key", Kind::Key, 2, false},  {"apikey", Kind::Key, 2, false},
    {"uthorization", Kind::Auth, 6, false}, {"://", Kind::Url, 0, false},     {"akia", Kind::Aws, 1, true},
    {"ghp_", Kind::GitHub, 0, true},       {"gho_", Kind::GitHub, 0, true},   {"ghu_", Kind::GitHub, 0, true},
    {"ghs_", Kind::GitHub, 0, true},       {"ghr_", Kind::GitHub, 0, true},   {"github_pat_", Kind::GitHub, 5, true},
    {"xox", Kind::Slack, 0, true},         {"eyj", Kind::Jwt, 1, true},
};
constexpr std::size_t kTriggerCount = sizeof(kTriggers) / sizeof(kTriggers[0]);

constexpr unsigned char upper(unsigned char c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }

struct AnchorTable {
  std::array<std::uint8_t, 65536 / 8> pairs{};  // bit set of the byte pairs that start a check
  std::array<unsigned char, 256> lower{};
  // The exact-case pair of each trigger (the literal is stored in lower case).
  std::array<std::array<unsigned char, 2>, kTriggerCount> exact{};

  AnchorTable() {
    for (int c = 0; c < 256; ++c) lower[c] = static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    static constexpr std::string_view kExactPairs[kTriggerCount] = {"", "", "", "", "", "", "", "", "KI",
                                                                    "gh", "gh", "gh", "gh", "gh", "b_", "xo", "yJ"};
    for (std::size_t t = 0; t < kTriggerCount; ++t) {
      const Trigger& trig = kTriggers[t];
      const auto a = static_cast<unsigned char>(trig.literal[trig.anchor]);
      const auto b = static_cast<unsigned char>(trig.literal[trig.anchor + 1]);
      if (trig.exact_anchor) {
        exact[t] = {static_cast<unsigned char>(kExactPairs[t][0]), static_cast<unsigned char>(kExactPairs[t][1])};
        set(exact[t][0], exact[t][1]);
      } else {
        for (unsigned char x : {a, upper(a)})
          for (unsigned char y : {b, upper(b)}) set(x, y);
      }
    }
  }
  void set(unsigned char a, unsigned char b) {
    const unsigned idx = (unsigned{a} << 8) | b;
    pairs[idx >> 3] |= static_cast<std::uint8_t>(1u << (idx & 7));
  }
  bool has(unsigned char a, unsigned char b) const {
    const unsigned idx = (unsigned{a} << 8) | b;
    return pairs[idx >> 3] & (1u << (idx & 7));
  }
};

const AnchorTable& table() {
  static const AnchorTable t;
  return t;
}

/// Whether the literal starts at `start` in text.
bool literal_at(const AnchorTable& tab, std::string_view text, std::size_t start, std::string_view lit) {
  if (start + lit.size() > text.size()) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data()) + start;
  for (std::size_t i = 0; i < lit.size(); ++i)
    if (tab.lower[p[i]] != static_cast<unsigned char>(lit[i])) return false;
  return true;
}

/// Checks the pair at `i` against every trigger: calls f(trigger, start) for each literal found
/// (starting at or after `from`); returns false when f asked to stop.
template <typename F>
bool check_pair(const AnchorTable& tab, std::string_view text, std::size_t from, std::size_t i, F& f) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  if (!tab.has(p[i], p[i + 1])) return true;  // a nibble look-alike of an anchor pair
  for (std::size_t t = 0; t < kTriggerCount; ++t) {
    const Trigger& trig = kTriggers[t];
    if (i < from + trig.anchor) continue;
    if (trig.exact_anchor ? (p[i] != tab.exact[t][0] || p[i + 1] != tab.exact[t][1])
                          : (tab.lower[p[i]] != static_cast<unsigned char>(trig.literal[trig.anchor]) ||
                             tab.lower[p[i + 1]] != static_cast<unsigned char>(trig.literal[trig.anchor + 1])))
      continue;
    const std::size_t start = i - trig.anchor;
    if (literal_at(tab, text, start, trig.literal) && !f(t, start)) return false;
  }
  return true;
}

#ifdef RUNBOOK_REDACT_X86
// The vector scan, in the manner of Hyperscan's "Teddy": each byte is classified by two table
// look-ups (low and high nibble) into eight buckets of anchor pairs, once as the first byte of a
// pair and once as the second; a position is a candidate when both agree on a bucket. The
// buckets group pairs so that the nibble cross-products admit few ordinary pairs.
struct NibbleTables {
  alignas(16) std::uint8_t lo1[16] = {}, hi1[16] = {}, lo2[16] = {}, hi2[16] = {};
  NibbleTables() {
    // Bucket of each trigger (see kTriggers): sw, ok+yJ, cr, ik+KI, i_/i-/b_, gh, za+:/, xo.
    static constexpr int kBucket[kTriggerCount] = {0, 1, 2, 4, 4, 3, 6, 6, 3, 5, 5, 5, 5, 5, 4, 7, 1};
    const AnchorTable& tab = table();
    for (std::size_t t = 0; t < kTriggerCount; ++t) {
      const Trigger& trig = kTriggers[t];
      const auto bit = static_cast<std::uint8_t>(1u << kBucket[t]);
      auto add = [&](unsigned char a, unsigned char b) {
        lo1[a & 15] |= bit, hi1[a >> 4] |= bit, lo2[b & 15] |= bit, hi2[b >> 4] |= bit;
      };
      if (trig.exact_anchor) {
        add(tab.exact[t][0], tab.exact[t][1]);
      } else {
        const auto a = static_cast<unsigned char>(trig.literal[trig.anchor]);
        const auto b = static_cast<unsigned char>(trig.literal[trig.anchor + 1]);
        for (unsigned char x : {a, upper(a)})
          for (unsigned char y : {b, upper(b)}) add(x, y);
      }
    }
  }
};

bool cpu_has_ssse3() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  return __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 9));
}

/// Scans text[from, stop) for candidate pairs; returns where the scalar scan should go on, or npos
/// when f asked to stop.
template <typename F>
__attribute__((target("ssse3"))) std::size_t vector_scan(const AnchorTable& tab, std::string_view text,
                                                         std::size_t from, F& f) {
  static const NibbleTables nt;
  const __m128i lo1 = _mm_load_si128(reinterpret_cast<const __m128i*>(nt.lo1));
  const __m128i hi1 = _mm_load_si128(reinterpret_cast<const __m128i*>(nt.hi1));
  const __m128i lo2 = _mm_load_si128(reinterpret_cast<const __m128i*>(nt.lo2));
  const __m128i hi2 = _mm_load_si128(reinterpret_cast<const __m128i*>(nt.hi2));
  const __m128i low_nibble = _mm_set1_epi8(0x0F);
  const __m128i zero = _mm_setzero_si128();
  const char* p = text.data();
  const std::size_t n = text.size();
  std::size_t i = from;
  for (; i + 17 <= n; i += 16) {
    const __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 1));
    const __m128i c0 = _mm_and_si128(_mm_shuffle_epi8(lo1, _mm_and_si128(v0, low_nibble)),
                                     _mm_shuffle_epi8(hi1, _mm_and_si128(_mm_srli_epi16(v0, 4), low_nibble)));
    const __m128i c1 = _mm_and_si128(_mm_shuffle_epi8(lo2, _mm_and_si128(v1, low_nibble)),
                                     _mm_shuffle_epi8(hi2, _mm_and_si128(_mm_srli_epi16(v1, 4), low_nibble)));
    unsigned mask = ~static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(c0, c1), zero))) & 0xFFFFu;
    while (mask) {
      const std::size_t at = i + static_cast<std::size_t>(__builtin_ctz(mask));
      if (!check_pair(tab, text, from, at, f)) return npos;
      mask &= mask - 1;
    }
  }
  return i;
}

const bool kHaveSsse3 = cpu_has_ssse3();
#endif

/// Calls f(trigger index, start) for every built-in literal that starts in text[from, ...), in
/// order of its anchor pair; stops when f returns false. Returns whether it was stopped.
template <typename F>
bool scan_triggers(std::string_view text, std::size_t from, F&& f) {
  const AnchorTable& tab = table();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = from;
#ifdef RUNBOOK_REDACT_X86
  if (kHaveSsse3) {
    i = vector_scan(tab, text, from, f);
    if (i == npos) return true;
  }
#endif
  for (; i + 1 < n; ++i)
    if (tab.has(p[i], p[i + 1]) && !check_pair(tab, text, from, i, f)) return true;
  (void)p;
  return false;
}

std::size_t first_trigger(std::string_view text, std::size_t from) {
  std::size_t found = npos;
  scan_triggers(text, from, [&](std::size_t, std::size_t start) {
    found = start;
    return false;
  });
  return found;
}

bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_upper_or_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); }
bool is_ident(char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; }
bool is_b64url(char c) { return is_alnum(c) || c == '_' || c == '-'; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }
bool is_quote(char c) { return c == '"' || c == '\''; }

std::size_t skip_blank(std::string_view s, std::size_t i) {
  while (i < s.size() && is_blank(s[i])) ++i;
  return i;
}

using Range = std::pair<std::size_t, std::size_t>;

/// The value that starts at `t`: the inside of a quoted string ('...', "...", or \"...\" in JSON
/// text), else a run of bytes up to a blank, a quote or (when `amp_ends`) '&'.
Range value_at(std::string_view s, std::size_t t, bool amp_ends, std::string_view extra_ends = {}) {
  const std::size_t n = s.size();
  if (t >= n) return {t, t};
  if (is_quote(s[t])) {
    const char q = s[t];
    std::size_t e = t + 1;
    while (e < n && s[e] != q) e += (q == '"' && s[e] == '\\' && e + 1 < n) ? 2 : 1;
    return {t + 1, std::min(e, n)};
  }
  if (s[t] == '\\' && t + 1 < n && is_quote(s[t + 1])) {  // an escaped quote: JSON inside a string
    const char end[3] = {'\\', s[t + 1], 0};
    std::size_t e = s.find(end, t + 2);
    return {t + 2, e == npos ? n : e};
  }
  std::size_t e = t;
  while (e < n && !is_space(s[e]) && !is_quote(s[e]) && !(amp_ends && s[e] == '&') &&
         extra_ends.find(s[e]) == npos)
    ++e;
  return {t, e};
}

/// Whether an option name ends with a whole keyword: `--db-password` yes, `--secret-name` no.
bool ends_with_keyword(std::string_view name) {
  static constexpr std::string_view kWords[] = {"password", "passwd", "token", "secret", "api_key", "api-key", "apikey"};
  const AnchorTable& tab = table();
  for (std::string_view w : kWords)
    if (name.size() >= w.size() && literal_at(tab, name, name.size() - w.size(), w)) return true;
  return false;
}

/// `...password...=value`, `"password": "value"`, `password: value` at the start of a line (YAML,
/// headers) and `--password value`.
void match_key(std::string_view s, std::size_t p, std::size_t len, std::vector<Range>& out) {
  const std::size_t n = s.size();
  std::size_t q = p + len;
  while (q < n && is_ident(s[q])) ++q;
  std::size_t start = p;
  while (start > 0 && is_ident(s[start - 1])) --start;
  const bool quoted_key = start > 0 && is_quote(s[start - 1]) && q < n && s[q] == s[start - 1];
  std::size_t t = skip_blank(s, q + (quoted_key ? 1 : 0));
  if (t < n && s[t] == '=') {
    while (t < n && s[t] == '=') ++t;
    out.push_back(value_at(s, skip_blank(s, t), true));
    return;
  }
  if (t < n && s[t] == ':') {
    const std::size_t key_begin = quoted_key ? start - 1 : start;
    t = skip_blank(s, t + 1);
    if (t >= n) return;
    if (quoted_key) {
      out.push_back(value_at(s, t, false, ",}]"));
      return;
    }
    bool line_key = true;  // only blanks and YAML list dashes before the key
    for (std::size_t i = 0; i < key_begin && line_key; ++i) line_key = is_blank(s[i]) || s[i] == '-';
    if (!line_key || s[t] == '|' || s[t] == '>' || s[t] == '&' || s[t] == '*') return;
    if (is_quote(s[t])) {
      out.push_back(value_at(s, t, false));
      return;
    }
    std::size_t e = n;
    while (e > t && is_space(s[e - 1])) --e;
    out.push_back({t, e});
    return;
  }
  // --password VALUE: an option whose name ends with the keyword, then blanks, then the value.
  if (t > q && t < n && start + 2 <= p && s[start] == '-' && s[start + 1] == '-' && s[t] != '-' &&
      ends_with_keyword(s.substr(start, q - start)))
    out.push_back(value_at(s, t, false));
}

/// `Authorization: Bearer TOKEN`, `Authorization: Basic B64`, `Authorization: TOKEN`.
void match_auth(std::string_view s, std::size_t p, std::size_t len, std::vector<Range>& out) {
  const std::size_t n = s.size();
  std::size_t t = p + len;
  if (t < n && is_quote(s[t])) ++t;
  t = skip_blank(s, t);
  if (t >= n || (s[t] != ':' && s[t] != '=')) return;
  t = skip_blank(s, t + 1);
  auto word_end = [&](std::size_t i) {
    while (i < n && !is_space(s[i]) && !is_quote(s[i])) ++i;
    return i;
  };
  const std::size_t e1 = word_end(t);
  if (e1 == t) return;
  bool scheme = true;
  for (std::size_t i = t; i < e1; ++i) scheme = scheme && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'));
  const std::size_t t2 = skip_blank(s, e1);
  if (scheme && t2 > e1) {
    const std::size_t e2 = word_end(t2);
    if (e2 > t2) {
      out.push_back({t2, e2});
      return;
    }
  }
  out.push_back({t, e1});
}

/// `scheme://user:password@host`: the password.
void match_url(std::string_view s, std::size_t p, std::vector<Range>& out) {
  const std::size_t n = s.size(), q = p + 3;
  std::size_t at = npos, e = q;
  for (; e < n; ++e) {
    const char c = s[e];
    if (c == '/' || c == '?' || c == '#' || is_space(c) || is_quote(c) || c == '<' || c == '>') break;
    if (c == '@') at = e;
  }
  if (at == npos) return;
  const std::size_t colon = s.substr(0, at).find(':', q);
  if (colon != npos && colon + 1 < at) out.push_back({colon + 1, at});
}

void match_token_shape(std::string_view s, std::size_t p, Kind kind, std::vector<Range>& out) {
  const std::size_t n = s.size();
  auto run = [&](std::size_t i, bool (*ok)(char)) {
    while (i < n && ok(s[i])) ++i;
    return i;
  };
  switch (kind) {
    case Kind::Aws: {  // AKIA + 16 upper-case letters or digits, as a whole word
      if (s.compare(p, 4, "AKIA") != 0 || (p > 0 && is_alnum(s[p - 1]))) return;
      const std::size_t e = run(p + 4, is_upper_or_digit);
      if (e - p == 20 && (e == n || !is_alnum(s[e]))) out.push_back({p, e});
      return;
    }
    case Kind::GitHub: {  // ghp_/gho_/ghu_/ghs_/ghr_ + base62, github_pat_ + base62 and '_'
      if (p > 0 && (is_alnum(s[p - 1]) || s[p - 1] == '_')) return;
      if (s.compare(p, 11, "github_pat_") == 0) {
        const std::size_t e = run(p + 11, [](char c) { return is_alnum(c) || c == '_'; });
        if (e - (p + 11) >= 20) out.push_back({p, e});
        return;
      }
      if (s.compare(p, 2, "gh") != 0 || std::string_view("pousr").find(s[p + 2]) == npos || s[p + 3] != '_') return;
      const std::size_t e = run(p + 4, is_alnum);
      if (e - (p + 4) >= 20) out.push_back({p, e});
      return;
    }
    case Kind::Slack: {  // xoxb-, xoxp-, xoxa-, xoxr-, xoxs-
      if (p + 5 > n || s.compare(p, 3, "xox") != 0 || std::string_view("bpars").find(s[p + 3]) == npos ||
          s[p + 4] != '-')
        return;
      const std::size_t e = run(p + 5, [](char c) { return is_alnum(c) || c == '-'; });
      if (e - (p + 5) >= 10) out.push_back({p, e});
      return;
    }
    case Kind::Jwt: {  // eyJ<b64url>.eyJ<b64url>.<b64url>*
      if (s.compare(p, 3, "eyJ") != 0 || (p > 0 && is_b64url(s[p - 1]))) return;
      const std::size_t e1 = run(p + 3, is_b64url);
      if (e1 >= n || s[e1] != '.' || s.compare(e1 + 1, 3, "eyJ") != 0) return;
      const std::size_t e2 = run(e1 + 4, is_b64url);
      if (e2 >= n || s[e2] != '.') return;
      out.push_back({p, run(e2 + 1, is_b64url)});
      return;
    }
    default:
      return;
  }
}

/// Replaces `ranges` (any order, may overlap) in `line`.
std::string replace_ranges(std::string_view line, std::vector<Range>& ranges) {
  std::sort(ranges.begin(), ranges.end());
  std::string out;
  out.reserve(line.size() + 16);
  std::size_t at = 0;
  for (std::size_t i = 0; i < ranges.size();) {
    std::size_t b = ranges[i].first, e = ranges[i].second;
    for (++i; i < ranges.size() && ranges[i].first <= e; ++i) e = std::max(e, ranges[i].second);
    if (b < at) b = at;
    if (e <= b) continue;
    out.append(line.substr(at, b - at));
    out.append(kRedacted);
    at = e;
  }
  out.append(line.substr(at));
  return out;
}

}  // namespace

Redactor::Redactor() { (void)table(); }

bool Redactor::add_secret(std::string value) {
  if (value.size() < 4) return false;
  auto insert = [this](std::string v) {
    if (std::find(secrets_.begin(), secrets_.end(), v) != secrets_.end()) return;
    auto at = std::find_if(secrets_.begin(), secrets_.end(), [&](const std::string& s) { return s.size() < v.size(); });
    secrets_.insert(at, std::move(v));
  };
  if (value.find('\n') != std::string::npos) {
    std::string_view rest = value;
    while (!rest.empty()) {
      std::size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.size() >= 8) insert(std::string(line));
      if (nl == npos) break;
      rest.remove_prefix(nl + 1);
    }
  }
  insert(std::move(value));
  return true;
}

bool Redactor::add_pattern(const std::string& pattern, std::string* error) {
  try {
    Pattern p;
    p.re = std::regex(pattern, std::regex::ECMAScript | std::regex::optimize);
    p.has_group = p.re.mark_count() >= 1;
    patterns_.push_back(std::move(p));
    return true;
  } catch (const std::regex_error& e) {
    if (error) *error = std::string("bad redaction pattern '") + pattern + "': " + e.what();
    return false;
  }
}

std::string Redactor::redact_line(std::string_view line) const {
  std::vector<Range> ranges;
  scan_triggers(line, 0, [&](std::size_t t, std::size_t start) {
    const Trigger& trig = kTriggers[t];
    switch (trig.kind) {
      case Kind::Key:
        match_key(line, start, trig.literal.size(), ranges);
        break;
      case Kind::Auth:
        match_auth(line, start, trig.literal.size(), ranges);
        break;
      case Kind::Url:
        match_url(line, start, ranges);
        break;
      default:
        match_token_shape(line, start, trig.kind, ranges);
    }
    return true;
  });
  std::string out = ranges.empty() ? std::string(line) : replace_ranges(line, ranges);
  for (const Pattern& pat : patterns_) {
    std::vector<Range> found;
    try {
      for (auto it = std::cregex_iterator(out.data(), out.data() + out.size(), pat.re); it != std::cregex_iterator(); ++it) {
        const auto& m = *it;
        const int g = pat.has_group && m[1].matched ? 1 : 0;
        if (m.length(g) == 0) continue;
        found.push_back({static_cast<std::size_t>(m.position(g)), static_cast<std::size_t>(m.position(g) + m.length(g))});
      }
    } catch (const std::regex_error&) {
      // Too complex for this line (libstdc++ reports error_complexity/error_stack): keep what we have.
    }
    if (!found.empty()) out = replace_ranges(out, found);
  }
  return out;
}

std::string Redactor::redact_segment(std::string_view segment) const {
  std::string text(segment);
  for (const std::string& secret : secrets_) {
    std::size_t at = text.find(secret);
    if (at == std::string::npos) continue;
    std::string out;
    out.reserve(text.size());
    std::size_t from = 0;
    for (; at != std::string::npos; at = text.find(secret, from)) {
      out.append(text, from, at - from);
      out.append(kRedacted);
      from = at + secret.size();
    }
    out.append(text, from);
    text = std::move(out);
  }
  std::string out;
  out.reserve(text.size());
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    if (patterns_.empty() && first_trigger(line, 0) == npos)
      out.append(line);
    else
      out.append(redact_line(line));
    if (nl == npos) break;
    out.push_back('\n');
    rest.remove_prefix(nl + 1);
  }
  return out;
}

void Redactor::apply_to(std::string_view text, Emit emit, void* context) const {
  if (text.empty()) return;
  if (!patterns_.empty()) {  // config regexes: every line takes the slow road
    const std::string out = redact_segment(text);
    emit(context, out);
    return;
  }
  const std::size_t n = text.size();
  std::size_t pos = 0;
  std::size_t next_trigger = first_trigger(text, 0);
  std::vector<std::size_t> next_secret;
  next_secret.reserve(secrets_.size());
  for (const std::string& s : secrets_) next_secret.push_back(text.find(s));

  auto line_end = [&](std::size_t from) {
    const void* nl = from < n ? std::memchr(text.data() + from, '\n', n - from) : nullptr;
    return nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) + 1 : n;
  };
  while (pos < n) {
    std::size_t hit = next_trigger;
    for (std::size_t at : next_secret) hit = std::min(hit, at);
    if (hit == npos) {
      emit(context, text.substr(pos));
      return;
    }
    // The segment to redact: whole lines, from the hit's line on, grown while a secret straddles
    // its end (a secret of several lines).
    std::size_t start = hit;
    while (start > pos && text[start - 1] != '\n') --start;
    std::size_t end = line_end(hit);
    for (bool grown = true; grown && end < n;) {
      grown = false;
      for (const std::string& s : secrets_) {
        const std::size_t from = std::max(start, end + 1 >= s.size() ? end + 1 - s.size() : 0);
        const std::size_t at = text.substr(from, std::min(n, end + s.size() - 1) - from).find(s);
        if (at != npos && from + at < end) {
          end = line_end(from + at + s.size() - 1);
          grown = true;
        }
      }
    }
    if (start > pos) emit(context, text.substr(pos, start - pos));
    const std::string redacted = redact_segment(text.substr(start, end - start));
    emit(context, redacted);
    pos = end;
    if (next_trigger != npos && next_trigger < pos) next_trigger = first_trigger(text, pos);
    for (std::size_t i = 0; i < secrets_.size(); ++i)
      if (next_secret[i] != npos && next_secret[i] < pos) next_secret[i] = text.find(secrets_[i], pos);
  }
}

std::string Redactor::apply(std::string_view text) const {
  std::string out;
  bool first = true;
  apply_to(text, [&](std::string_view piece) {
    if (first && piece.size() == text.size()) {
      out.assign(piece);
    } else {
      out.append(piece);
    }
    first = false;
  });
  return out;
}

bool Redactor::touches(std::string_view text) const {
  if (patterns_.empty() && first_trigger(text, 0) == npos &&
      std::none_of(secrets_.begin(), secrets_.end(), [&](const std::string& s) { return text.find(s) != npos; }))
    return false;
  return apply(text) != text;
}

}  // namespace runbook::evidence
