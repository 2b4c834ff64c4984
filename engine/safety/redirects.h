#pragma once
// Output redirections (`> file`, `>> file`, `&> file`) found in raw shell text. The shell module's
// word API drops redirections, so the classifier scans for them itself.

#include <string>
#include <string_view>
#include <vector>

namespace runbook::safety {

/// One output redirection to a named target.
struct OutputRedirect {
  std::string op;      ///< as written: ">", ">>", "2>", "&>", ">|"
  std::string target;  ///< the target word with quotes removed: "pods.yaml", "/dev/null"
};

/// Output redirections in `text`, skipping quoted strings, comments, heredoc bodies,
/// `$(( ))` arithmetic, `[[ ]]` tests and process substitutions. fd duplications such as
/// `2>&1` and `>&2` are not listed.
std::vector<OutputRedirect> find_output_redirects(std::string_view text);

}  // namespace runbook::safety
