#pragma once
// Safety classes of commands, decided by rules that live in a YAML data file.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace runbook::safety {

/// How much a command can change the world. Ordered: a higher value is more dangerous.
enum class Level { ReadOnly = 0, Mutating = 1, Destructive = 2 };

/// "read-only", "mutating", "destructive".
const char* level_name(Level level);

/// The class a command got and why.
struct Verdict {
  Level level = Level::Mutating;
  std::string rule;    ///< id of the rule that decided it, e.g. "kubectl.delete" or "default.unknown"
  std::string reason;  ///< one sentence for a human: "kubectl delete removes resources"
  std::string subject; ///< the part of the text the rule matched, e.g. "kubectl delete pod x"
};

/// The more dangerous of two verdicts (the first wins ties).
const Verdict& worse(const Verdict& a, const Verdict& b);

class RuleSet;

/// Classifies commands. Unknown commands are Mutating, never ReadOnly.
class Classifier {
 public:
  /// Uses the rules built into the binary (engine/safety/default_rules.yaml).
  Classifier();
  explicit Classifier(std::shared_ptr<const RuleSet> rules);

  /// Loads the built-in rules, then each override file in order (later files win).
  static util::Result<Classifier> with_overrides(const std::vector<std::string>& rule_files);

  /// One shell command (as split by shell::split_commands); pipelines, `watch`, `sudo`,
  /// `kubectl exec -- ...`, `bash -c '...'`, `psql -c "..."` are judged by what they run.
  Verdict classify_shell(std::string_view command) const;
  /// A SQL text (one or more statements).
  Verdict classify_sql(std::string_view sql) const;
  /// A PromQL query: read-only.
  Verdict classify_promql(std::string_view query) const;

 private:
  std::shared_ptr<const RuleSet> rules_;
};

}  // namespace runbook::safety
