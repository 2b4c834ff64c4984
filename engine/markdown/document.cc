#include "markdown/document.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <cmark-gfm-extension_api.h>

#include <mutex>

namespace runbook::markdown {

namespace {

void register_extensions_once() {
  static std::once_flag flag;
  std::call_once(flag, [] { cmark_gfm_core_extensions_ensure_registered(); });
}

void attach(cmark_parser* parser, const char* name) {
  if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name))
    cmark_parser_attach_syntax_extension(parser, ext);
}

// First arena chunk per byte of input.
constexpr std::size_t kArenaPerInputByte = 8;

}  // namespace

void Document::Free::operator()(cmark_node* node) const { cmark_node_free(node); }

Document Document::parse(std::string_view text) {
  register_extensions_once();
  Document doc;
  doc.arena_ = std::make_unique<NodeArena>(text.size() * kArenaPerInputByte);
  NodeArena::Scope scope(*doc.arena_);
  cmark_parser* parser = cmark_parser_new_with_mem(CMARK_OPT_DEFAULT, NodeArena::allocator());
  for (const char* name : {"table", "tasklist", "strikethrough", "autolink"}) attach(parser, name);
  cmark_parser_feed(parser, text.data(), text.size());
  doc.root_.reset(cmark_parser_finish(parser));
  cmark_parser_free(parser);
  return doc;
}

void append_inline_text(cmark_node* node, std::string& out) {
  // A direct walk over first-child/next links: this runs on every paragraph, and a cmark_iter
  // costs an allocation and an event per node. Depth is bounded by the loader's nesting check.
  switch (cmark_node_get_type(node)) {
    case CMARK_NODE_TEXT:
    case CMARK_NODE_CODE:
    case CMARK_NODE_HTML_INLINE:
      if (const char* lit = cmark_node_get_literal(node)) out += lit;
      return;
    case CMARK_NODE_SOFTBREAK:
    case CMARK_NODE_LINEBREAK:
      out += ' ';
      return;
    default:
      for (cmark_node* c = cmark_node_first_child(node); c; c = cmark_node_next(c)) append_inline_text(c, out);
  }
}

std::string inline_text(cmark_node* node) {
  std::string out;
  append_inline_text(node, out);
  return out;
}

bool is_task_item(cmark_node* node, bool* checked) {
  if (cmark_node_get_type(node) != CMARK_NODE_ITEM) return false;
  const char* type = cmark_node_get_type_string(node);
  if (!type || std::string_view(type) != "tasklist") return false;
  if (checked) *checked = cmark_gfm_extensions_get_tasklist_item_checked(node);
  return true;
}

std::string type_name(cmark_node* node) {
  const char* t = cmark_node_get_type_string(node);
  return t ? t : "";
}

}  // namespace runbook::markdown
