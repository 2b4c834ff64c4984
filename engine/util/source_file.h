#pragma once
// Reading playbook files with the checks that turn bad input into clear errors.

#include <cstddef>
#include <string>
#include <string_view>

#include "util/result.h"

namespace runbook::util {

/// Limits applied when reading a playbook.
struct ReadLimits {
  std::size_t max_bytes = 32u << 20;  ///< larger files are refused, not truncated
};

/// The validated bytes of a playbook file.
struct SourceFile {
  std::string path;
  std::string text;  ///< valid UTF-8, no NUL bytes; BOM removed; "\r\n" and lone "\r" read as "\n"
};

/// Reads `path`: refuses missing files, directories, unreadable files, files over the limit,
/// binary files (NUL bytes) and invalid UTF-8, each with a message naming the file and line.
Result<SourceFile> read_source_file(const std::string& path, const ReadLimits& limits = {});

/// Validates in-memory text the same way (for tests, stdin and embedded documents).
Result<SourceFile> check_source_text(std::string path, std::string text, const ReadLimits& limits = {});

/// Offset of the first invalid UTF-8 sequence, or npos when `s` is valid.
std::size_t find_invalid_utf8(std::string_view s);

}  // namespace runbook::util
