#pragma once
// Choosing the playbook that handles an alert.

#include <string>
#include <string_view>
#include <vector>

#include "alert/alert.h"
#include "playbook/model.h"
#include "util/result.h"

namespace runbook::alert {

/// A playbook that may handle alerts, with the file it came from (a file may hold several).
struct Candidate {
  std::string path;
  const playbook::Playbook* playbook = nullptr;
};

/// The chosen candidate and why.
struct Route {
  int index = -1;    ///< into the candidates
  std::string rule;  ///< "runbook-url", "front-matter", "detection"
  std::string why;   ///< one sentence for the operator and the evidence log
  /// Other candidates that matched as well as the chosen one at the same rule, as
  /// "path (title)"; non-empty means the routing is ambiguous and the first in order won.
  std::vector<std::string> also;
};

/// Picks a playbook for `alert`, trying in order:
///  1. runbook-url: the `runbook_url` (else `runbook`) annotation's last path segment, without
///     query, fragment, trailing '/' and a ".md" ending, equal ignoring case to the candidate
///     file's stem or to the playbook title's slug. Stem and title together beat the stem alone,
///     which beats the title alone: the URL names a file, and within a file the title tells its
///     playbooks apart.
///  2. front-matter: the alert name in the playbook's front matter `alerts:`.
///  3. detection: the alert name among the playbook's other alerts ("Alert:" lines, Detection).
/// Names compare exactly first, then ignoring case. The first candidate in the given order wins
/// a tie. No match is an Error that says what was tried, so an operator can fix the routing.
util::Result<Route> route(const Alert& alert, const std::vector<Candidate>& candidates);

/// The name a runbook URL points at: "https://wiki/runbooks/Disk-Full.md?x=1#a" -> "Disk-Full".
/// Percent-escapes are decoded. "" when there is no path segment.
std::string runbook_url_name(std::string_view url);

}  // namespace runbook::alert
