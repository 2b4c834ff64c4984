#pragma once
// Bold-label lines (`**Impact**: ...`), severity tables and detection lists.

#include <string>
#include <utility>
#include <vector>

struct cmark_node;

namespace runbook::playbook::detail {

/// One `**Label**: value` pair of a paragraph; `value` may be empty ("**Quick Checks:**").
struct LabelValue {
  std::string label;
  std::string value;
  int line = 0;  ///< line of the label within the file (before offset)
};

/// The bold labels of a paragraph and the text after each, split at each label.
std::vector<LabelValue> label_values(cmark_node* paragraph);

/// The rows of a GFM table as cell texts; row 0 is the header.
std::vector<std::vector<std::string>> table_rows(cmark_node* table);

/// Literal texts of inline code spans within a node.
std::vector<std::string> code_spans(cmark_node* node);

/// True for headings or labels that introduce alert lists ("Detection", "Alerts", "Alerting").
bool is_detection_title(std::string_view title);

/// True for text that could be an alert name: one identifier-like token with a capital or '_'.
bool looks_like_alert_name(std::string_view name);

}  // namespace runbook::playbook::detail
