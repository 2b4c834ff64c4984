#pragma once
// Normalising severities and parsing durations out of playbook text.

#include <optional>
#include <string_view>

#include "playbook/model.h"

namespace runbook::playbook {

/// Recognises a severity in text such as "P0 - Critical", "SEV2", "sev-1 (major)", "Critical",
/// "**P1 - High**", "High". Returns nullopt when the text names none. `line` is copied in.
/// Ranks: P0/SEV0/SEV1/Critical = 0, P1/SEV2/High/Major = 1, P2/SEV3/Medium/Moderate = 2,
/// P3/SEV4/Low/Minor = 3, P4/SEV5/Info/Informational = 4.
std::optional<Severity> parse_severity(std::string_view text, int line);

/// Parses a duration or a range out of text: "Immediate" (0), "Immediate (0-5 minutes)" (0..5m),
/// "< 15 min" (0..15m), "15 minutes", "1 hour", "30m", "1-2 hours", "within 48 hours",
/// "Immediate to manager if not resolved in 30 minutes" (30m). Nullopt when no time is stated.
std::optional<Duration> parse_duration(std::string_view text);

}  // namespace runbook::playbook
