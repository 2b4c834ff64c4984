#pragma once
// Redaction of secrets before anything reaches the evidence directory.

#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace runbook::evidence {

/// The text written in place of a secret.
inline constexpr std::string_view kRedacted = "[REDACTED]";

/// Replaces secret values and secret-looking patterns in text.
/// Built-in patterns: `PGPASSWORD=...` and other `*PASSWORD|TOKEN|SECRET|API_KEY*=value`
/// assignments, `Authorization: Bearer|Basic ...` headers, `--from-literal=password=...`,
/// `--password[= ]...`, credentials in URLs (`scheme://user:pass@`), `?token=`/`access_token=`
/// query values, and common token shapes (AWS access keys, GitHub/Slack tokens, JWTs).
class Redactor {
 public:
  Redactor();
  /// Adds a value to redact wherever it appears (e.g. a variable marked secret). Values shorter
  /// than 4 bytes are refused (they would redact ordinary text); returns false then.
  bool add_secret(std::string value);
  /// Adds an ECMAScript regex from the config; the whole match, or its first capture group when it
  /// has one, is redacted. Returns false (and leaves the set unchanged) on a bad pattern.
  bool add_pattern(const std::string& pattern, std::string* error = nullptr);

  /// The text with every secret replaced by kRedacted.
  std::string apply(std::string_view text) const;
  /// True when apply() would change the text.
  bool touches(std::string_view text) const;

 private:
  struct Pattern {
    std::regex re;
    bool has_group = false;
  };
  std::vector<std::string> secrets_;  // longest first
  std::vector<Pattern> patterns_;
};

}  // namespace runbook::evidence
