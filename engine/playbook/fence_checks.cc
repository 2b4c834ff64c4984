// Fence problems that cmark accepts silently but that change what the author meant.
#include "markdown/fences.h"
#include "playbook/builder.h"
#include "playbook/fence_info.h"
#include "util/text.h"

namespace runbook::playbook::detail {

namespace {

std::string fence_text(const markdown::FenceLine& f) { return std::string(static_cast<std::size_t>(f.length), f.ch); }

// Inside a closed block, an inner block with a language that is still open when the outer
// closes means the outer's closer was probably meant for the inner one.
void check_nesting(const std::vector<std::string_view>& lines, const markdown::FencedBlock& b, int offset,
                   Playbook& pb) {
  bool open = false;
  markdown::FenceLine inner;
  for (int l = b.open.line + 1; l < b.close_line; ++l) {
    markdown::FenceLine f;
    if (!markdown::parse_fence_line(lines[static_cast<std::size_t>(l - 1)], l, &f)) continue;
    if (!open) {
      open = true;
      inner = f;
    } else if (f.info.empty() && f.ch == inner.ch && f.length >= inner.length) {
      open = false;
    }
  }
  if (open && !inner.info.empty())
    pb.findings.push_back({Finding::Level::Warning, "mis-nested-fence",
                           "the " + fence_text(markdown::FenceLine{0, 0, b.open.ch, b.open.length, ""}) +
                               " here closes the block opened at line " + std::to_string(b.open.line + offset) +
                               ", but the " + fence_text(inner) + inner.info + " block opened at line " +
                               std::to_string(inner.line + offset) + " inside it is still open: mis-nested fences",
                           b.close_line + offset});
}

}  // namespace

void check_fences(std::string_view text, int offset, Playbook& pb) {
  auto lines = util::split_lines(text);
  for (const auto& b : markdown::scan_fenced_blocks(lines)) {
    if (b.close_line == 0) {
      pb.findings.push_back({Finding::Level::Error, "unterminated-fence",
                             "the " + fence_text(b.open) + b.open.info +
                                 " fence opened here is never closed; the rest of the file reads as code",
                             b.open.line + offset});
      continue;
    }
    check_nesting(lines, b, offset, pb);
  }
  for (const auto& s : pb.steps) {
    if (s.language.empty() || is_known_language(s.language)) continue;
    std::string hint = suggest_language(s.language);
    pb.findings.push_back({Finding::Level::Warning, "unknown-language",
                           "unknown fence language \"" + s.language + "\"" +
                               (hint.empty() ? "; the block is kept as a snippet and never run"
                                             : " (did you mean \"" + hint + "\"?); the block is never run"),
                           s.lines.first});
  }
}

}  // namespace runbook::playbook::detail
