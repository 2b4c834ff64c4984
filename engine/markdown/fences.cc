#include "markdown/fences.h"

#include <algorithm>

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

std::vector<FenceLine> find_fence_lines(std::string_view text) {
  constexpr auto npos = std::string_view::npos;
  std::vector<FenceLine> out;
  std::size_t next_tick = text.find("```");
  std::size_t next_tilde = text.find("~~~");
  std::size_t from = 0;  // start of the first line not looked at yet
  int line_no = 1;       // the number of that line
  for (;;) {
    const std::size_t hit = std::min(next_tick, next_tilde);
    if (hit == npos) break;
    const std::string_view before = text.substr(from, hit - from);
    const std::size_t nl = before.rfind('\n');
    const std::size_t start = nl == npos ? from : from + nl + 1;
    line_no += static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    std::size_t end = text.find('\n', hit);
    if (end == npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    FenceLine f;
    if (parse_fence_line(line, line_no, &f)) out.push_back(std::move(f));
    if (end == text.size()) break;
    from = end + 1;
    ++line_no;
    if (next_tick < from) next_tick = text.find("```", from);
    if (next_tilde < from) next_tilde = text.find("~~~", from);
  }
  return out;
}

std::vector<FencedBlock> scan_fenced_blocks(std::string_view text, bool any_indent) {
  return pair_fence_lines(find_fence_lines(text), any_indent);
}

std::vector<FencedBlock> pair_fence_lines(const std::vector<FenceLine>& fences, bool any_indent) {
  std::vector<FencedBlock> blocks;
  bool open = false;
  FencedBlock current;
  for (const FenceLine& f : fences) {
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
