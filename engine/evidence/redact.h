#pragma once
// Redaction of secrets before anything reaches the evidence directory.

#include <regex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace runbook::evidence {

/// The text written in place of a secret.
inline constexpr std::string_view kRedacted = "[REDACTED]";

/// Replaces secret values and secret-looking patterns in text.
/// Built-in patterns: `PGPASSWORD=...` and other `*PASSWORD|TOKEN|SECRET|API_KEY*=value`
/// assignments, `Authorization: Bearer|Basic ...` headers, `--from-literal=password=...`,
/// `--password[= ]...`, credentials in URLs (`scheme://user:pass@`), `?token=`/`access_token=`
/// query values, and common token shapes (AWS access keys, GitHub/Slack tokens, JWTs).
///
/// The built-in patterns are matched line by line (a value never runs into the next line) by
/// hand-written matchers, and only on lines where a cheap case-insensitive scan found one of their
/// literals ("password", "token", "secret", "uthorization", "://", "AKIA", "ghp_", "xox", "eyJ",
/// ...); text without such a literal and without an added secret passes through untouched.
/// Patterns from add_pattern() are std::regex and run on every line (the price of a config regex).
class Redactor {
 public:
  Redactor();
  /// Adds a value to redact wherever it appears (e.g. a variable marked secret). Values shorter
  /// than 4 bytes are refused (they would redact ordinary text); returns false then. A value of
  /// several lines also adds each of its lines of 8 bytes or more, so that it is caught in output
  /// that is redacted line by line.
  bool add_secret(std::string value);
  /// Adds an ECMAScript regex from the config; the whole match, or its first capture group when it
  /// has one, is redacted. Returns false (and leaves the set unchanged) on a bad pattern. Matched
  /// within one line at a time.
  bool add_pattern(const std::string& pattern, std::string* error = nullptr);

  /// The text with every secret replaced by kRedacted.
  std::string apply(std::string_view text) const;
  /// True when apply() would change the text.
  bool touches(std::string_view text) const;

  /// The same as apply(), delivered as consecutive pieces whose concatenation is apply(text):
  /// stretches without secrets are views into `text` (no copy). For streaming output.
  using Emit = void (*)(void* context, std::string_view piece);
  void apply_to(std::string_view text, Emit emit, void* context) const;
  template <typename F>
  void apply_to(std::string_view text, F&& f) const {
    using Fn = std::remove_reference_t<F>;
    apply_to(text, [](void* c, std::string_view piece) { (*static_cast<Fn*>(c))(piece); },
             const_cast<void*>(static_cast<const void*>(&f)));
  }

  std::size_t secret_count() const { return secrets_.size(); }
  std::size_t pattern_count() const { return patterns_.size(); }

 private:
  struct Pattern {
    std::regex re;
    bool has_group = false;
  };
  std::string redact_segment(std::string_view segment) const;
  std::string redact_line(std::string_view line) const;
  std::vector<std::string> secrets_;  // longest first
  std::vector<Pattern> patterns_;
};

}  // namespace runbook::evidence
