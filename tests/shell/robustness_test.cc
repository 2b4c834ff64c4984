#include <doctest.h>

#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "shell/quote.h"
#include "shell/splitter.h"
#include "shell/variables.h"
#include "shell/words.h"

namespace shell = runbook::shell;

namespace {

// Exercises every entry point; the checks are the invariants that must hold for any input.
void run_all(const std::string& s) {
  auto cmds = shell::split_commands(s);
  int previous_last = -1;
  for (const auto& c : cmds) {
    CHECK(c.first_line <= c.last_line);
    CHECK(c.first_line >= previous_last);
    CHECK_FALSE(c.text.empty());
    CHECK(s.find(c.text) != std::string::npos);
    previous_last = c.last_line;
  }
  (void)shell::simple_commands(s);
  (void)shell::split_words(s);
  for (const auto& r : shell::referenced_variables(s)) CHECK_FALSE(r.name.empty());
  (void)shell::assigned_names(s);
  (void)shell::strip_console_prompts(s);
}

// CPU time, not wall time: other builds share the machine. Sanitizers slow everything ~10x.
#ifdef __SANITIZE_ADDRESS__
constexpr double kSlowdown = 10.0;
#else
constexpr double kSlowdown = 1.0;
#endif

double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

}  // namespace

TEST_CASE("shell: hostile fragments never crash") {
  const std::vector<std::string> fragments = {
      "", "\\", "'", "\"", "`", "$", "${", "$(", "$((", "((", "))", "<<", "<<-", "<<'", "<<EOF", "<<\"\"",
      "case", "esac", "in", ")", "(", "{", "}", "fi", "done", "function", "f()", ";;", "&", "|", "#",
      "\n", "\r\n", "\\\n", "$'\\", "${#", "${!", "[[", "]]", "<(", ">(", "arr=(", "for", "do", "\t"};
  for (const auto& a : fragments)
    for (const auto& b : fragments) run_all(a + b + "\n" + b + a);
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    std::string s;
    for (int k = 0; k < 40; ++k) s += fragments[rng() % fragments.size()] + (rng() % 3 ? " " : "x");
    run_all(s);
  }
}

TEST_CASE("split_commands: 1 MB of input splits quickly") {
  std::string block =
      "# Check pods\n"
      "kubectl get pods -n web | grep -v Running\n"
      "curl -X POST https://example.com \\\n"
      "  -d '{\n"
      "    \"a\": 1\n"
      "  }'\n"
      "for i in 1 2; do echo \"$i ${X:-y}\"; done\n"
      "cat <<EOF\nbody\nEOF\n\n";
  std::string big;
  while (big.size() < (1u << 20)) big += block;
  double t0 = cpu_seconds();
  auto cmds = shell::split_commands(big);
  double elapsed = cpu_seconds() - t0;
  CHECK(cmds.size() == 4 * (big.size() / block.size()));
  CHECK(cmds.back().label.empty());
  CHECK(elapsed < 0.5 * kSlowdown);
}

TEST_CASE("shell: pathological nesting stays fast") {
  const std::vector<std::string> units = {"$(", "((", "${a:-", "\"$(", "<<A ", "`", "{ ", "if ", "'", "( "};
  for (const auto& unit : units) {
    std::string s;
    while (s.size() < 200000) s += unit;
    CAPTURE(unit);
    double t0 = cpu_seconds();
    run_all(s);
    CHECK(cpu_seconds() - t0 < 2.0 * kSlowdown);
  }
}
