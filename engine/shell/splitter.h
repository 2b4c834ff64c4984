#pragma once
// Splits a shell block into its top-level commands, the way an operator would step through it.

#include <string>
#include <string_view>
#include <vector>

namespace runbook::shell {

/// One top-level command of a shell block, with the comment lines that label it.
struct Command {
  std::string text;   ///< exact source text of the command (may span lines), without the label
  std::string label;  ///< the comment lines directly above it, '#' and one space removed, joined by '\n'
  int first_line = 0; ///< 0-based line offsets within the block, inclusive
  int last_line = 0;
};

/// Top-level commands of a POSIX/bash script: line continuations, quotes spanning lines,
/// heredocs, pipelines (`a |\n b`), `&&`/`||` chains, and compound commands (if/for/while/until/
/// case, functions, subshells, `{ }`) stay whole. `;` on one line separates commands.
/// Never fails: unterminated constructs run to the end of the block.
std::vector<Command> split_commands(std::string_view script);

/// A `console` block: lines starting with a prompt (`$ `, `# ` after a host prefix is not a prompt)
/// are commands, continuation lines (`> `) join them, all other lines are sample output.
/// Returns the script made of the command lines only, one command per line group, and keeps
/// line offsets by leaving output lines empty.
std::string strip_console_prompts(std::string_view console_text);

}  // namespace runbook::shell
