#include "executor/walk.h"

namespace runbook::executor {

using Kind = graph::OutlineEntry::Kind;

Walk::Walk(const playbook::Playbook& playbook, const graph::StepGraph& graph)
    : playbook_(playbook), outline_(graph.outline()) {
  ordinal_.assign(outline_.size(), 0);
  for (std::size_t i = 0; i < outline_.size(); ++i)
    if (outline_[i].kind == Kind::Step) ordinal_[i] = ++total_;
}

int Walk::settle(int pos) const {
  while (pos >= 0 && pos < end()) {
    const auto& e = outline_[static_cast<std::size_t>(pos)];
    if (e.kind == Kind::Step) return pos;
    if (e.kind == Kind::Join) {
      ++pos;
      continue;
    }
    // An Option entry reached by flowing: skip to after this decision's join.
    int j = pos + 1;
    while (j < end() && !(outline_[static_cast<std::size_t>(j)].kind == Kind::Join &&
                          outline_[static_cast<std::size_t>(j)].step == e.step))
      ++j;
    pos = j + 1;
  }
  return end();
}

bool Walk::branches(int pos) const {
  if (pos < 0 || pos + 1 >= end()) return false;
  const auto& e = outline_[static_cast<std::size_t>(pos)];
  const auto& next = outline_[static_cast<std::size_t>(pos + 1)];
  return e.kind == Kind::Step && next.kind == Kind::Option && next.step == e.step;
}

int Walk::after_choice(int pos, int choice) const {
  const int decision = step_at(pos);
  for (int j = pos + 1; j < end(); ++j) {
    const auto& e = outline_[static_cast<std::size_t>(j)];
    if (e.step != decision) continue;
    if (e.kind == Kind::Option && e.option == choice) {
      // The option's own steps, if any; an empty option meets the join at once.
      const int next = j + 1;
      if (next < end() && outline_[static_cast<std::size_t>(next)].kind == Kind::Step) return next;
      return settle(next);
    }
    if (e.kind == Kind::Join) return settle(j + 1);
  }
  return after(pos);
}

int Walk::position_of(std::string_view step_id) const {
  const int s = playbook_.step_index(step_id);
  if (s < 0) return -1;
  for (int i = 0; i < end(); ++i)
    if (outline_[static_cast<std::size_t>(i)].kind == Kind::Step && outline_[static_cast<std::size_t>(i)].step == s)
      return i;
  return -1;
}

int Walk::step_at(int pos) const {
  if (pos < 0 || pos >= end()) return -1;
  const auto& e = outline_[static_cast<std::size_t>(pos)];
  return e.kind == Kind::Step ? e.step : -1;
}

int Walk::ordinal(int pos) const {
  if (pos < 0 || pos >= end()) return total_;
  return ordinal_[static_cast<std::size_t>(pos)];
}

}  // namespace runbook::executor
