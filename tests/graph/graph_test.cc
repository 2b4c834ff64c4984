#include <doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/playbook_builder.h"

namespace {

using runbook::graph::Edge;
using runbook::graph::Node;
using runbook::graph::OutlineEntry;
using runbook::graph::StepGraph;
using runbook::testing::PlaybookBuilder;

/// "from -kind[label]-> to" for every edge, in order.
std::vector<std::string> edge_list(const StepGraph& g) {
  std::vector<std::string> out;
  for (const auto& e : g.edges()) {
    std::string s = g.nodes()[static_cast<std::size_t>(e.from)].id + " -" + runbook::graph::edge_kind_name(e.kind);
    if (!e.label.empty()) s += "[" + e.label + "]";
    s += "-> " + g.nodes()[static_cast<std::size_t>(e.to)].id;
    out.push_back(s);
  }
  return out;
}

/// Step ids for step indices.
std::vector<std::string> ids(const runbook::playbook::Playbook& pb, const std::vector<int>& steps) {
  std::vector<std::string> out;
  for (int s : steps) out.push_back(pb.steps[static_cast<std::size_t>(s)].id);
  return out;
}

/// "step:id@depth", "option:label@depth", "join:id@depth".
std::vector<std::string> outline(const runbook::playbook::Playbook& pb, const StepGraph& g) {
  std::vector<std::string> out;
  for (const auto& e : g.outline()) {
    const std::string depth = "@" + std::to_string(e.depth);
    switch (e.kind) {
      case OutlineEntry::Kind::Step: out.push_back("step:" + pb.steps[static_cast<std::size_t>(e.step)].id + depth); break;
      case OutlineEntry::Kind::Option: out.push_back("option:" + e.label + depth); break;
      case OutlineEntry::Kind::Join: out.push_back("join:" + pb.steps[static_cast<std::size_t>(e.step)].id + depth); break;
    }
  }
  return out;
}

/// Every step appears once in the outline, and the graph is sound.
void require_sound(const runbook::playbook::Playbook& pb, const StepGraph& g) {
  const auto problems = runbook::graph::check(g);
  INFO("problems: " << problems.size() << (problems.empty() ? "" : " first: " + problems.front()));
  CHECK(problems.empty());
  std::vector<int> seen(pb.steps.size(), 0);
  for (const auto& e : g.outline())
    if (e.kind == OutlineEntry::Kind::Step) ++seen[static_cast<std::size_t>(e.step)];
  for (std::size_t i = 0; i < seen.size(); ++i) {
    INFO("step " << i);
    CHECK(seen[i] == 1);
    CHECK(g.node_of_step(static_cast<int>(i)) >= 0);
  }
}

}  // namespace

TEST_CASE("an empty playbook is start -> end") {
  PlaybookBuilder b;
  const auto g = StepGraph::build(b.pb);
  CHECK(g.nodes().size() == 2);
  CHECK(edge_list(g) == std::vector<std::string>{"start -next-> end"});
  CHECK(g.outline().empty());
  CHECK(g.node_of_step(0) == -1);
  CHECK(g.next_steps(0).empty());
  require_sound(b.pb, g);
}

TEST_CASE("steps in document order form a chain") {
  PlaybookBuilder b;
  b.command("check", "kubectl get pods");
  b.checklist("confirm", "Confirm the alert");
  b.templ("notify", "Incident [ID] started");
  const auto g = StepGraph::build(b.pb);
  CHECK(edge_list(g) == std::vector<std::string>{"start -next-> check", "check -next-> confirm",
                                                 "confirm -next-> notify", "notify -next-> end"});
  REQUIRE(g.nodes().size() == 5);
  CHECK(g.nodes()[0].kind == Node::Kind::Start);
  CHECK(g.nodes()[1].kind == Node::Kind::Step);
  CHECK(g.nodes()[1].step == 0);
  CHECK(g.nodes()[4].kind == Node::Kind::End);
  CHECK(g.node_of_step(2) == 3);
  CHECK(ids(b.pb, g.next_steps(0)) == std::vector<std::string>{"confirm"});
  CHECK(g.next_steps(2).empty());
  CHECK(g.depends_on(0).empty());
  CHECK(ids(b.pb, g.depends_on(2)) == std::vector<std::string>{"confirm"});
  CHECK(outline(b.pb, g) == std::vector<std::string>{"step:check@0", "step:confirm@0", "step:notify@0"});
  CHECK(g.out_edges(1).size() == 1);
  CHECK(g.in_edges(1).size() == 1);
  CHECK(g.out_edges(99).empty());
  require_sound(b.pb, g);
}

TEST_CASE("an options decision branches and joins") {
  PlaybookBuilder b;
  b.command("diagnose", "kubectl get pods");
  b.options("decide", {{"Option 1: Rollback", {"rollback-1", "rollback-2"}}, {"Option 2: Scale", {"scale-1"}}});
  b.command("rollback-1", "kubectl rollout undo deploy/x", runbook::safety::Level::Mutating);
  b.command("rollback-2", "kubectl rollout status deploy/x");
  b.command("scale-1", "kubectl scale deploy/x --replicas=5", runbook::safety::Level::Mutating);
  b.checklist("verify", "Verify recovery");
  const auto g = StepGraph::build(b.pb);
  CHECK(edge_list(g) == std::vector<std::string>{
                            "start -next-> diagnose",
                            "diagnose -next-> decide",
                            "decide -choice[Option 1: Rollback]-> rollback-1",
                            "rollback-1 -next-> rollback-2",
                            "rollback-2 -join-> decide/join",
                            "decide -choice[Option 2: Scale]-> scale-1",
                            "scale-1 -join-> decide/join",
                            "decide/join -next-> verify",
                            "verify -next-> end",
                        });
  const int join = static_cast<int>(g.nodes().size()) - 2;
  CHECK(g.nodes()[static_cast<std::size_t>(join)].kind == Node::Kind::Join);
  CHECK(g.nodes()[static_cast<std::size_t>(join)].id == "decide/join");
  CHECK(g.nodes().back().id == "end");
  CHECK(ids(b.pb, g.next_steps(1)) == std::vector<std::string>{"rollback-1", "scale-1"});
  CHECK(ids(b.pb, g.next_steps(3)) == std::vector<std::string>{"verify"});
  CHECK(ids(b.pb, g.depends_on(5)) == std::vector<std::string>{"rollback-2", "scale-1"});
  CHECK(ids(b.pb, g.depends_on(2)) == std::vector<std::string>{"decide"});
  CHECK(outline(b.pb, g) == std::vector<std::string>{
                                "step:diagnose@0", "step:decide@0", "option:Option 1: Rollback@0",
                                "step:rollback-1@1", "step:rollback-2@1", "option:Option 2: Scale@0",
                                "step:scale-1@1", "join:decide@0", "step:verify@0"});
  require_sound(b.pb, g);
}

TEST_CASE("an options decision at the end joins into the end node") {
  PlaybookBuilder b;
  b.options("decide", {{"A", {"a"}}, {"B", {"b"}}});
  b.command("a", "true");
  b.command("b", "true");
  const auto g = StepGraph::build(b.pb);
  CHECK(edge_list(g).back() == "decide/join -next-> end");
  CHECK(g.next_steps(1).empty());
  require_sound(b.pb, g);
}

TEST_CASE("an empty option goes straight to the join") {
  PlaybookBuilder b;
  b.options("decide", {{"Option 1: Wait", {}}, {"Option 2: Act", {"act"}}});
  b.command("act", "systemctl restart x", runbook::safety::Level::Mutating);
  b.checklist("after", "Done");
  const auto g = StepGraph::build(b.pb);
  CHECK(edge_list(g) == std::vector<std::string>{
                            "start -next-> decide",
                            "decide -choice[Option 1: Wait]-> decide/join",
                            "decide -choice[Option 2: Act]-> act",
                            "act -join-> decide/join",
                            "decide/join -next-> after",
                            "after -next-> end",
                        });
  CHECK(ids(b.pb, g.next_steps(0)) == std::vector<std::string>{"act", "after"});
  CHECK(ids(b.pb, g.depends_on(2)) == std::vector<std::string>{"decide", "act"});
  CHECK(outline(b.pb, g) == std::vector<std::string>{"step:decide@0", "option:Option 1: Wait@0",
                                                     "option:Option 2: Act@0", "step:act@1", "join:decide@0",
                                                     "step:after@0"});
  require_sound(b.pb, g);
}

TEST_CASE("nested options decisions branch inside an option") {
  for (bool outer_lists_inner_steps : {true, false}) {
    CAPTURE(outer_lists_inner_steps);
    PlaybookBuilder b;
    b.command("a", "true");
    std::vector<std::string> first = {"x", "inner", "z"};
    if (outer_lists_inner_steps) first = {"x", "inner", "y1", "y2", "z"};
    b.options("outer", {{"Option 1", first}, {"Option 2", {"w"}}});
    b.command("x", "true");
    b.options("inner", {{"Option A", {"y1"}}, {"Option B", {"y2"}}});
    b.command("y1", "true");
    b.command("y2", "true");
    b.command("z", "true");
    b.command("w", "true");
    b.command("e", "true");
    const auto g = StepGraph::build(b.pb);
    CHECK(edge_list(g) == std::vector<std::string>{
                              "start -next-> a",
                              "a -next-> outer",
                              "outer -choice[Option 1]-> x",
                              "x -next-> inner",
                              "inner -choice[Option A]-> y1",
                              "y1 -join-> inner/join",
                              "inner -choice[Option B]-> y2",
                              "y2 -join-> inner/join",
                              "inner/join -next-> z",
                              "z -join-> outer/join",
                              "outer -choice[Option 2]-> w",
                              "w -join-> outer/join",
                              "outer/join -next-> e",
                              "e -next-> end",
                          });
    CHECK(outline(b.pb, g) == std::vector<std::string>{
                                  "step:a@0", "step:outer@0", "option:Option 1@0", "step:x@1", "step:inner@1",
                                  "option:Option A@1", "step:y1@2", "option:Option B@1", "step:y2@2",
                                  "join:inner@1", "step:z@1", "option:Option 2@0", "step:w@1", "join:outer@0",
                                  "step:e@0"});
    CHECK(ids(b.pb, g.depends_on(6)) == std::vector<std::string>{"y1", "y2"});
    CHECK(ids(b.pb, g.depends_on(8)) == std::vector<std::string>{"z", "w"});
    require_sound(b.pb, g);
  }
}

TEST_CASE("a nested decision as the last step of an option joins the outer join") {
  PlaybookBuilder b;
  b.options("outer", {{"O1", {"inner", "p", "q"}}, {"O2", {}}});
  b.options("inner", {{"I1", {"p"}}, {"I2", {"q"}}});
  b.command("p", "true");
  b.command("q", "true");
  const auto g = StepGraph::build(b.pb);
  CHECK(edge_list(g) == std::vector<std::string>{
                            "start -next-> outer",
                            "outer -choice[O1]-> inner",
                            "inner -choice[I1]-> p",
                            "p -join-> inner/join",
                            "inner -choice[I2]-> q",
                            "q -join-> inner/join",
                            "inner/join -join-> outer/join",
                            "outer -choice[O2]-> outer/join",
                            "outer/join -next-> end",
                        });
  require_sound(b.pb, g);
}

TEST_CASE("odd choices: unknown ids, self, earlier steps, repeats, gaps") {
  PlaybookBuilder b;
  b.command("before", "true");
  b.options("decide", {{"O1", {"missing", "decide", "before", "b", "b", "d"}}, {"O2", {"c", "b"}}});
  b.command("b", "true");
  b.command("c", "true");
  b.command("d", "true");
  b.command("after", "true");
  const auto g = StepGraph::build(b.pb);
  // O1 gets b and d (not contiguous), O2 gets c; "after" follows the join.
  CHECK(edge_list(g) == std::vector<std::string>{
                            "start -next-> before",
                            "before -next-> decide",
                            "decide -choice[O1]-> b",
                            "b -next-> d",
                            "d -join-> decide/join",
                            "decide -choice[O2]-> c",
                            "c -join-> decide/join",
                            "decide/join -next-> after",
                            "after -next-> end",
                        });
  require_sound(b.pb, g);
}

TEST_CASE("questions, conditionals and choice-less options are sequential") {
  PlaybookBuilder b;
  b.question("q", "Is the database up?", {"yes", "no"});
  b.question("c", "If latency > 1s", {"scale"}, runbook::playbook::DecisionForm::Conditional);
  b.options("empty", {});
  b.command("run", "true");
  const auto g = StepGraph::build(b.pb);
  CHECK(edge_list(g) == std::vector<std::string>{"start -next-> q", "q -next-> c", "c -next-> empty",
                                                 "empty -next-> run", "run -next-> end"});
  require_sound(b.pb, g);
}

TEST_CASE("two decisions claiming each other's steps still give a sound graph") {
  PlaybookBuilder b;
  b.options("d1", {{"A", {"d2", "x"}}, {"B", {"y"}}});
  b.options("d2", {{"C", {"d1", "y"}}, {"D", {"x"}}});
  b.command("x", "true");
  b.command("y", "true");
  const auto g = StepGraph::build(b.pb);
  require_sound(b.pb, g);
}

TEST_CASE("lookups outside the graph are empty, and an unbuilt graph fails check()") {
  PlaybookBuilder b;
  b.command("a", "true");
  const auto g = StepGraph::build(b.pb);
  CHECK(g.node_of_step(-1) == -1);
  CHECK(g.node_of_step(1) == -1);
  CHECK(g.depends_on(7).empty());
  CHECK(runbook::graph::check(StepGraph{}).size() == 1);
}

TEST_CASE("random decision structures always give a sound graph") {
  std::mt19937 rng(12345);
  for (int round = 0; round < 300; ++round) {
    CAPTURE(round);
    PlaybookBuilder b;
    const int n = 1 + static_cast<int>(rng() % 25);
    std::vector<std::string> names;
    for (int i = 0; i < n; ++i) names.push_back("s" + std::to_string(i));
    for (int i = 0; i < n; ++i) {
      if (rng() % 3 == 0) {
        std::vector<std::pair<std::string, std::vector<std::string>>> choices;
        const int options = static_cast<int>(rng() % 4);
        for (int o = 0; o < options; ++o) {
          std::vector<std::string> ids;
          const int k = static_cast<int>(rng() % 4);
          for (int j = 0; j < k; ++j) {
            const int pick = static_cast<int>(rng() % static_cast<unsigned>(n + 2));
            ids.push_back(pick < n ? names[static_cast<std::size_t>(pick)] : "nowhere");
          }
          choices.emplace_back("Option " + std::to_string(o + 1), ids);
        }
        b.options(names[static_cast<std::size_t>(i)], choices);
      } else {
        b.command(names[static_cast<std::size_t>(i)], "true");
      }
    }
    const auto g = StepGraph::build(b.pb);
    require_sound(b.pb, g);
    // Every branch's options are balanced in the outline.
    int depth = 0;
    for (const auto& e : g.outline()) {
      if (e.kind == OutlineEntry::Kind::Step) CHECK(e.depth <= depth + 1);
      depth = e.depth;
    }
  }
}

TEST_CASE("deeply nested options need no recursion") {
  PlaybookBuilder b;
  const int depth = 5000;
  for (int i = 0; i < depth; ++i) {
    const std::string next = i + 1 < depth ? "d" + std::to_string(i + 1) : "leaf";
    b.options("d" + std::to_string(i), {{"go", {next}}, {"skip", {}}});
  }
  b.command("leaf", "true");
  const auto g = StepGraph::build(b.pb);
  CHECK(runbook::graph::check(g).empty());
  CHECK(g.outline().back().kind == OutlineEntry::Kind::Join);
  CHECK(g.outline().back().depth == 0);
}
