#pragma once
// The step graph: steps as nodes, with sequence, branch and join edges. Immutable once built.

#include <string>
#include <vector>

#include "playbook/model.h"

namespace runbook::graph {

/// A node of the graph.
struct Node {
  enum class Kind { Start, Step, Branch, Join, End } kind = Kind::Step;
  std::string id;  ///< the step id for Step nodes; "start", "end", "<decision id>/join" otherwise
  int step = -1;   ///< index into Playbook::steps for Step nodes
};

/// A directed edge.
struct Edge {
  enum class Kind { Next, Choice, Join } kind = Kind::Next;
  int from = 0;
  int to = 0;
  std::string label;  ///< the choice label on Choice edges
};

/// "start", "step", "branch", "join", "end" / "next", "choice", "join".
const char* node_kind_name(Node::Kind kind);
const char* edge_kind_name(Edge::Kind kind);

/// Sequence, branches and joins over a playbook's steps.
class StepGraph {
 public:
  /// Builds the graph: steps in document order; an Options decision branches to each option's
  /// steps, which meet again at a join node before the step that follows the options.
  static StepGraph build(const playbook::Playbook& playbook);

  const std::vector<Node>& nodes() const { return nodes_; }
  const std::vector<Edge>& edges() const { return edges_; }
  /// Node index of a step, by step index.
  int node_of_step(int step) const;
  /// Edges leaving / entering a node.
  std::vector<const Edge*> out_edges(int node) const;
  std::vector<const Edge*> in_edges(int node) const;
  /// Step indices reached next from a step (through join nodes); several after a decision.
  std::vector<int> next_steps(int step) const;
  /// Step indices the step depends on (its nearest step predecessors, through joins/branches).
  std::vector<int> depends_on(int step) const;

 private:
  std::vector<Node> nodes_;
  std::vector<Edge> edges_;
  std::vector<int> step_node_;
};

}  // namespace runbook::graph
