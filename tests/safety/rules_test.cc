// Loading rule files: the built-in rules, overrides, and clear errors for bad files.
#include <doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "safety/classifier.h"
#include "safety/rules.h"

using runbook::safety::Classifier;
using runbook::safety::Level;
using runbook::safety::RuleSet;

namespace {

// A rules file in the temp directory, removed at the end of the test.
class TempRules {
 public:
  TempRules(const std::string& name, const std::string& text)
      : path_(std::filesystem::temp_directory_path() / ("runbook-safety-" + name + ".yaml")) {
    std::ofstream(path_) << text;
  }
  ~TempRules() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

std::string load_error(const std::string& name, const std::string& text) {
  TempRules f(name, text);
  auto c = Classifier::with_overrides({f.path()});
  if (c.ok()) return "";
  return c.error().describe();
}

}  // namespace

TEST_CASE("the built-in rules load and every rule has an id and a reason") {
  auto rules = RuleSet::builtin();
  REQUIRE(rules);
  CHECK(rules->programs().size() > 80);
  for (const auto* r : rules->all_rules()) {
    CHECK_MESSAGE(!r->id.empty(), "rule at line " << r->line);
    CHECK_MESSAGE(!r->reason.empty(), r->id);
  }
  REQUIRE(rules->find_rule("kubectl.delete"));
  CHECK(rules->find_rule("kubectl.delete")->level == Level::Destructive);
  CHECK(rules->find_rule("kubectl.rollout.status")->level == Level::ReadOnly);
  CHECK(rules->find_rule("sql.pg_terminate_backend")->level == Level::Destructive);
  CHECK(rules->find_program("oc") == rules->find_program("kubectl"));
  CHECK(rules->find_program("no-such-program") == nullptr);
  CHECK(RuleSet::builtin_yaml().find("programs:") != std::string_view::npos);
}

TEST_CASE("glob_match") {
  using runbook::safety::glob_match;
  CHECK(glob_match("--data*", "--data-raw"));
  CHECK(glob_match("--data*", "--data"));
  CHECK_FALSE(glob_match("--data*", "--dat"));
  CHECK(glob_match("* describe-*", "ec2 describe-instances"));
  CHECK(glob_match("a?c", "abc"));
  CHECK_FALSE(glob_match("GET", "get"));
  CHECK(glob_match("GET", "get", true));
  CHECK(glob_match("*", ""));
}

TEST_CASE("an override file can relax a built-in rule by id") {
  TempRules f("drain", R"(
programs:
  kubectl:
    subcommands:
      drain: {level: mutating, reason: "our nodes are cattle; draining is routine"}
)");
  auto c = Classifier::with_overrides({f.path()});
  REQUIRE(c.ok());
  auto v = c->classify_shell("kubectl drain node-7 --ignore-daemonsets --delete-emptydir-data");
  CHECK(v.level == Level::Mutating);
  CHECK(v.rule == "kubectl.drain");
  CHECK(v.reason == "our nodes are cattle; draining is routine");
  // Everything else about kubectl is kept.
  CHECK(c->classify_shell("kubectl get pods").level == Level::ReadOnly);
  CHECK(c->classify_shell("kubectl delete pod x").level == Level::Destructive);
  // The default classifier is unchanged.
  CHECK(Classifier().classify_shell("kubectl drain node-7").level == Level::Destructive);
}

TEST_CASE("an override can replace a rule with the same id defined elsewhere") {
  TempRules f("by-id", R"(
programs:
  kubectl:
    subcommands:
      "drain *": {id: kubectl.drain, level: read-only, reason: "drain with a node name is fine here"}
)");
  auto c = Classifier::with_overrides({f.path()});
  REQUIRE(c.ok());
  auto v = c->classify_shell("kubectl drain node-1");
  CHECK(v.level == Level::ReadOnly);
  CHECK(v.rule == "kubectl.drain");
  // The old `drain` rule with that id is gone: bare `kubectl drain` falls to the kubectl default.
  CHECK(c->classify_shell("kubectl drain").rule == "kubectl");
}

TEST_CASE("override files add new programs and mark programs read-only or destructive") {
  TempRules first("new-programs", R"(
version: 1
programs:
  pgcli-report: read-only
  chaosctl:
    default: {level: destructive, reason: "chaosctl breaks things on purpose"}
    subcommands:
      status: read-only
      "experiment list": {level: read-only, reason: "lists experiments"}
    flags:
      "--simulate": {level: read-only, overrides: true, reason: "nothing is broken in simulation"}
  kubectl: destructive
)");
  TempRules second("later", R"(
programs:
  pgcli-report: {default: mutating}
)");
  auto c = Classifier::with_overrides({first.path(), second.path()});
  REQUIRE(c.ok());
  CHECK(c->classify_shell("chaosctl status").level == Level::ReadOnly);
  CHECK(c->classify_shell("chaosctl experiment list --all").level == Level::ReadOnly);
  CHECK(c->classify_shell("chaosctl experiment list --all").rule == "chaosctl.experiment.list");
  auto v = c->classify_shell("chaosctl kill-az us-east-1a");
  CHECK(v.level == Level::Destructive);
  CHECK(v.rule == "chaosctl");
  CHECK(v.reason == "chaosctl breaks things on purpose");
  CHECK(c->classify_shell("chaosctl kill-az us-east-1a --simulate").level == Level::ReadOnly);
  // A scalar replaces everything known about a program.
  CHECK(c->classify_shell("kubectl get pods").level == Level::Destructive);
  // The later file wins.
  CHECK(c->classify_shell("pgcli-report --daily").level == Level::Mutating);
  // A new program works inside wrappers too.
  CHECK(c->classify_shell("sudo chaosctl status | grep ok").level == Level::ReadOnly);
}

TEST_CASE("SQL rules can be overridden") {
  TempRules f("sql", R"(
sql:
  statements:
    vacuum: read-only
  functions:
    app_purge_tenant: {level: destructive, reason: "app_purge_tenant deletes a tenant"}
)");
  auto c = Classifier::with_overrides({f.path()});
  REQUIRE(c.ok());
  CHECK(c->classify_sql("VACUUM orders").level == Level::ReadOnly);
  CHECK(c->classify_sql("VACUUM orders").rule == "sql.vacuum");
  CHECK(c->classify_sql("SELECT app_purge_tenant(42)").level == Level::Destructive);
  CHECK(c->classify_shell("psql -c 'select app_purge_tenant(42)'").level == Level::Destructive);
}

TEST_CASE("an empty override file changes nothing") {
  TempRules f("empty", "# nothing here\n");
  auto c = Classifier::with_overrides({f.path()});
  REQUIRE(c.ok());
  CHECK(c->classify_shell("kubectl delete pod x").level == Level::Destructive);
}

TEST_CASE("bad rule files give errors naming the file and line") {
  std::string e = load_error("bad-level", "programs:\n  kubectl:\n    subcommands:\n      get: readonly\n");
  CHECK(e.find("runbook-safety-bad-level.yaml:4:") != std::string::npos);
  CHECK(e.find("invalid level 'readonly'") != std::string::npos);

  e = load_error("bad-key", "programs:\n  kubectl:\n    subcomands:\n      get: read-only\n");
  CHECK(e.find("runbook-safety-bad-key.yaml:3:") != std::string::npos);
  CHECK(e.find("unknown key 'subcomands'") != std::string::npos);

  e = load_error("bad-yaml", "programs:\n  kubectl: [unclosed\n");
  CHECK(e.find("runbook-safety-bad-yaml.yaml:") != std::string::npos);
  CHECK(e.find("invalid YAML") != std::string::npos);

  e = load_error("no-level", "programs:\n  foo:\n    default: {reason: \"x\"}\n");
  CHECK(e.find(":3:") != std::string::npos);
  CHECK(e.find("needs a 'level'") != std::string::npos);

  e = load_error("bad-flag", "programs:\n  foo:\n    flags:\n      force: destructive\n");
  CHECK(e.find(":4:") != std::string::npos);
  CHECK(e.find("must start with '-'") != std::string::npos);

  e = load_error("bad-top", "rules: []\n");
  CHECK(e.find("unknown key 'rules'") != std::string::npos);

  e = load_error("bad-version", "version: 2\n");
  CHECK(e.find("unsupported rules version") != std::string::npos);

  e = load_error("bad-runs", "programs:\n  foo:\n    runs: {command_at: -1}\n");
  CHECK(e.find("non-negative integer") != std::string::npos);

  e = load_error("unsafe-unknown", "sql:\n  unknown: read-only\n");
  CHECK(e.find("must not be read-only") != std::string::npos);

  e = load_error("not-a-map", "- just\n- a list\n");
  CHECK(e.find("must be a mapping") != std::string::npos);

  auto missing = Classifier::with_overrides({"/nonexistent/dir/rules.yaml"});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().file == "/nonexistent/dir/rules.yaml");
}

TEST_CASE("a failed merge leaves the rule set unchanged") {
  RuleSet set = *RuleSet::builtin();
  auto err = set.merge_yaml("programs:\n  kubectl:\n    subcommands:\n      get: destructive\n  foo: bogus\n", "x.yaml");
  REQUIRE(err.has_value());
  CHECK(err->line == 5);
  CHECK(set.find_rule("kubectl.get")->level == Level::ReadOnly);
}
