#pragma once
// The safety rules as data: programs, subcommands, flags, wrappers and SQL statements,
// loaded from YAML (built-in default_rules.yaml first, then user override files).

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "safety/classifier.h"
#include "util/result.h"

namespace runbook::safety {

/// One rule: the level it gives, its stable id and a sentence saying why.
struct Rule {
  std::string id;                  ///< e.g. "kubectl.delete"; appears in verdicts
  Level level = Level::Mutating;   ///< the class it gives
  std::string reason;              ///< one sentence for a human
  std::string file;                ///< the rules file that defined it ("<built-in>" for defaults)
  int line = 0;                    ///< 1-based line in that file
  int generation = 0;              ///< 0 for built-ins, then 1, 2, ... for each override file
};

/// A rule triggered by an option such as `--force`, `-X DELETE` or `--dry-run=client`.
struct FlagRule {
  std::string key;                  ///< as written in the file: NAME or NAME=V1|V2
  std::string name;                 ///< option name, may contain `*` and `?`: "--data*"
  std::vector<std::string> values;  ///< value globs (any case); empty: any value; "": no value
  bool overrides = false;           ///< true: sets the level even lower (dry runs); false: only raises
  Rule rule;                        ///< level, id and reason
};

/// How a wrapper (sudo, watch, kubectl exec, bash -c, ...) finds the command it runs.
struct RunsSpec {
  std::vector<std::string> after;          ///< the command starts after the first of these words
  std::vector<std::string> until;          ///< and ends before the first of these words (find -exec ... ;)
  int command_at = -1;                     ///< or starts at this positional (0 = first after the subcommand)
  bool skip_assignments = false;           ///< NAME=VALUE positionals before the command are skipped (env)
  bool reparse = false;                    ///< the command's words are joined and re-split as shell (watch, ssh)
  std::vector<std::string> shell_options;  ///< options whose value is a shell script (bash -c)
  bool heredoc = false;                    ///< a heredoc fed to the program is a shell script
  std::string rest_as;                     ///< the words after the subcommand run as this program
};

/// Where a database client finds the SQL it runs.
struct SqlSpec {
  std::vector<std::string> options;  ///< options whose value is SQL (psql -c, mysql -e)
  int positional = -1;               ///< positional holding SQL (sqlite3 DB "SQL" is 1)
  bool heredoc = false;              ///< a heredoc fed to the program is SQL
};

/// The rule for a program (when no subcommand matches) or for one of its subcommands.
struct CommandRule {
  Rule rule;                                     ///< the level when nothing more specific applies
  std::optional<Rule> bare;                      ///< used instead when no positional argument follows
  std::vector<std::string> options_with_value;   ///< options that consume the next word
  std::vector<FlagRule> flags;                   ///< options that change the level
  std::optional<RunsSpec> runs;                  ///< set for wrappers
  std::optional<SqlSpec> sql;                    ///< set for SQL clients
};

/// Everything known about one program.
struct ProgramRules {
  std::string name;                                            ///< the program's base name
  std::vector<std::string> aliases;                            ///< other names it runs under
  bool ignore_case = false;                                    ///< subcommands match in any case (redis-cli)
  bool combined_short_flags = true;                            ///< `-rf` means `-r -f`
  std::vector<std::string> options_with_value;                 ///< options that consume the next word
  std::vector<FlagRule> flags;                                 ///< options that apply to every subcommand
  /// Globs over the program's other words (an awk program's text): a match raises the level.
  std::vector<FlagRule> arguments;
  CommandRule main;                                            ///< used when no subcommand matches
  std::vector<std::pair<std::string, CommandRule>> subcommands;  ///< "rollout status" -> rule
};

/// Rules for SQL text.
struct SqlRules {
  Rule unknown;                                             ///< statements nobody recognises
  std::vector<std::pair<std::string, Rule>> statements;     ///< "ALTER SYSTEM" -> rule (upper case)
  std::vector<std::pair<std::string, Rule>> functions;      ///< "pg_terminate_backend" -> rule
  std::vector<std::pair<std::string, Rule>> meta_commands;  ///< psql/sqlite meta command globs: "\\d*", ".tables"
};

/// Rules about the shell itself.
struct ShellRules {
  Rule redirect;                              ///< output redirected to a file (`> out.txt`)
  std::vector<std::string> harmless_targets;  ///< redirect targets that write nothing (/dev/null)
  int max_depth = 8;                          ///< wrapper nesting beyond this is Mutating
};

/// A built-in program whose rules are built on first use (see RuleSet::from_lazy_parts).
struct LazyProgram {
  std::string_view names;  ///< the program's name, then its aliases, separated by '\n'
  ProgramRules (*build)();
};

/// The full, merged rule set.
class RuleSet {
 public:
  RuleSet() = default;
  /// A copy has every program built, whatever the original had built so far.
  RuleSet(const RuleSet& other);
  RuleSet& operator=(const RuleSet& other);
  RuleSet(RuleSet&&) noexcept = default;
  RuleSet& operator=(RuleSet&&) noexcept = default;
  ~RuleSet() = default;

  /// The rules built into the binary (parsed once, then shared).
  static std::shared_ptr<const RuleSet> builtin();
  /// The text of the built-in rules file.
  static std::string_view builtin_yaml();
  /// Loads the built-in rules from YAML text the way the build does (the binary itself uses the
  /// C++ generated from default_rules.yaml at build time, so start-up parses no YAML).
  static util::Result<RuleSet> from_builtin_yaml(std::string_view yaml);
  /// Assembles a rule set from its parts.
  static RuleSet from_parts(std::vector<ProgramRules> programs, SqlRules sql, ShellRules shell, int generations);
  /// The same, but each program's rules are built the first time a command names it (or when
  /// all are asked for). Building all ~130 programs cost more than parsing a playbook, and a
  /// playbook names a handful. Safe to use from several threads.
  static RuleSet from_lazy_parts(const LazyProgram* programs, std::size_t count, SqlRules sql, ShellRules shell,
                                 int generations);

  /// Merges one YAML rules document; `file` names it in errors. Later rules with the same id win.
  std::optional<util::Error> merge_yaml(std::string_view yaml, const std::string& file);
  /// Reads `path` and merges it.
  std::optional<util::Error> merge_file(const std::string& path);

  /// The program known under `name` (its name or an alias), or nullptr.
  const ProgramRules* find_program(std::string_view name) const;
  /// The rule with this id, or nullptr (for tests and tools).
  const Rule* find_rule(std::string_view id) const;
  /// Every rule, in no particular order.
  std::vector<const Rule*> all_rules() const;
  /// The SQL rules.
  const SqlRules& sql() const { return sql_; }
  /// The shell rules.
  const ShellRules& shell() const { return shell_; }
  /// All programs, in definition order.
  const std::vector<ProgramRules>& programs() const {
    build_all();
    return programs_;
  }

 private:
  // Programs built on first use (from_lazy_parts): a slot each, filled once; programs_ is filled
  // (with copies) only when all programs are asked for.
  struct Lazy {
    const LazyProgram* table = nullptr;
    std::size_t count = 0;
    std::unique_ptr<std::once_flag[]> once;
    std::unique_ptr<std::unique_ptr<ProgramRules>[]> slots;
    std::once_flag all;
    std::vector<std::pair<std::string_view, std::size_t>> names, aliases;  ///< sorted, for lookups
  };
  const ProgramRules& built(std::size_t index) const;
  void build_all() const;
  friend class RulesLoader;
  friend std::string emit_cpp(const RuleSet& rules, std::string_view function);
  ProgramRules& program_slot(const std::string& name);
  void drop_replaced(int generation);

  mutable std::vector<ProgramRules> programs_;  ///< empty until build_all() when lazy_ is set
  std::unique_ptr<Lazy> lazy_;
  SqlRules sql_;
  ShellRules shell_;
  int generations_ = 0;
};

/// C++ source that rebuilds `rules` through RuleSet::from_parts in a function named `function`;
/// also a canonical text form for comparing rule sets in tests.
std::string emit_cpp(const RuleSet& rules, std::string_view function);

/// Parses a level name ("read-only", "mutating", "destructive").
std::optional<Level> parse_level(std::string_view name);

/// Glob match with `*` and `?`; `ignore_case` folds ASCII case.
bool glob_match(std::string_view pattern, std::string_view text, bool ignore_case = false);

}  // namespace runbook::safety
