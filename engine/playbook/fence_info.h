#pragma once
// What a fenced block is: its language, attributes, and whether it runs.

#include <map>
#include <string>
#include <string_view>

#include "playbook/model.h"

namespace runbook::playbook {

/// The parsed info string of a fence: "bash {timeout=30s id=check-pods}".
struct FenceInfo {
  std::string language;                            ///< lower-case first word, "" when untyped
  std::map<std::string, std::string> attributes;   ///< key=value pairs inside `{ }`
};

/// Splits an info string into language and `{key=value ...}` attributes (values may be quoted;
/// a bare key means "true"). `{.bash}`-style pandoc classes give the language too.
FenceInfo parse_fence_info(std::string_view info);

/// The interpreter a declared language runs under: bash/sh/shell/zsh/ksh/console -> Shell,
/// sql/psql/postgresql/mysql/sqlite -> Sql, promql -> PromQL, anything else -> None.
Interpreter interpreter_for(std::string_view language);

/// True for languages we know and deliberately do not run (yaml, json, python, text, ...).
bool is_known_language(std::string_view language);

/// The closest runnable language name for a likely typo ("shel" -> "shell"), or "".
std::string suggest_language(std::string_view language);

/// How a block that does not declare a runnable language should be treated.
struct Inference {
  StepKind kind = StepKind::Snippet;
  Interpreter interpreter = Interpreter::None;
  std::string because;  ///< why, when the kind was inferred from the content
};

/// Looks at a block's content: a yaml/untyped fence that is really a shell command
/// (`kubectl apply -f - <<EOF`), an untyped/text block holding a message to send
/// ("Status: ...", `[placeholders]`), or a plain snippet.
Inference infer_block(std::string_view language, std::string_view body);

}  // namespace runbook::playbook
