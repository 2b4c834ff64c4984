#include "playbook/metadata.h"

#include <cmark-gfm.h>

#include <algorithm>
#include <cctype>

#include "markdown/document.h"
#include "util/text.h"

namespace runbook::playbook::detail {

std::vector<LabelValue> label_values(cmark_node* paragraph) {
  std::vector<LabelValue> out;
  LabelValue* current = nullptr;
  for (cmark_node* child = cmark_node_first_child(paragraph); child; child = cmark_node_next(child)) {
    cmark_node_type type = cmark_node_get_type(child);
    if (type == CMARK_NODE_STRONG) {
      std::string text = markdown::inline_text(child);
      std::string_view t = util::trim(text);
      bool colon_inside = !t.empty() && t.back() == ':';
      const char* next_lit = nullptr;
      if (cmark_node* next = cmark_node_next(child); next && cmark_node_get_type(next) == CMARK_NODE_TEXT)
        next_lit = cmark_node_get_literal(next);
      bool colon_after = next_lit && next_lit[0] == ':';
      if (colon_inside || colon_after) {
        if (colon_inside) t.remove_suffix(1);
        out.push_back({std::string(util::trim(t)), "", cmark_node_get_start_line(child)});
        current = &out.back();
        if (colon_after) child = cmark_node_next(child), current->value += (next_lit + 1);
        continue;
      }
      if (current) current->value += text;
      continue;
    }
    if (!current) continue;
    if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) {
      current->value += ' ';
    } else {
      current->value += markdown::inline_text(child);
    }
  }
  for (auto& lv : out) lv.value = util::collapse_space(lv.value);
  return out;
}

std::vector<std::vector<std::string>> table_rows(cmark_node* table) {
  std::vector<std::vector<std::string>> rows;
  for (cmark_node* row = cmark_node_first_child(table); row; row = cmark_node_next(row)) {
    std::vector<std::string> cells;
    for (cmark_node* cell = cmark_node_first_child(row); cell; cell = cmark_node_next(cell))
      cells.push_back(util::collapse_space(markdown::inline_text(cell)));
    rows.push_back(std::move(cells));
  }
  return rows;
}

std::vector<std::string> code_spans(cmark_node* node) {
  std::vector<std::string> out;
  cmark_iter* iter = cmark_iter_new(node);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
    cmark_node* cur = cmark_iter_get_node(iter);
    if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(cur) == CMARK_NODE_CODE)
      if (const char* lit = cmark_node_get_literal(cur)) out.emplace_back(lit);
  }
  cmark_iter_free(iter);
  return out;
}

bool is_detection_title(std::string_view title) {
  std::string t = util::to_lower(title);
  return t.find("detection") != std::string::npos || t.find("alert") != std::string::npos;
}

bool looks_like_alert_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 120) return false;
  if (!std::isalpha(static_cast<unsigned char>(name[0]))) return false;
  bool upper_or_underscore = false;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '_' || c == ':' || c == '-' || c == '.')) return false;
    if (std::isupper(u) || c == '_') upper_or_underscore = true;
  }
  // At least one capital after the first letter (CamelCase) or an underscore.
  return upper_or_underscore && (name.find('_') != std::string_view::npos ||
                                 std::any_of(name.begin() + 1, name.end(),
                                             [](char c) { return std::isupper(static_cast<unsigned char>(c)); }));
}

}  // namespace runbook::playbook::detail
