#pragma once
// The playbook model: what the parser extracts from markdown. Plain, immutable-after-build data.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "safety/classifier.h"

namespace runbook::playbook {

/// 1-based inclusive line range in the original file.
struct LineRange {
  int first = 0;
  int last = 0;
};

/// A severity, normalised to a rank (0 = Critical, 1 = High, 2 = Medium, 3 = Low, 4 = Info).
struct Severity {
  int rank = -1;
  std::string label;   ///< normalised: "P0", "SEV2", "Critical"
  std::string name;    ///< the class word: "Critical", "High", ...
  std::string source;  ///< the text it came from, e.g. "P0 - Critical"
  int line = 0;
};

/// A time range parsed from text such as "Immediate (0-5 minutes)", "< 15 min", "30 minutes".
struct Duration {
  std::chrono::seconds min{0};
  std::chrono::seconds max{0};
};

/// A bold-label line like `**Impact**: ...`.
struct MetadataField {
  std::string key;    ///< as written, without the colon: "Response Time"
  std::string value;  ///< the text after the colon, white space collapsed
  int line = 0;
  std::optional<Duration> duration;  ///< when the value states a time
};

/// An alert this playbook handles.
struct Alert {
  std::string name;
  int line = 0;
  std::string source;  ///< "alert-line", "detection-list", "front-matter"
};

/// A heading and its place in the tree.
struct Section {
  std::string title;
  int level = 0;  ///< 1..6
  int line = 0;
  std::string slug;
  int parent = -1;  ///< index into Playbook::sections, -1 at the top
  std::vector<int> children;
};

/// What a step is.
enum class StepKind { Command, Snippet, Checklist, Decision, Template };
/// "command", "snippet", "checklist", "decision", "template".
const char* kind_name(StepKind kind);

/// The interpreter a command step needs.
enum class Interpreter { None, Shell, Sql, PromQL };
/// "none", "shell", "sql", "promql".
const char* interpreter_name(Interpreter interpreter);

/// The syntax a placeholder was written in.
enum class VarSyntax { Angle, DollarBrace, Dollar, Bracket, Mustache };
/// "angle", "dollar-brace", "dollar", "bracket", "mustache".
const char* var_syntax_name(VarSyntax syntax);

/// A value a step needs before it can run.
struct Variable {
  std::string name;       ///< as written inside the markers: "pod-name", "INCIDENT_ID", "Name"
  std::string written;    ///< the full placeholder: "<pod-name>", "${INCIDENT_ID}", "[Name]"
  std::string key;        ///< canonical binding key: upper-case, '-', '.', ' ' and '/' as '_': "POD_NAME"
  VarSyntax syntax = VarSyntax::Dollar;
  bool secret = false;    ///< the name looks like a secret (PASSWORD, TOKEN, SECRET, KEY, ...)
  bool has_default = false;
  int line = 0;           ///< first line (in the file) where it appears in the step
};

/// One top-level command of a shell command step.
struct CommandPart {
  std::string text;
  std::string label;
  LineRange lines;
  safety::Verdict safety;
};

/// One way out of a decision.
struct Choice {
  std::string label;                  ///< "Option 1: Rollback Deployment", "yes", a question
  std::string detail;                 ///< nested guidance text, if any
  int section = -1;                   ///< the option's section, for option decisions
  std::vector<std::string> step_ids;  ///< steps taken on this branch, in order
  int line = 0;
};

/// The shape of a decision.
enum class DecisionForm { Options, Questions, Conditional };
/// "options", "questions", "conditional".
const char* decision_form_name(DecisionForm form);

/// A unit of the playbook the operator acts on.
struct Step {
  std::string id;       ///< stable: section path slug + position in the section
  StepKind kind = StepKind::Snippet;
  LineRange lines;
  int section = -1;     ///< index into Playbook::sections; -1 before the first heading
  std::string context;  ///< the prose before the step in its section

  // Fenced blocks (command, snippet, template).
  std::string info;          ///< the raw info string: "bash {timeout=30s}"
  std::string language;      ///< first word of the info string, lower-case; "" for untyped
  Interpreter interpreter = Interpreter::None;
  std::map<std::string, std::string> attributes;  ///< from `{key=value ...}` in the info string
  std::string body;          ///< block content, or the item text for checklist/decision steps
  std::vector<CommandPart> parts;  ///< shell commands, split; one part for sql/promql
  std::string inferred_because;    ///< set when the interpreter was inferred, not declared

  std::vector<Variable> variables;
  safety::Verdict safety;    ///< the worst verdict of the parts (command steps only)

  // Checklist items.
  bool checked = false;
  std::vector<std::string> hints;

  // Decisions.
  DecisionForm form = DecisionForm::Options;
  std::string question;
  std::vector<Choice> choices;

  // A markdown fence holding an embedded playbook.
  std::string embedded_title;
};

/// A problem the parser noticed; lint reports these with more of its own.
struct Finding {
  enum class Level { Warning, Error } level = Level::Warning;
  std::string code;     ///< short id: "unterminated-fence", "mis-nested-fence", ...
  std::string message;
  int line = 0;
};

/// One playbook: a whole file, or one embedded in a ````markdown fence of a larger file.
struct Playbook {
  std::string path;        ///< the file it came from
  std::string title;       ///< first H1, else front matter title, else file name
  int title_line = 0;
  bool embedded = false;
  LineRange range;         ///< lines of the file this playbook covers
  std::string source_sha256;

  std::optional<Severity> severity;       ///< the playbook's own severity
  std::vector<Severity> severity_levels;  ///< levels defined in tables / level sections
  std::vector<MetadataField> metadata;
  std::vector<Alert> alerts;
  nlohmann::json front_matter;            ///< null when absent

  std::vector<Section> sections;
  std::vector<Step> steps;
  std::vector<Finding> findings;

  /// The metadata field with this key (case-insensitive), or nullptr.
  const MetadataField* field(std::string_view key) const;
  /// Index of the step with this id, or -1.
  int step_index(std::string_view id) const;
};

}  // namespace runbook::playbook
