// Classifier behaviour beyond the table: verdict fields, wrappers, bounds and helpers.
#include <doctest.h>

#include <string>

#include "safety/classifier.h"

using runbook::safety::Classifier;
using runbook::safety::Level;
using runbook::safety::Verdict;

TEST_CASE("level names and ordering") {
  CHECK(std::string(runbook::safety::level_name(Level::ReadOnly)) == "read-only");
  CHECK(std::string(runbook::safety::level_name(Level::Mutating)) == "mutating");
  CHECK(std::string(runbook::safety::level_name(Level::Destructive)) == "destructive");
  Verdict a{Level::Mutating, "a", "", ""};
  Verdict b{Level::Mutating, "b", "", ""};
  Verdict c{Level::Destructive, "c", "", ""};
  CHECK(runbook::safety::worse(a, b).rule == "a");
  CHECK(runbook::safety::worse(a, c).rule == "c");
  CHECK(runbook::safety::worse(c, a).rule == "c");
}

TEST_CASE("a verdict names the rule, a reason and the subject") {
  Classifier c;
  auto v = c.classify_shell("kubectl get pods -n payments | grep Crash && kubectl delete pod checkout-0 -n payments");
  CHECK(v.level == Level::Destructive);
  CHECK(v.rule == "kubectl.delete");
  CHECK(v.reason == "kubectl delete removes resources");
  CHECK(v.subject == "kubectl delete pod checkout-0 -n payments");

  v = c.classify_shell("psql -c \"SELECT 1; DELETE FROM jobs WHERE done\"");
  CHECK(v.rule == "sql.delete");
  CHECK(v.subject == "DELETE FROM jobs WHERE done");

  v = c.classify_shell("kubectl get deploy -o yaml > deploy.yaml");
  CHECK(v.rule == "shell.redirect");
  CHECK(v.subject == "> deploy.yaml");
}

TEST_CASE("unknown commands are mutating, never read-only") {
  Classifier c;
  for (const char* cmd : {"foo", "foo --help", "my-script.sh", "/opt/tools/bin/dangerous --yes", "\"$TOOL\" run",
                          "sudo foo", "watch foo", "xargs foo", "timeout 5 foo", "env A=1 foo", "nice foo",
                          "bash -c foo", "ssh host foo", "find . -exec foo {} \\;", "kubectl exec pod -- foo"}) {
    auto v = c.classify_shell(cmd);
    INFO(cmd << " -> " << v.rule);
    CHECK(v.level >= Level::Mutating);
  }
  auto v = c.classify_shell("foo bar");
  CHECK(v.rule == "default.unknown");
  CHECK(v.subject == "foo bar");
  CHECK(v.reason.find("foo") != std::string::npos);
  // A wrapper that is itself mutating keeps its own rule for an unknown inner command.
  CHECK(c.classify_shell("kubectl exec pod -- foo").rule == "kubectl.exec");
  CHECK(c.classify_shell("sudo foo").rule == "sudo");
}

TEST_CASE("empty and comment-only commands are read-only") {
  Classifier c;
  CHECK(c.classify_shell("").level == Level::ReadOnly);
  CHECK(c.classify_shell("   \n  ").level == Level::ReadOnly);
  CHECK(c.classify_shell("# restart only if the error rate stays high").level == Level::ReadOnly);
  CHECK(c.classify_shell("").rule == "default.empty");
}

TEST_CASE("recursion through wrappers is bounded") {
  Classifier c;
  std::string cmd = "kubectl get pods";
  for (int i = 0; i < 40; ++i) cmd = "sudo " + cmd;
  auto v = c.classify_shell(cmd);
  CHECK(v.level == Level::Mutating);
  CHECK(v.rule == "default.too-deep");

  std::string nested = "kubectl get pods";
  for (int i = 0; i < 4; ++i) nested = "watch " + nested;
  CHECK(c.classify_shell(nested).level == Level::ReadOnly);
}

TEST_CASE("PromQL is read-only") {
  Classifier c;
  auto v = c.classify_promql("sum(rate(http_requests_total{status=~\"5..\"}[5m])) by (service)");
  CHECK(v.level == Level::ReadOnly);
  CHECK(v.rule == "promql.query");
}

TEST_CASE("the SQL inside shell commands is classified") {
  Classifier c;
  CHECK(c.classify_shell("psql -c 'EXPLAIN ANALYZE DELETE FROM jobs'").level == Level::Destructive);
  CHECK(c.classify_shell("psql -c 'EXPLAIN DELETE FROM jobs'").level == Level::ReadOnly);
  CHECK(c.classify_shell("psql --command='SELECT 1'").level == Level::ReadOnly);
  CHECK(c.classify_shell("mysql --execute='SHOW SLAVE STATUS'").level == Level::ReadOnly);
  CHECK(c.classify_shell("sqlite3 app.db 'PRAGMA journal_mode=WAL'").level == Level::Mutating);
  CHECK(c.classify_shell("psql -f cleanup.sql -c 'select 1'").rule == "psql.file");
}

TEST_CASE("a copy of a classifier shares its rules") {
  Classifier a;
  Classifier b = a;
  CHECK(b.classify_shell("kubectl get pods").level == Level::ReadOnly);
  Classifier d(nullptr);
  CHECK(d.classify_shell("kubectl delete pod x").level == Level::Destructive);
}
