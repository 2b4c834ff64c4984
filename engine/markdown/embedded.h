#pragma once
// Finding markdown documents embedded in ```markdown / ````markdown fences of a larger file,
// tolerating the mis-nested fences that authors produce when they paste playbooks into docs.

#include <string>
#include <string_view>
#include <vector>

namespace runbook::markdown {

/// One embedded markdown document.
struct EmbeddedDocument {
  int open_line = 0;   ///< the ```markdown line (1-based)
  int close_line = 0;  ///< the fence that ends it; 0 when it runs unterminated
  int last_line = 0;   ///< last line of content
  /// The content lines open_line+1 .. last_line. Line k of `text` is file line open_line + k,
  /// so line numbers map back by adding `open_line`. Stray fences are blanked.
  std::string text;
  std::vector<int> stray_fence_lines;  ///< file lines of fences blanked as strays
};

/// Scans for fences whose info string is `markdown` or `md` and recovers each document's extent.
/// Inside a document, a fence with an info string opens an inner block; a bare fence closes an
/// open inner block; a shorter bare fence opens an untyped inner block; a bare fence at least as
/// long as the opener, with no inner block open, ends the document. When such a closer directly
/// follows an inner block's closer it is ambiguous (a doubled closer, or the end): if a clear
/// closer follows later it was doubled and is blanked, otherwise the last ambiguous one ends the
/// document. A document never runs into the next ```markdown opener after an ambiguous closer.
std::vector<EmbeddedDocument> find_embedded_documents(std::string_view text);

}  // namespace runbook::markdown
