#include <doctest.h>

#include "safety/rules.h"

using runbook::safety::emit_cpp;
using runbook::safety::RuleSet;

TEST_CASE("the compiled built-in rules are exactly the YAML they were generated from") {
  auto from_yaml = RuleSet::from_builtin_yaml(RuleSet::builtin_yaml());
  REQUIRE(from_yaml.ok());
  std::string compiled = emit_cpp(*RuleSet::builtin(), "f");
  CHECK(compiled == emit_cpp(*from_yaml, "f"));
  CHECK(RuleSet::builtin()->programs().size() > 100);
  REQUIRE(RuleSet::builtin()->find_rule("kubectl.delete"));
  CHECK(RuleSet::builtin()->find_rule("kubectl.delete")->level == runbook::safety::Level::Destructive);
}

TEST_CASE("the emitter escapes strings so that any rule text survives") {
  auto r = RuleSet::from_builtin_yaml(
      "programs:\n  weird:\n    default: {level: read-only, reason: \"quote \\\" backslash \\\\ tab\\t \\u00e9 1\"}\n");
  REQUIRE(r.ok());
  std::string code = emit_cpp(*r, "f");
  CHECK(code.find("quote \\\" backslash \\\\ tab\\011 \\303\\251 1") != std::string::npos);
}
