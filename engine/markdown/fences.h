#pragma once
// A line-level scan of fenced code blocks, independent of cmark, for lint and embedded documents.

#include <string>
#include <string_view>
#include <vector>

namespace runbook::markdown {

/// A fence opener or closer line.
struct FenceLine {
  int line = 0;       ///< 1-based
  int indent = 0;     ///< leading spaces (0..3 for a real fence)
  char ch = '`';      ///< '`' or '~'
  int length = 0;     ///< number of fence characters
  std::string info;   ///< trimmed info string ("" for a bare fence)
};

/// Recognises a fence line (CommonMark: up to 3 spaces, 3+ backticks or tildes, backtick
/// fences' info has no backtick). Returns false for other lines.
bool parse_fence_line(std::string_view line, int line_no, FenceLine* out);

/// A fenced block found by pairing openers and closers the way CommonMark does at top level.
struct FencedBlock {
  FenceLine open;
  int close_line = 0;  ///< 0 when the fence is never closed
};

/// Pairs fences over the whole text (container blocks such as lists are not modelled: fences
/// are matched on their own lines after up to 3 spaces of indentation, or any indentation when
/// `any_indent` is set, which suits fences nested in list items).
std::vector<FencedBlock> scan_fenced_blocks(std::string_view text, bool any_indent = true);
/// The same over lines already split (util::split_lines), for callers that need them too.
std::vector<FencedBlock> scan_fenced_blocks(const std::vector<std::string_view>& lines, bool any_indent = true);

}  // namespace runbook::markdown
