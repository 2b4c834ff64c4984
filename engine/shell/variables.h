#pragma once
// Which variables a shell text reads that it does not define itself.

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace runbook::shell {

/// A variable reference found in shell text.
struct VarRef {
  std::string name;        ///< NAME of $NAME / ${NAME...}
  std::string written;     ///< as written: "$NAME", "${NAME:-x}"
  bool has_default = false;///< ${NAME:-x}, ${NAME-x}, ${NAME:=x}
  int line = 0;            ///< 0-based line offset in the text
};

/// The names a script defines itself: NAME=..., export/local/declare/readonly NAME,
/// read [-r ...] NAME..., for NAME in, select NAME in, function parameters are not included.
std::set<std::string> assigned_names(std::string_view script);

/// `$NAME`/`${NAME...}` references, excluding special and positional parameters ($?, $1, $@, $#,
/// $$, $!, $-, $0), command substitution `$( )`, arithmetic `$(( ))`, escaped `\$`, and
/// lower-case names inside single quotes (those belong to awk/jq/etc.).
/// Names assigned in the script itself are NOT removed here; combine with assigned_names().
std::vector<VarRef> referenced_variables(std::string_view script);

}  // namespace runbook::shell
