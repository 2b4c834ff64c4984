// libFuzzer target: arbitrary bytes through validation, parsing, the step graph, every renderer
// and lint. Crashes, sanitizer reports and broken invariants (abort with a message) are findings.
//
// Invariants checked for each playbook of an accepted input:
//   - every step id is non-empty, and ids are unique unless a "duplicate-step-id" finding says why;
//   - step, section, finding and playbook line numbers lie within the file;
//   - the graph has a start and an end node, passes graph::check, and its outline lists each
//     step exactly once;
//   - errors (refused input) carry a message.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "graph/graph.h"
#include "lint/lint.h"
#include "playbook/loader.h"
#include "render/render.h"
#include "util/source_file.h"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_parser: invariant broken: %s: %s\n", what, detail.c_str());
  std::abort();
}

#define FUZZ_CHECK(cond, detail) \
  do {                           \
    if (!(cond)) fail(#cond, (detail)); \
  } while (0)

int count_lines(std::string_view text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  if (!text.empty() && text.back() != '\n') ++n;
  return n;
}

bool has_finding(const runbook::playbook::Playbook& pb, std::string_view code) {
  for (const auto& f : pb.findings)
    if (f.code == code) return true;
  return false;
}

void check_playbook(const runbook::playbook::Playbook& pb, int file_lines) {
  using runbook::playbook::StepKind;
  auto in_file = [&](int line) { return line >= 1 && line <= file_lines; };
  FUZZ_CHECK(in_file(pb.range.first) && in_file(pb.range.last) && pb.range.first <= pb.range.last,
             "playbook range " + std::to_string(pb.range.first) + "-" + std::to_string(pb.range.last) + " of " +
                 std::to_string(file_lines) + " lines");
  std::set<std::string> ids;
  bool dup_ok = has_finding(pb, "duplicate-step-id");
  for (const auto& s : pb.steps) {
    FUZZ_CHECK(!s.id.empty(), "a step at line " + std::to_string(s.lines.first) + " has no id");
    FUZZ_CHECK(ids.insert(s.id).second || dup_ok, "step id " + s.id + " twice without a duplicate-step-id finding");
    FUZZ_CHECK(in_file(s.lines.first) && in_file(s.lines.last) && s.lines.first <= s.lines.last,
               "step " + s.id + " lines " + std::to_string(s.lines.first) + "-" + std::to_string(s.lines.last) +
                   " of " + std::to_string(file_lines));
    FUZZ_CHECK(s.section >= -1 && s.section < static_cast<int>(pb.sections.size()), "step " + s.id + " section");
    for (const auto& p : s.parts)
      FUZZ_CHECK(in_file(p.lines.first) && in_file(p.lines.last),
                 "step " + s.id + " part lines " + std::to_string(p.lines.first) + "-" + std::to_string(p.lines.last));
    for (const auto& c : s.choices)
      for (const auto& id : c.step_ids) FUZZ_CHECK(pb.step_index(id) >= 0, "choice of " + s.id + " names " + id);
  }
  for (const auto& sec : pb.sections) {
    FUZZ_CHECK(in_file(sec.line), "section \"" + sec.title + "\" at line " + std::to_string(sec.line));
    FUZZ_CHECK(sec.level >= 1 && sec.level <= 6, "section level " + std::to_string(sec.level));
    FUZZ_CHECK(sec.parent >= -1 && sec.parent < static_cast<int>(pb.sections.size()), "section parent");
  }
  for (const auto& f : pb.findings) {
    FUZZ_CHECK(!f.code.empty() && !f.message.empty(), "finding without code or message");
    FUZZ_CHECK(f.line == 0 || in_file(f.line), f.code + " finding at line " + std::to_string(f.line));
  }

  auto graph = runbook::graph::StepGraph::build(pb);
  const auto& nodes = graph.nodes();
  FUZZ_CHECK(nodes.size() >= 2, "graph has " + std::to_string(nodes.size()) + " nodes");
  FUZZ_CHECK(nodes[static_cast<std::size_t>(graph.start_node())].kind == runbook::graph::Node::Kind::Start,
             "first node is not the start");
  FUZZ_CHECK(nodes[static_cast<std::size_t>(graph.end_node())].kind == runbook::graph::Node::Kind::End,
             "last node is not the end");
  auto problems = runbook::graph::check(graph);
  FUZZ_CHECK(problems.empty(), problems.empty() ? std::string() : problems.front());
  std::vector<int> seen(pb.steps.size(), 0);
  for (const auto& e : graph.outline())
    if (e.kind == runbook::graph::OutlineEntry::Kind::Step) {
      FUZZ_CHECK(e.step >= 0 && e.step < static_cast<int>(pb.steps.size()), "outline step index");
      ++seen[static_cast<std::size_t>(e.step)];
    }
  for (std::size_t i = 0; i < seen.size(); ++i)
    FUZZ_CHECK(seen[i] == 1, "outline lists step " + pb.steps[i].id + " " + std::to_string(seen[i]) + " times");

  runbook::render::Options options;
  for (auto format : {runbook::render::Format::Text, runbook::render::Format::Markdown, runbook::render::Format::Json,
                      runbook::render::Format::Dot}) {
    std::string out = runbook::render::render(pb, graph, format, options);
    FUZZ_CHECK(!out.empty(), std::string("empty ") + runbook::render::format_name(format) + " rendering");
  }
  options.color = true;
  (void)runbook::render::render(pb, graph, runbook::render::Format::Text, options);

  for (const auto& d : runbook::lint::lint_playbook(pb)) {
    FUZZ_CHECK(!d.code.empty() && !d.message.empty(), "lint diagnostic without code or message");
    FUZZ_CHECK(d.line == 0 || in_file(d.line), d.code + " diagnostic at line " + std::to_string(d.line));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  auto source = runbook::util::check_source_text("fuzz.md", std::move(bytes));
  if (!source) {
    FUZZ_CHECK(!source.error().message.empty(), "refusal without a message");
    return 0;
  }
  auto loaded = runbook::playbook::load_source(*source);
  if (!loaded) {
    FUZZ_CHECK(!loaded.error().message.empty(), "parse error without a message");
    return 0;
  }
  FUZZ_CHECK(!loaded->empty(), "load_source returned no playbook");
  FUZZ_CHECK(!loaded->front().embedded, "the first playbook is an embedded one");
  int lines = count_lines(source->text);
  for (const auto& pb : *loaded) {
    if (lines == 0) {
      FUZZ_CHECK(pb.steps.empty(), "steps in an empty file");
      continue;  // an empty file has no line to point at
    }
    check_playbook(pb, lines);
  }
  return 0;
}
