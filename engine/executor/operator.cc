#include "executor/operator.h"

#include <algorithm>
#include <cctype>

namespace runbook::executor {

const char* ask_name(Ask ask) {
  switch (ask) {
    case Ask::Action: return "action";
    case Ask::PartAction: return "part";
    case Ask::Variable: return "variable";
    case Ask::Check: return "check";
    case Ask::Choose: return "choose";
    case Ask::Reason: return "reason";
    case Ask::Note: return "note";
    case Ask::Confirm: return "confirm";
    case Ask::ConfirmWord: return "confirm-word";
    case Ask::Jump: return "jump";
    case Ask::Edit: return "edit";
    case Ask::Quit: return "quit";
    case Ask::Retry: return "retry";
    case Ask::AfterRefusal: return "after-refusal";
  }
  return "action";
}

const Option* match_option(const Question& question, const std::string& typed) {
  std::string t;
  for (char c : typed) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.erase(t.begin());
  if (t.empty()) return nullptr;
  for (const auto& o : question.options)
    if (o.word == t) return &o;
  if (t.size() == 1)
    for (const auto& o : question.options)
      if (o.key && std::tolower(static_cast<unsigned char>(o.key)) == t[0]) return &o;
  const Option* prefix = nullptr;
  for (const auto& o : question.options)
    if (o.word.compare(0, t.size(), t) == 0) {
      if (prefix) return nullptr;  // ambiguous
      prefix = &o;
    }
  return prefix;
}

}  // namespace runbook::executor
