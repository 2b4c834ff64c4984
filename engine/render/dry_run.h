#pragma once
// What the renderers share: steps with values filled in, counts, and short descriptions.

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "playbook/model.h"
#include "render/render.h"

namespace runbook::render {

/// A piece of filled text: literal text, or a placeholder left as written because it has no value.
struct Piece {
  std::string text;         ///< as it will be shown
  bool unresolved = false;  ///< a placeholder without a value
};

/// A step's texts after substitution. Secret values are masked unless Options::show_secrets.
struct FilledStep {
  std::vector<Piece> body;                              ///< the body, cut around unresolved placeholders
  std::vector<std::string> parts;                       ///< each command part, filled, as plain text
  std::vector<const playbook::Variable*> unresolved;    ///< unbound, without default; one per key
  std::vector<const playbook::Variable*> bound;         ///< variables that got a value; one per key
};

/// The mask written in place of secret values.
inline constexpr std::string_view kSecretMask = "********";

/// Whether fill_step also fills each command part (FilledStep::parts), which only some formats show.
enum class FillParts { No, Yes };

/// Fills a step's body and (unless told not to) its parts with the bound values: commands and
/// snippets shell-quoted, templates, checklists and decisions literally. Unbound placeholders
/// stay as written.
FilledStep fill_step(const playbook::Step& step, const Options& options, FillParts parts = FillParts::Yes);

/// The pieces joined back into one string.
std::string plain(const std::vector<Piece>& pieces);

/// Counts over a playbook, and its unresolved variables (one per key, in order of appearance).
struct Summary {
  int steps = 0;                   ///< all steps
  std::array<int, 5> by_kind{};    ///< indexed by playbook::StepKind
  std::array<int, 3> by_safety{};  ///< command steps, indexed by safety::Level
  std::vector<const playbook::Variable*> unresolved;  ///< unbound, without default; one per key
};

/// Counts and unresolved variables of a playbook under the given bindings.
Summary summarize(const playbook::Playbook& playbook, const Options& options);

/// "P0 (Critical)", "High", or "" when the playbook states none.
std::string severity_text(const playbook::Playbook& playbook);

/// The first non-blank line of `text`, white space collapsed, cut to `max_chars` code points
/// (with "…" when cut).
std::string first_line(std::string_view text, std::size_t max_chars);

/// Text with invalid UTF-8 replaced by U+FFFD and control characters (other than '\n' and '\t')
/// shown as `\xNN`, so that playbook text cannot drive a terminal or break an output format.
std::string sanitize(std::string_view text);

/// "12 (5 command, 3 checklist)": the non-zero kinds.
std::string kind_counts(const Summary& summary);

}  // namespace runbook::render
