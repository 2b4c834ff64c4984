#pragma once
// Where the walk through a playbook is: a position in the graph's outline, and where the flow
// goes from there. Pure logic over graph::StepGraph::outline(); no I/O.

#include <string_view>
#include <vector>

#include "graph/graph.h"
#include "playbook/model.h"

namespace runbook::executor {

/// Positions are indices into the outline; end() is one past the last entry.
class Walk {
 public:
  Walk(const playbook::Playbook& playbook, const graph::StepGraph& graph);

  /// The first step of the run (end() when the playbook has no steps).
  int first() const { return settle(0); }
  int end() const { return static_cast<int>(outline_.size()); }
  /// The step position at or after `pos` in the normal flow: an Option entry reached by flowing
  /// (the chosen option's steps are done, or none was chosen) skips to after its decision's join.
  int settle(int pos) const;
  /// Where the flow goes after the step at `pos`.
  int after(int pos) const { return settle(pos + 1); }
  /// True when the step at `pos` is a decision whose options are branches of the graph.
  bool branches(int pos) const;
  /// Where the flow goes after choosing option `choice` (0-based) of the branching decision at
  /// `pos`: that option's first step, or after the join when the option has no steps.
  int after_choice(int pos, int choice) const;
  /// Position of a step by id, or -1.
  int position_of(std::string_view step_id) const;
  /// The step index at a position (which must hold a Step entry), or -1.
  int step_at(int pos) const;
  /// 1-based ordinal of the step at `pos` among all steps ("step n of N").
  int ordinal(int pos) const;
  /// Number of steps.
  int total() const { return total_; }

 private:
  const playbook::Playbook& playbook_;
  const std::vector<graph::OutlineEntry>& outline_;
  std::vector<int> ordinal_;  // by position; 0 for non-step entries
  int total_ = 0;
};

}  // namespace runbook::executor
