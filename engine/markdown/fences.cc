#include "markdown/fences.h"

#include "util/text.h"

namespace runbook::markdown {

bool parse_fence_line(std::string_view line, int line_no, FenceLine* out) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  if (i >= line.size()) return false;
  char ch = line[i];
  if (ch != '`' && ch != '~') return false;
  std::size_t j = i;
  while (j < line.size() && line[j] == ch) ++j;
  if (j - i < 3) return false;
  std::string_view info = util::trim(line.substr(j));
  if (ch == '`' && info.find('`') != std::string_view::npos) return false;
  out->line = line_no;
  out->indent = static_cast<int>(i);
  out->ch = ch;
  out->length = static_cast<int>(j - i);
  out->info = std::string(info);
  return true;
}

std::vector<FencedBlock> scan_fenced_blocks(std::string_view text, bool any_indent) {
  return scan_fenced_blocks(util::split_lines(text), any_indent);
}

std::vector<FencedBlock> scan_fenced_blocks(const std::vector<std::string_view>& lines, bool any_indent) {
  std::vector<FencedBlock> blocks;
  bool open = false;
  FencedBlock current;
  for (std::size_t n = 0; n < lines.size(); ++n) {
    FenceLine f;
    if (!parse_fence_line(lines[n], static_cast<int>(n) + 1, &f)) continue;
    if (!any_indent && f.indent > 3) continue;
    if (!open) {
      current = FencedBlock{f, 0};
      open = true;
    } else if (f.ch == current.open.ch && f.length >= current.open.length && f.info.empty()) {
      current.close_line = f.line;
      blocks.push_back(current);
      open = false;
    }
  }
  if (open) blocks.push_back(current);
  return blocks;
}

}  // namespace runbook::markdown
