#include <doctest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "safety/classifier.h"
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

namespace runbook::safety {
RuleSet make_builtin_rules();  // generated; each call gives a fresh set whose programs are built lazily
}

TEST_CASE("built-in programs are built on first use, by name or alias, from any number of threads") {
  using runbook::safety::Classifier;
  using runbook::safety::Level;
  const auto eager = RuleSet::from_builtin_yaml(RuleSet::builtin_yaml());
  REQUIRE(eager.ok());
  auto lazy = std::make_shared<const RuleSet>(runbook::safety::make_builtin_rules());
  // Lookups by name and by alias find the same program as the eagerly loaded set.
  for (const char* name : {"kubectl", "oc", "psql", "docker", "rm", "no-such-program"}) {
    CAPTURE(name);
    const auto* a = lazy->find_program(name);
    const auto* b = eager->find_program(name);
    REQUIRE((a == nullptr) == (b == nullptr));
    if (a) CHECK(a->name == b->name);
  }
  // Eight threads classify the same commands on a fresh lazy set at once: each program is built
  // exactly once and every thread sees the same verdicts as the eager set gives.
  auto fresh = std::make_shared<const RuleSet>(runbook::safety::make_builtin_rules());
  const std::vector<std::string> commands = {
      "kubectl get pods -n prod", "kubectl delete pod x --grace-period=0", "oc rollout restart deploy/x",
      "docker ps", "rm -rf /tmp/x", "psql -c 'DROP TABLE t'", "systemctl restart nginx", "redis-cli FLUSHDB",
      "curl -X POST http://x", "git push --force", "sudo iptables -F", "watch kubectl top pods"};
  const Classifier reference(std::make_shared<const RuleSet>(*eager));
  std::vector<std::thread> threads;
  std::vector<std::vector<Level>> seen(8);
  for (std::size_t t = 0; t < seen.size(); ++t)
    threads.emplace_back([&, t] {
      const Classifier c(fresh);
      for (std::size_t i = 0; i < commands.size(); ++i) seen[t].push_back(c.classify_shell(commands[(i + t) % commands.size()]).level);
    });
  for (auto& th : threads) th.join();
  for (std::size_t t = 0; t < seen.size(); ++t)
    for (std::size_t i = 0; i < commands.size(); ++i) {
      CAPTURE(commands[(i + t) % commands.size()]);
      CHECK(seen[t][i] == reference.classify_shell(commands[(i + t) % commands.size()]).level);
    }
  CHECK(fresh->programs().size() == eager->programs().size());  // asking for all builds the rest
}
