#pragma once
// A parsed GitHub-flavoured markdown document (cmark-gfm with the table and tasklist extensions).

#include <memory>
#include <string>
#include <string_view>

#include "markdown/node_arena.h"

struct cmark_node;

namespace runbook::markdown {

/// Owns a cmark-gfm document tree, allocated from an arena of its own (see node_arena.h).
class Document {
 public:
  /// Parses GFM text (tables, task lists, strikethrough, autolinks). Never fails.
  static Document parse(std::string_view text);

  /// The root node (CMARK_NODE_DOCUMENT).
  cmark_node* root() const { return root_.get(); }

 private:
  struct Free {
    void operator()(cmark_node* node) const;
  };
  // The arena outlives the tree: freeing the tree reads the blocks' headers.
  std::unique_ptr<NodeArena> arena_;
  std::unique_ptr<cmark_node, Free> root_;
};

/// The concatenated literal text of a node's inline content (code spans included, markup dropped;
/// soft and hard breaks become spaces).
std::string inline_text(cmark_node* node);
/// inline_text(), appended to `out`.
void append_inline_text(cmark_node* node, std::string& out);

/// True when the node is a task-list item; `checked` receives its state.
bool is_task_item(cmark_node* node, bool* checked = nullptr);

/// Name of the node's type as cmark-gfm reports it ("code_block", "item", "table", ...).
std::string type_name(cmark_node* node);

}  // namespace runbook::markdown
