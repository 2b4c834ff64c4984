#include "graph/graph.h"

#include <algorithm>
#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace runbook::graph {

const char* node_kind_name(Node::Kind kind) {
  switch (kind) {
    case Node::Kind::Start: return "start";
    case Node::Kind::Step: return "step";
    case Node::Kind::Branch: return "branch";
    case Node::Kind::Join: return "join";
    case Node::Kind::End: return "end";
  }
  return "step";
}

const char* edge_kind_name(Edge::Kind kind) {
  switch (kind) {
    case Edge::Kind::Next: return "next";
    case Edge::Kind::Choice: return "choice";
    case Edge::Kind::Join: return "join";
  }
  return "next";
}

namespace {

using playbook::DecisionForm;
using playbook::Playbook;
using playbook::StepKind;

/// True when the step opens a branch: a decision between "Option N" sections.
bool branches(const playbook::Step& step) {
  return step.kind == StepKind::Decision && step.form == DecisionForm::Options && !step.choices.empty();
}

/// An edge waiting for its target: the tail of what was laid out so far.
struct Pending {
  int node = 0;
  Edge::Kind kind = Edge::Kind::Next;
  std::string label;
};

/// A unit of work of the layout: a sequence of steps, or the options of one decision.
struct Frame {
  bool branch = false;
  int depth = 0;
  // Sequence frames.
  std::vector<int> seq;
  std::size_t pos = 0;
  Pending pending;
  // Branch frames.
  int decision = -1;  // step index
  int join = -1;      // node index
  std::size_t option = 0;
};

}  // namespace

StepGraph StepGraph::build(const Playbook& playbook) {
  StepGraph g;
  const int n = static_cast<int>(playbook.steps.size());

  g.nodes_.push_back(Node{Node::Kind::Start, "start", -1});
  g.step_node_.assign(static_cast<std::size_t>(n), -1);
  for (int i = 0; i < n; ++i) {
    g.step_node_[static_cast<std::size_t>(i)] = static_cast<int>(g.nodes_.size());
    g.nodes_.push_back(Node{Node::Kind::Step, playbook.steps[static_cast<std::size_t>(i)].id, i});
  }

  // Step ids to indices; the first step wins when ids repeat (as Playbook::step_index does).
  std::unordered_map<std::string, int> index_of;
  for (int i = n - 1; i >= 0; --i) index_of[playbook.steps[static_cast<std::size_t>(i)].id] = i;
  auto step_index = [&index_of](const std::string& id) {
    const auto found = index_of.find(id);
    return found == index_of.end() ? -1 : found->second;
  };

  // Each step belongs to at most one branching decision: the nearest preceding one that lists
  // it. Claims on earlier steps (or on the decision itself) are ignored, so ownership always
  // points backwards and cannot form a cycle; nested options resolve to the innermost decision.
  std::vector<int> owner(static_cast<std::size_t>(n), -1);
  for (int d = 0; d < n; ++d) {
    const auto& step = playbook.steps[static_cast<std::size_t>(d)];
    if (!branches(step)) continue;
    for (const auto& choice : step.choices)
      for (const auto& id : choice.step_ids) {
        const int s = step_index(id);
        if (s > d) owner[static_cast<std::size_t>(s)] = d;
      }
  }
  // The steps of each option of each branching decision, as listed, without repeats.
  std::vector<std::vector<std::vector<int>>> options(static_cast<std::size_t>(n));
  {
    std::vector<int> used_by(static_cast<std::size_t>(n), -1);
    for (int d = 0; d < n; ++d) {
      const auto& step = playbook.steps[static_cast<std::size_t>(d)];
      if (!branches(step)) continue;
      auto& opts = options[static_cast<std::size_t>(d)];
      for (const auto& choice : step.choices) {
        opts.emplace_back();
        for (const auto& id : choice.step_ids) {
          const int s = step_index(id);
          if (s <= d || owner[static_cast<std::size_t>(s)] != d) continue;
          if (used_by[static_cast<std::size_t>(s)] == d) continue;
          used_by[static_cast<std::size_t>(s)] = d;
          opts.back().push_back(s);
        }
      }
    }
  }

  auto add_edge = [&g](const Pending& from, int to, Edge::Kind kind) {
    g.edges_.push_back(Edge{kind, from.node, to, kind == Edge::Kind::Choice ? from.label : std::string()});
  };

  std::vector<Frame> stack;
  {
    Frame top;
    for (int s = 0; s < n; ++s)
      if (owner[static_cast<std::size_t>(s)] < 0) top.seq.push_back(s);
    top.pending = Pending{0, Edge::Kind::Next, {}};
    stack.push_back(std::move(top));
  }
  Pending last;
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (!f.branch) {
      if (f.pos == f.seq.size()) {
        const Pending done = f.pending;
        stack.pop_back();
        if (stack.empty()) {
          last = done;
        } else {
          // The end of an option: its last step (or nested join) meets the decision's join.
          add_edge(done, stack.back().join, Edge::Kind::Join);
        }
        continue;
      }
      const int s = f.seq[f.pos++];
      const int node = g.step_node_[static_cast<std::size_t>(s)];
      add_edge(f.pending, node, f.pending.kind);
      g.outline_.push_back(OutlineEntry{OutlineEntry::Kind::Step, s, -1, f.depth, {}});
      const auto& step = playbook.steps[static_cast<std::size_t>(s)];
      if (!branches(step)) {
        f.pending = Pending{node, Edge::Kind::Next, {}};
        continue;
      }
      const int join = static_cast<int>(g.nodes_.size());
      g.nodes_.push_back(Node{Node::Kind::Join, step.id + "/join", -1});
      f.pending = Pending{join, Edge::Kind::Next, {}};
      Frame b;
      b.branch = true;
      b.depth = f.depth;
      b.decision = s;
      b.join = join;
      stack.push_back(std::move(b));  // f is invalid from here on
      continue;
    }
    // A branch frame: lay out its next option.
    const auto& step = playbook.steps[static_cast<std::size_t>(f.decision)];
    const auto& opts = options[static_cast<std::size_t>(f.decision)];
    if (f.option == opts.size()) {
      g.outline_.push_back(OutlineEntry{OutlineEntry::Kind::Join, f.decision, -1, f.depth, {}});
      stack.pop_back();
      continue;
    }
    const std::size_t i = f.option++;
    const std::string& label = step.choices[i].label;
    g.outline_.push_back(OutlineEntry{OutlineEntry::Kind::Option, f.decision, static_cast<int>(i), f.depth, label});
    const Pending from{g.step_node_[static_cast<std::size_t>(f.decision)], Edge::Kind::Choice, label};
    if (opts[i].empty()) {
      add_edge(from, f.join, Edge::Kind::Choice);
      continue;
    }
    Frame seq;
    seq.depth = f.depth + 1;
    seq.seq = opts[i];
    seq.pending = from;
    stack.push_back(std::move(seq));  // f is invalid from here on
  }

  const int end = static_cast<int>(g.nodes_.size());
  g.nodes_.push_back(Node{Node::Kind::End, "end", -1});
  add_edge(last, end, last.kind);

  g.out_.assign(g.nodes_.size(), {});
  g.in_.assign(g.nodes_.size(), {});
  for (std::size_t e = 0; e < g.edges_.size(); ++e) {
    g.out_[static_cast<std::size_t>(g.edges_[e].from)].push_back(static_cast<int>(e));
    g.in_[static_cast<std::size_t>(g.edges_[e].to)].push_back(static_cast<int>(e));
  }
  return g;
}

int StepGraph::node_of_step(int step) const {
  if (step < 0 || step >= static_cast<int>(step_node_.size())) return -1;
  return step_node_[static_cast<std::size_t>(step)];
}

std::vector<const Edge*> StepGraph::out_edges(int node) const {
  std::vector<const Edge*> result;
  if (node < 0 || node >= static_cast<int>(out_.size())) return result;
  for (int e : out_[static_cast<std::size_t>(node)]) result.push_back(&edges_[static_cast<std::size_t>(e)]);
  return result;
}

std::vector<const Edge*> StepGraph::in_edges(int node) const {
  std::vector<const Edge*> result;
  if (node < 0 || node >= static_cast<int>(in_.size())) return result;
  for (int e : in_[static_cast<std::size_t>(node)]) result.push_back(&edges_[static_cast<std::size_t>(e)]);
  return result;
}

namespace {

/// The step nodes nearest to `node` in one direction, walking through non-step nodes.
std::vector<int> nearest_steps(const StepGraph& g, int node, bool forward) {
  std::vector<int> result;
  if (node < 0) return result;
  std::vector<char> seen(g.nodes().size(), 0);
  std::deque<int> queue{node};
  seen[static_cast<std::size_t>(node)] = 1;
  while (!queue.empty()) {
    const int at = queue.front();
    queue.pop_front();
    for (const Edge* e : forward ? g.out_edges(at) : g.in_edges(at)) {
      const int to = forward ? e->to : e->from;
      if (seen[static_cast<std::size_t>(to)]) continue;
      seen[static_cast<std::size_t>(to)] = 1;
      const Node& target = g.nodes()[static_cast<std::size_t>(to)];
      if (target.kind == Node::Kind::Step)
        result.push_back(target.step);
      else
        queue.push_back(to);
    }
  }
  return result;
}

}  // namespace

std::vector<int> StepGraph::next_steps(int step) const {
  return nearest_steps(*this, node_of_step(step), true);
}

std::vector<int> StepGraph::depends_on(int step) const {
  return nearest_steps(*this, node_of_step(step), false);
}

std::vector<std::string> check(const StepGraph& graph) {
  std::vector<std::string> problems;
  const auto& nodes = graph.nodes();
  const std::size_t count = nodes.size();
  if (count < 2 || nodes.front().kind != Node::Kind::Start || nodes.back().kind != Node::Kind::End) {
    problems.push_back("the graph does not begin with a start node and finish with an end node");
    return problems;
  }
  for (const Edge& e : graph.edges())
    if (e.from < 0 || e.to < 0 || static_cast<std::size_t>(e.from) >= count ||
        static_cast<std::size_t>(e.to) >= count) {
      problems.push_back("an edge points outside the graph");
      return problems;
    }

  std::vector<int> step_nodes;
  for (std::size_t i = 0; i < count; ++i) {
    const Node& node = nodes[i];
    if (node.kind == Node::Kind::Start && i != 0) problems.push_back("a second start node: " + node.id);
    if (node.kind == Node::Kind::End && i + 1 != count) problems.push_back("a second end node: " + node.id);
    if (node.kind != Node::Kind::Step) continue;
    if (node.step < 0) {
      problems.push_back("step node without a step: " + node.id);
      continue;
    }
    if (static_cast<std::size_t>(node.step) >= step_nodes.size()) step_nodes.resize(static_cast<std::size_t>(node.step) + 1, 0);
    ++step_nodes[static_cast<std::size_t>(node.step)];
    if (graph.node_of_step(node.step) != static_cast<int>(i))
      problems.push_back("node_of_step does not lead back to node " + node.id);
  }
  for (std::size_t s = 0; s < step_nodes.size(); ++s)
    if (step_nodes[s] > 1) problems.push_back("step " + std::to_string(s) + " has several nodes");

  auto reach = [&](int from, bool forward) {
    std::vector<char> seen(count, 0);
    std::vector<int> todo{from};
    seen[static_cast<std::size_t>(from)] = 1;
    while (!todo.empty()) {
      const int at = todo.back();
      todo.pop_back();
      for (const Edge* e : forward ? graph.out_edges(at) : graph.in_edges(at)) {
        const int to = forward ? e->to : e->from;
        if (!seen[static_cast<std::size_t>(to)]) {
          seen[static_cast<std::size_t>(to)] = 1;
          todo.push_back(to);
        }
      }
    }
    return seen;
  };
  const auto from_start = reach(graph.start_node(), true);
  const auto to_end = reach(graph.end_node(), false);
  for (std::size_t i = 0; i < count; ++i) {
    if (!from_start[i]) problems.push_back("not reachable from start: " + nodes[i].id);
    if (!to_end[i]) problems.push_back("cannot reach end: " + nodes[i].id);
  }

  // Kahn's algorithm: whatever is left over sits on a cycle.
  std::vector<int> indegree(count, 0);
  for (const Edge& e : graph.edges()) ++indegree[static_cast<std::size_t>(e.to)];
  std::vector<int> ready;
  for (std::size_t i = 0; i < count; ++i)
    if (indegree[i] == 0) ready.push_back(static_cast<int>(i));
  std::size_t visited = 0;
  while (!ready.empty()) {
    const int at = ready.back();
    ready.pop_back();
    ++visited;
    for (const Edge* e : graph.out_edges(at))
      if (--indegree[static_cast<std::size_t>(e->to)] == 0) ready.push_back(e->to);
  }
  if (visited != count) problems.push_back("the graph has a cycle");
  return problems;
}

}  // namespace runbook::graph
