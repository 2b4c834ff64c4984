#include "executor/clock.h"

#include <cctype>
#include <regex>

#include "executor/config.h"
#include "util/text.h"

namespace runbook::executor {

namespace {

bool key_is(const playbook::MetadataField& f, const char* word) {
  std::string k;
  for (char c : f.key) k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k.find(word) != std::string::npos;
}

/// "every 10 minutes", "Every 2 hours", "every 30mins" -> seconds; 0 when the text states none.
std::chrono::seconds every_interval(const std::string& text) {
  static const std::regex re(R"(\bevery\s+(\d{1,4})\s*-?\s*(min|mins|minutes?|hours?|hrs?|h)\b)", std::regex::icase);
  std::smatch m;
  if (!std::regex_search(text, m, re)) return std::chrono::seconds(0);
  const long n = std::stol(m[1].str());
  const char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(m[2].str()[0])));
  return std::chrono::seconds(unit == 'h' ? n * 3600 : n * 60);
}

}  // namespace

PlaybookClock::PlaybookClock(const playbook::Playbook& playbook) {
  if (playbook.severity) severity_ = playbook.severity->label;
  for (const auto& f : playbook.metadata) {
    if (!f.duration || f.duration->max.count() <= 0) continue;
    if (key_is(f, "response") && respond_.count() == 0) {
      respond_ = f.duration->max;
      reminders_.push_back(Reminder{"Response time (" + f.value + ") has passed", respond_, {}, f.line});
    } else if (key_is(f, "escalat") && escalate_.count() == 0) {
      escalate_ = f.duration->max;
      reminders_.push_back(Reminder{"Escalation due: " + f.value, escalate_, {}, f.line});
    }
  }
  // Recurring duties stated in headings ("### Every 10 Minutes Until Resolved").
  for (const auto& s : playbook.sections) {
    const auto every = every_interval(s.title);
    if (every.count() > 0) reminders_.push_back(Reminder{s.title, every, every, s.line});
  }
}

std::string PlaybookClock::header(std::chrono::milliseconds elapsed) const {
  std::string out;
  if (!severity_.empty()) out += severity_ + " · ";
  out += clock_text(elapsed) + " elapsed";
  if (respond_.count() > 0) out += " · respond within " + clock_text(respond_);
  if (escalate_.count() > 0) out += " · escalate at " + clock_text(escalate_);
  return out;
}

std::vector<int> PlaybookClock::due(std::chrono::milliseconds since, std::chrono::milliseconds now) const {
  std::vector<int> out;
  for (std::size_t i = 0; i < reminders_.size(); ++i) {
    const auto& r = reminders_[i];
    const auto first = std::chrono::duration_cast<std::chrono::milliseconds>(r.first_due);
    if (now < first) continue;
    if (r.every.count() == 0) {
      if (since < first) out.push_back(static_cast<int>(i));
      continue;
    }
    const auto every = std::chrono::duration_cast<std::chrono::milliseconds>(r.every);
    // The occurrence count before and after: a new one came due in between.
    const auto before = since < first ? -1 : (since - first) / every;
    const auto after = (now - first) / every;
    if (after > before) out.push_back(static_cast<int>(i));
  }
  return out;
}

}  // namespace runbook::executor
