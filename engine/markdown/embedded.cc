#include "markdown/embedded.h"

#include "markdown/fences.h"
#include "util/text.h"

namespace runbook::markdown {

namespace {

bool is_markdown_info(std::string_view info) {
  std::string_view word = info.substr(0, info.find_first_of(" \t{"));
  return util::iequals(word, "markdown") || util::iequals(word, "md");
}

struct Opener {
  std::size_t index;  // 0-based line index
  FenceLine fence;
};

std::vector<Opener> find_openers(const std::vector<std::string_view>& lines) {
  std::vector<Opener> openers;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    FenceLine f;
    if (parse_fence_line(lines[i], static_cast<int>(i) + 1, &f) && f.indent <= 3 && is_markdown_info(f.info))
      openers.push_back({i, f});
  }
  return openers;
}

EmbeddedDocument recover(const std::vector<std::string_view>& lines, const Opener& opener,
                         std::size_t limit /* exclusive line index */) {
  EmbeddedDocument doc;
  doc.open_line = opener.fence.line;
  bool inner_open = false;
  FenceLine inner;
  std::size_t last_inner_close = std::string::npos;
  std::size_t end = limit;
  std::vector<std::size_t> tentative;  // closers right after an inner closer: doubled, or the end
  for (std::size_t i = opener.index + 1; i < limit; ++i) {
    FenceLine f;
    if (!parse_fence_line(lines[i], static_cast<int>(i) + 1, &f)) {
      if (!util::trim(lines[i]).empty()) last_inner_close = std::string::npos;
      continue;
    }
    if (inner_open) {
      if (f.info.empty() && f.ch == inner.ch && f.length >= inner.length) {
        inner_open = false;
        last_inner_close = i;
      }
      continue;
    }
    bool closes_outer = f.info.empty() && f.ch == opener.fence.ch && f.length >= opener.fence.length;
    if (closes_outer && last_inner_close != std::string::npos) {
      tentative.push_back(i);
      last_inner_close = std::string::npos;
      continue;
    }
    if (closes_outer) {
      end = i;
      break;
    }
    // Another embedded document starting after a possible end: that end was the real one.
    if (!tentative.empty() && is_markdown_info(f.info)) break;
    inner_open = true;
    inner = f;
    last_inner_close = std::string::npos;
  }
  // With a clear closer later on, the tentative ones were doubled closers; without one, the
  // last tentative closer ends the document and the earlier ones were doubled.
  std::vector<bool> blank(limit, false);
  if (end == limit && !tentative.empty()) {
    end = tentative.back();
    tentative.pop_back();
  }
  for (std::size_t t : tentative) {
    if (t >= end) break;
    blank[t] = true;
    doc.stray_fence_lines.push_back(static_cast<int>(t) + 1);
  }
  if (end < limit) doc.close_line = static_cast<int>(end) + 1;
  doc.last_line = static_cast<int>(end);  // 0-based index end-1 is 1-based line `end`
  for (std::size_t i = opener.index + 1; i < end; ++i) {
    if (!blank[i]) doc.text.append(lines[i]);
    doc.text += '\n';
  }
  return doc;
}

// Whether some run of three fence characters is followed, after blanks, by an 'm': every
// ```markdown or ~~~md opener has one. Most documents have none, and then they are not split
// into lines at all. A superset of the openers, so the answer never changes, only the cost.
bool may_hold_opener(std::string_view text) {
  for (std::string_view fence : {std::string_view("```"), std::string_view("~~~")}) {
    for (std::size_t p = text.find(fence); p != std::string_view::npos; p = text.find(fence, p)) {
      std::size_t k = p;
      while (k < text.size() && text[k] == fence[0]) ++k;
      while (k < text.size() && (text[k] == ' ' || text[k] == '\t' || text[k] == '\f' || text[k] == '\v' ||
                                 text[k] == '\r'))
        ++k;
      if (k < text.size() && (text[k] == 'm' || text[k] == 'M')) return true;
      p = k;
    }
  }
  return false;
}

}  // namespace

std::vector<EmbeddedDocument> find_embedded_documents(std::string_view text) {
  if (!may_hold_opener(text)) return {};
  auto lines = util::split_lines(text);
  auto openers = find_openers(lines);
  std::vector<EmbeddedDocument> docs;
  for (std::size_t k = 0; k < openers.size(); ++k) {
    // An opener inside the previous document's extent is an example within it, not a new one.
    if (!docs.empty() && openers[k].fence.line <= docs.back().last_line) continue;
    EmbeddedDocument doc = recover(lines, openers[k], lines.size());
    if (doc.close_line == 0 && k + 1 < openers.size())
      doc = recover(lines, openers[k], openers[k + 1].index);  // unterminated: stop at the next one
    docs.push_back(std::move(doc));
  }
  return docs;
}

}  // namespace runbook::markdown
