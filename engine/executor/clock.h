#pragma once
// The playbook's own clock: response and escalation deadlines from its header, and recurring
// duties ("Every 10 Minutes Until Resolved") that come due while the run goes on.

#include <chrono>
#include <string>
#include <vector>

#include "playbook/model.h"

namespace runbook::executor {

/// A duty the run reminds the operator of.
struct Reminder {
  std::string text;                     ///< "Escalation: To DBA team if not resolved in 1 hour"
  std::chrono::seconds first_due{0};    ///< time since the run started
  std::chrono::seconds every{0};        ///< 0: once
  int line = 0;                         ///< where the playbook states it
};

/// Deadlines and duties of a playbook.
class PlaybookClock {
 public:
  explicit PlaybookClock(const playbook::Playbook& playbook);

  /// "P1 · 12:31 elapsed · respond within 15:00 · escalate at 30:00" (parts the playbook states).
  std::string header(std::chrono::milliseconds elapsed) const;
  /// All reminders the playbook implies.
  const std::vector<Reminder>& reminders() const { return reminders_; }
  /// Reminders that came due in (since, now]: each occurrence once. Returns indices into reminders().
  std::vector<int> due(std::chrono::milliseconds since, std::chrono::milliseconds now) const;

 private:
  std::string severity_;
  std::chrono::seconds respond_{0};
  std::chrono::seconds escalate_{0};
  std::vector<Reminder> reminders_;
};

}  // namespace runbook::executor
