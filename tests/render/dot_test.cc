#include <doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "render/render.h"
#include "render/render_test_util.h"

using runbook::render::Format;
using runbook::testing::render_as;
using runbook::testing::sample_playbook;

namespace {

bool have_dot() { return std::system("command -v dot >/dev/null 2>&1") == 0; }

/// Runs `dot -Tsvg` on the text; true when it succeeds and the SVG is not empty.
bool dot_accepts(const std::string& text) {
  static int counter = 0;
  const auto dir = std::filesystem::temp_directory_path();
  const std::string stem = "runbook-dot-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
  const auto in = dir / (stem + ".dot");
  const auto out = dir / (stem + ".svg");
  {
    std::ofstream f(in, std::ios::binary);
    f << text;
  }
  const std::string cmd = "dot -Tsvg '" + in.string() + "' -o '" + out.string() + "' >/dev/null";
  const bool ok = std::system(cmd.c_str()) == 0 && std::filesystem::exists(out) && std::filesystem::file_size(out) > 100;
  std::filesystem::remove(in);
  std::filesystem::remove(out);
  return ok;
}

}  // namespace

TEST_CASE("dot: shapes and colours by kind and safety") {
  const std::string out = render_as(sample_playbook(), Format::Dot);
  CHECK(out.rfind("digraph runbook {\n", 0) == 0);
  CHECK(out.find("label=\"start\", shape=circle") != std::string::npos);
  CHECK(out.find("label=\"end\", shape=doublecircle") != std::string::npos);
  CHECK(out.find("label=\"diagnosis-1\\ncommand · read-only\\nkubectl logs <pod-name> -n <namespace>\", shape=box, style=\"rounded,filled\", color=\"green\"") !=
        std::string::npos);
  CHECK(out.find("label=\"option-1-1\\ncommand · destructive\\nkubectl delete pod <pod-name>\", shape=box, style=\"rounded,filled,bold\", color=\"red\"") !=
        std::string::npos);
  CHECK(out.find("color=\"orange\"") != std::string::npos);
  CHECK(out.find("label=\"remediation-1\\ndecision\\nWhich option?\", shape=diamond") != std::string::npos);
  CHECK(out.find("shape=point") != std::string::npos);
  CHECK(out.find("[label=\"Option 1: Restart\", style=bold]") != std::string::npos);
  CHECK(out.find("[label=\"Option 2: Wait\", style=bold]") != std::string::npos);
  CHECK(out.find("[style=dashed]") != std::string::npos);
  CHECK(out.find("shape=folder") != std::string::npos);
  CHECK(out.back() == '\n');
}

TEST_CASE("dot: long texts are shortened") {
  runbook::testing::PlaybookBuilder b;
  b.command("long", std::string(200, 'x'));
  const std::string out = render_as(b.pb, Format::Dot);
  CHECK(out.find(std::string(40, 'x') + "…\"") != std::string::npos);
  CHECK(out.find(std::string(41, 'x')) == std::string::npos);
}

TEST_CASE("dot: output is valid for dot -Tsvg") {
  if (!have_dot()) {
    MESSAGE("graphviz dot not installed: skipped");
    return;
  }
  CHECK(dot_accepts(render_as(sample_playbook(), Format::Dot)));
  // Hostile labels: quotes, backslashes, braces, newlines, control bytes, invalid UTF-8.
  runbook::testing::PlaybookBuilder b("Evil \"title\" \\ } { \n -> x");
  b.command("id\"; n0 -> n1 [", "echo \"\\\" } ]; digraph { \x01 \xff");
  b.options("d\\", {{"lab\"el\\", {"s"}}, {"", {}}});
  b.snippet("s", "\"");
  runbook::render::Options options;
  options.vars["X"] = "\"quoted\"";
  const std::string out = render_as(b.pb, Format::Dot, options);
  CHECK(dot_accepts(out));
  CHECK(dot_accepts(render_as(runbook::testing::PlaybookBuilder("Empty").pb, Format::Dot)));
  // Several playbooks in one file: one digraph each, still valid.
  CHECK(dot_accepts(runbook::render::render_all({sample_playbook(), b.pb}, Format::Dot, options)));
}
