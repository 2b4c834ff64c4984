#pragma once
// Optional YAML front matter (`---` ... `---` at the top of a playbook); schema in schemas/.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "playbook/model.h"
#include "playbook/placeholders.h"

namespace runbook::playbook {

/// The front matter split off a document.
struct FrontMatter {
  nlohmann::json data;        ///< null when there is none
  int last_line = 0;          ///< the closing `---` line; 0 when there is none
  std::vector<Finding> findings;  ///< YAML errors and schema problems, with file lines
};

/// Finds and parses front matter. `first_line` is the file line of the text's first line.
FrontMatter parse_front_matter(std::string_view text, int first_line = 1);

/// Defaults declared under `variables:` (name: {default: v}), keyed by binding key.
Bindings front_matter_defaults(const nlohmann::json& front_matter);

/// Text with the front matter lines blanked (line numbers kept).
std::string blank_lines(std::string_view text, int from_line, int to_line);

}  // namespace runbook::playbook
