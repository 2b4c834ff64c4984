#include "playbook/severity.h"

#include <array>
#include <cctype>
#include <cmath>
#include <string>

#include "util/text.h"

namespace runbook::playbook {

namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Lower-cased copy without markdown emphasis/code markers, so "**P1 - High**" reads "p1 - high".
std::string plain_lower(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '*' || c == '_' || c == '`' || c == '#') {
      out += ' ';
      continue;
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

/// True when `s[pos, pos+len)` is a whole word (no letter/digit touching either end).
bool whole_word(std::string_view s, std::size_t pos, std::size_t len) {
  if (pos > 0 && is_alnum(s[pos - 1])) return false;
  return pos + len >= s.size() || !is_alnum(s[pos + len]);
}

// ---------------------------------------------------------------------------------------------
// Severity.

/// The class word for a rank.
const char* class_name(int rank) {
  static constexpr std::array<const char*, 5> kNames = {"Critical", "High", "Medium", "Low", "Info"};
  return rank >= 0 && rank < 5 ? kNames[rank] : "";
}

struct SeverityWord {
  const char* word;  // lower-case
  const char* label;
  int rank;
};

// Longest first where one is a prefix of another ("informational" before "info").
constexpr std::array<SeverityWord, 10> kWords = {{
    {"critical", "Critical", 0},
    {"emergency", "Emergency", 0},
    {"high", "High", 1},
    {"major", "Major", 1},
    {"medium", "Medium", 2},
    {"moderate", "Moderate", 2},
    {"low", "Low", 3},
    {"minor", "Minor", 3},
    {"informational", "Informational", 4},
    {"info", "Info", 4},
}};

/// A severity word starting at `pos`, or nullptr.
const SeverityWord* word_at(std::string_view s, std::size_t pos) {
  for (const auto& w : kWords) {
    std::string_view word = w.word;
    if (s.substr(pos, word.size()) == word && whole_word(s, pos, word.size())) return &w;
  }
  return nullptr;
}

/// A code such as "p1", "sev2", "sev-3", "sev 1", "severity 2" starting at `pos`.
struct Code {
  std::string label;
  int rank = -1;
  std::size_t end = 0;
};

std::optional<Code> code_at(std::string_view s, std::size_t pos) {
  if (pos > 0 && is_alnum(s[pos - 1])) return std::nullopt;
  // P0..P4: rank is the digit.
  if (s[pos] == 'p' && pos + 1 < s.size() && is_digit(s[pos + 1]) && whole_word(s, pos, 2)) {
    int d = s[pos + 1] - '0';
    if (d > 4) return std::nullopt;
    return Code{"P" + std::to_string(d), d, pos + 2};
  }
  // SEV0..SEV5 (also "severity 2"): SEV0 and SEV1 are both the top class, so rank = digit - 1.
  for (std::string_view prefix : {std::string_view("severity"), std::string_view("sev")}) {
    if (s.substr(pos, prefix.size()) != prefix) continue;
    std::size_t i = pos + prefix.size();
    std::size_t seps = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '-' || s[i] == ':' || s[i] == '.') && seps < 3) {
      ++i;
      ++seps;
    }
    if (i < s.size() && is_digit(s[i]) && (i + 1 >= s.size() || !is_alnum(s[i + 1]))) {
      int d = s[i] - '0';
      if (d > 5) return std::nullopt;
      return Code{"SEV" + std::to_string(d), d == 0 ? 0 : d - 1, i + 1};
    }
    return std::nullopt;
  }
  return std::nullopt;
}

/// Length of a leading "severity:" / "priority -" style label, so the words after it count alone.
std::size_t label_prefix(std::string_view s) {
  for (std::string_view p : {"severity", "priority", "sev", "level"}) {
    if (s.substr(0, p.size()) != p) continue;
    std::size_t i = p.size();
    while (i < s.size() && s[i] == ' ') ++i;
    if (i < s.size() && (s[i] == ':' || s[i] == '=')) return i + 1;
    // "Severity - High", but not "SEV-3".
    if (i < s.size() && s[i] == '-' && p.size() > 3 && !(i + 1 < s.size() && is_digit(s[i + 1]))) return i + 1;
  }
  return 0;
}

/// True when only punctuation, or a separator and more text, follows a leading severity word:
/// "High", "High - customer impact", "Critical (outage)"; but not "High CPU usage".
bool stands_alone_after(std::string_view s, std::size_t end) {
  std::size_t i = end;
  while (i < s.size() && s[i] == ' ') ++i;
  if (i >= s.size()) return true;
  return !is_alnum(s[i]);
}

std::string title_case(std::string_view word) {
  std::string out(word);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

}  // namespace

std::optional<Severity> parse_severity(std::string_view text, int line) {
  std::string s = plain_lower(text);
  std::string_view body = util::trim(s);
  std::size_t prefix = label_prefix(body);
  bool labelled = prefix > 0;
  body = util::trim(body.substr(prefix));

  Severity sev;
  sev.source = std::string(util::trim(text));
  sev.line = line;

  // A code anywhere wins ("Incident P1 - High"); a word after it supplies the name.
  for (std::size_t i = 0; i < body.size(); ++i) {
    auto code = code_at(body, i);
    if (!code) continue;
    sev.rank = code->rank;
    sev.label = code->label;
    sev.name = class_name(code->rank);
    for (std::size_t j = code->end; j < body.size(); ++j) {
      if (const SeverityWord* w = word_at(body, j)) {
        sev.name = title_case(w->word);
        break;
      }
    }
    return sev;
  }

  // A bare word only counts when it is the whole point of the text, so "High CPU usage" or
  // "Low disk space" are not severities.
  if (const SeverityWord* w = word_at(body, 0)) {
    if (labelled || stands_alone_after(body, std::string_view(w->word).size())) {
      sev.rank = w->rank;
      sev.label = w->label;
      sev.name = class_name(w->rank);
      return sev;
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Durations.

namespace {

struct Unit {
  const char* word;  // lower-case spelling
  long seconds;
};

// Longest spellings first so "minutes" is not read as "min" + "utes".
constexpr std::array<Unit, 21> kUnits = {{
    {"seconds", 1},   {"second", 1},  {"secs", 1},   {"sec", 1},     {"s", 1},
    {"minutes", 60},  {"minute", 60}, {"mins", 60},  {"min", 60},    {"m", 60},
    {"hours", 3600},  {"hour", 3600}, {"hrs", 3600}, {"hr", 3600},   {"h", 3600},
    {"days", 86400},  {"day", 86400}, {"d", 86400},  {"weeks", 604800}, {"week", 604800},
    {"w", 604800},
}};

/// A number: digits with an optional fraction, or a small number word ("one", "an").
struct Number {
  double value = 0;
  std::size_t end = 0;
};

std::optional<Number> number_at(std::string_view s, std::size_t pos) {
  if (pos > 0 && (is_alnum(s[pos - 1]) || s[pos - 1] == '.')) return std::nullopt;
  if (is_digit(s[pos])) {
    std::size_t i = pos;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i + 1 < s.size() && s[i] == '.' && is_digit(s[i + 1])) {
      ++i;
      while (i < s.size() && is_digit(s[i])) ++i;
    }
    return Number{std::stod(std::string(s.substr(pos, i - pos))), i};
  }
  static constexpr std::array<std::pair<std::string_view, int>, 14> kWordsNum = {{
      {"a", 1}, {"an", 1}, {"one", 1}, {"two", 2}, {"three", 3}, {"four", 4}, {"five", 5},
      {"six", 6}, {"seven", 7}, {"eight", 8}, {"nine", 9}, {"ten", 10}, {"twelve", 12},
      {"fifteen", 15},
  }};
  for (const auto& [w, value] : kWordsNum)
    if (s[pos] == w[0] && s.substr(pos, w.size()) == w && whole_word(s, pos, w.size()))
      return Number{double(value), pos + w.size()};
  return std::nullopt;
}

/// A unit after optional spaces; "30m" and "30 minutes" both work, "30mb" does not.
std::optional<std::pair<long, std::size_t>> unit_at(std::string_view s, std::size_t pos) {
  std::size_t i = pos;
  while (i < s.size() && s[i] == ' ') ++i;
  for (const auto& u : kUnits) {
    std::string_view w = u.word;
    if (s.substr(i, w.size()) == w && (i + w.size() >= s.size() || !is_alpha(s[i + w.size()])))
      return std::make_pair(u.seconds, i + w.size());
  }
  return std::nullopt;
}

/// A quantity: number + unit, possibly compound ("1h30m", "1 hour 30 minutes").
struct Quantity {
  long seconds = 0;
  std::size_t end = 0;
};

std::optional<Quantity> quantity_at(std::string_view s, std::size_t pos) {
  auto n = number_at(s, pos);
  if (!n) return std::nullopt;
  auto u = unit_at(s, n->end);
  if (!u) return std::nullopt;
  Quantity q{std::lround(n->value * double(u->first)), u->second};
  // "1h30m" / "1 hour 30 minutes": a smaller unit straight after adds on.
  long last_unit = u->first;
  for (;;) {
    std::size_t i = q.end;
    while (i < s.size() && s[i] == ' ') ++i;
    if (s.substr(i, 4) == "and ") i += 4;
    if (i >= s.size() || !is_digit(s[i])) break;
    auto n2 = number_at(s, i);
    if (!n2 && i > 0 && is_alpha(s[i - 1])) {  // "1h30m": the digit touches the unit
      std::size_t j = i;
      while (j < s.size() && is_digit(s[j])) ++j;
      n2 = Number{std::stod(std::string(s.substr(i, j - i))), j};
    }
    if (!n2) break;
    auto u2 = unit_at(s, n2->end);
    if (!u2 || u2->first >= last_unit) break;
    q.seconds += std::lround(n2->value * double(u2->first));
    q.end = u2->second;
    last_unit = u2->first;
  }
  return q;
}

/// A bare number followed by a range separator and a quantity: "0-5 minutes" -> 0 and 5 minutes.
std::optional<Duration> range_at(std::string_view s, std::size_t pos) {
  auto first = number_at(s, pos);
  if (!first) return std::nullopt;
  std::size_t i = first->end;
  auto first_q = quantity_at(s, pos);  // "5 min - 1 hour": units on both sides
  if (first_q) i = first_q->end;
  while (i < s.size() && s[i] == ' ') ++i;
  std::size_t sep = 0;
  if (s.substr(i, 1) == "-") sep = 1;
  else if (s.substr(i, 3) == "\xE2\x80\x93") sep = 3;  // en dash
  else if (s.substr(i, 3) == "to ") sep = 2;
  if (sep == 0) return std::nullopt;
  i += sep;
  while (i < s.size() && s[i] == ' ') ++i;
  if (i >= s.size()) return std::nullopt;
  auto second = quantity_at(s, i);
  if (!second) return std::nullopt;
  long unit = 0;
  if (!first_q) {  // the unit of the second applies to the first
    auto n2 = number_at(s, i);
    auto u2 = unit_at(s, n2->end);
    unit = u2->first;
  }
  Duration d;
  d.min = std::chrono::seconds(first_q ? first_q->seconds : std::lround(first->value * double(unit)));
  d.max = std::chrono::seconds(second->seconds);
  if (d.min > d.max) std::swap(d.min, d.max);
  return d;
}

/// True when an upper-bound phrase ("<", "within", "under", "up to") ends just before `pos`.
bool upper_bound_before(std::string_view s, std::size_t pos) {
  std::string_view before = util::trim(s.substr(0, pos));
  for (std::string_view w : {"<", "<=", "\xE2\x89\xA4", "within", "under", "less than", "up to",
                             "at most", "no more than", "no later than"}) {
    if (before.size() >= w.size() && before.substr(before.size() - w.size()) == w &&
        (before.size() == w.size() || !is_alnum(before[before.size() - w.size() - 1]) || !is_alpha(w[0])))
      return true;
  }
  return false;
}

bool contains_word(std::string_view s, std::string_view word) {
  for (std::size_t p = s.find(word); p != std::string_view::npos; p = s.find(word, p + 1))
    if (whole_word(s, p, word.size())) return true;
  return false;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  std::string s = plain_lower(text);
  // The first stated time wins: "Immediate to manager if not resolved in 30 minutes" is 30m.
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (auto r = range_at(s, i)) return r;
    if (auto q = quantity_at(s, i)) {
      Duration d;
      d.max = std::chrono::seconds(q->seconds);
      d.min = upper_bound_before(s, i) ? std::chrono::seconds(0) : d.max;
      return d;
    }
  }
  // Words without numbers.
  if (contains_word(s, "immediate") || contains_word(s, "immediately") || contains_word(s, "asap"))
    return Duration{};
  // "Next business day": at most a day away; weekends are not counted.
  if (s.find("next business day") != std::string::npos || s.find("next working day") != std::string::npos)
    return Duration{std::chrono::seconds(0), std::chrono::seconds(86400)};
  return std::nullopt;
}

}  // namespace runbook::playbook
