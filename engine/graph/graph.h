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
/// "next", "choice", "join".
const char* edge_kind_name(Edge::Kind kind);

/// One entry of the graph read top to bottom, for renderers: steps in graph order, with each
/// branch's options opened by an Option entry and closed by a Join entry. Flat, so that deep
/// nesting costs no recursion.
struct OutlineEntry {
  enum class Kind { Step, Option, Join } kind = Kind::Step;
  int step = -1;      ///< the step (Step), or the decision step that branches (Option, Join)
  int option = -1;    ///< index into the decision's choices (Option)
  int depth = 0;      ///< 0 at the top; the steps of an option are one deeper than the Option entry
  std::string label;  ///< the choice label (Option)
};

/// Sequence, branches and joins over a playbook's steps.
class StepGraph {
 public:
  /// Builds the graph: steps in document order; an Options decision branches to each option's
  /// steps, which meet again at a join node before the step that follows the options.
  static StepGraph build(const playbook::Playbook& playbook);

  /// All nodes: start first, then one per step in document order, then joins, end last.
  const std::vector<Node>& nodes() const { return nodes_; }
  /// All edges, in the order the graph was laid out.
  const std::vector<Edge>& edges() const { return edges_; }
  /// Node index of a step, by step index.
  int node_of_step(int step) const;
  /// Edges leaving a node (none for an invalid index).
  std::vector<const Edge*> out_edges(int node) const;
  /// Edges entering a node (none for an invalid index).
  std::vector<const Edge*> in_edges(int node) const;
  /// Step indices reached next from a step (through join nodes); several after a decision.
  std::vector<int> next_steps(int step) const;
  /// Step indices the step depends on (its nearest step predecessors, through joins/branches).
  std::vector<int> depends_on(int step) const;
  /// The graph read top to bottom (see OutlineEntry); every step appears exactly once.
  const std::vector<OutlineEntry>& outline() const { return outline_; }
  /// Node index of the start node.
  int start_node() const { return 0; }
  /// Node index of the end node (-1 for a default-constructed graph).
  int end_node() const { return nodes_.empty() ? -1 : static_cast<int>(nodes_.size()) - 1; }

 private:
  std::vector<Node> nodes_;
  std::vector<Edge> edges_;
  std::vector<int> step_node_;
  std::vector<OutlineEntry> outline_;
  std::vector<std::vector<int>> out_;  // edge indices by source node
  std::vector<std::vector<int>> in_;   // edge indices by target node
};

/// Structural problems of a graph, empty when sound: a node unreachable from the start, a node
/// the end is not reachable from, a cycle, a step without exactly one node, a dangling edge.
std::vector<std::string> check(const StepGraph& graph);

}  // namespace runbook::graph
