#pragma once
// From a file or text to playbooks: the parser's entry points.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "playbook/model.h"
#include "safety/classifier.h"
#include "util/result.h"
#include "util/source_file.h"

namespace runbook::playbook {

/// Safety verdicts by the command text they were given for, under one classifier.
using VerdictMemo = std::unordered_map<std::string, safety::Verdict>;

/// Settings for parsing.
struct ParseOptions {
  const safety::Classifier* classifier = nullptr;  ///< nullptr: the built-in rules
  /// Shared by the parses of one source (load_source sets it), so a command that appears in the
  /// document and again in a playbook embedded in it is classified once. nullptr: each parse
  /// keeps its own. Must have been filled under the same classifier.
  VerdictMemo* verdicts = nullptr;
  int line_offset = 0;        ///< added to every line number (for embedded playbooks)
  int max_nesting = 256;      ///< deeper block nesting is refused with an error
  bool find_embedded = true;  ///< load_* also returns playbooks embedded in markdown fences
};

/// Parses markdown text as one playbook. Fails only on input it refuses (nesting too deep).
util::Result<Playbook> parse_playbook(std::string_view text, const std::string& path,
                                      const ParseOptions& options = {});

/// All playbooks of a validated source: the document itself first, then each embedded one.
util::Result<std::vector<Playbook>> load_source(const util::SourceFile& source,
                                                const ParseOptions& options = {});

/// Reads, validates and parses a file (see util::read_source_file for what is refused).
util::Result<std::vector<Playbook>> load_file(const std::string& path, const ParseOptions& options = {},
                                              const util::ReadLimits& limits = {});

}  // namespace runbook::playbook
