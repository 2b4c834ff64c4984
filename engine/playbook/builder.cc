#include "playbook/builder.h"

#include <cmark-gfm.h>

#include <algorithm>
#include <unordered_map>

#include "playbook/fence_info.h"
#include "playbook/metadata.h"
#include "playbook/placeholders.h"
#include "playbook/severity.h"
#include "shell/splitter.h"
#include "util/text.h"

namespace runbook::playbook::detail {

namespace {

// Keys that describe the playbook as a whole wherever they appear.
bool is_header_key(std::string_view key) {
  for (const char* k : {"impact", "response time", "severity", "priority", "sla", "runbook owner"})
    if (util::iequals(key, k)) return true;
  return false;
}

bool starts_with_if(std::string_view text) {
  text = util::trim(text);
  return util::istarts_with(text, "if ") &&
         (text.find(':') != std::string_view::npos || text.find("\xE2\x86\x92") != std::string_view::npos);
}

// False when a paragraph's text cannot start with "if ": its first inline is plain text that
// starts otherwise. Saves extracting the text of every plain list item twice.
bool may_start_with_if(cmark_node* para) {
  cmark_node* first = cmark_node_first_child(para);
  if (!first || cmark_node_get_type(first) != CMARK_NODE_TEXT) return true;
  const char* lit = cmark_node_get_literal(first);
  std::string_view head = util::trim(lit ? std::string_view(lit) : std::string_view());
  return head.size() < 3 || util::istarts_with(head, "if ");
}

class Walker {
 public:
  Walker(const ParseOptions& options, Playbook& pb)
      : opts_(options),
        pb_(pb),
        classifier_(options.classifier ? options.classifier : &default_classifier()),
        verdicts_(options.verdicts ? *options.verdicts : own_verdicts_) {}

  void run(cmark_node* root) {
    for (cmark_node* n = cmark_node_first_child(root); n; n = cmark_node_next(n)) block(n);
    report_empty_sections();
  }

 private:
  static const safety::Classifier& default_classifier() {
    static const safety::Classifier c;
    return c;
  }

  int line(cmark_node* n) const { return cmark_node_get_start_line(n) + opts_.line_offset; }
  int end_line(cmark_node* n) const { return cmark_node_get_end_line(n) + opts_.line_offset; }

  void block(cmark_node* n) {
    bool questions_label = pending_questions_;
    pending_questions_ = false;
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_HEADING: heading(n); break;
      case CMARK_NODE_CODE_BLOCK: code_block(n); break;
      case CMARK_NODE_PARAGRAPH: paragraph(n); break;
      case CMARK_NODE_LIST:
        if (questions_label) questions_list(n);
        else list(n);
        break;
      case CMARK_NODE_ITEM: item(n); break;
      case CMARK_NODE_HTML_BLOCK:
        touch();
        if (const char* lit = cmark_node_get_literal(n)) add_prose(lit);
        break;
      case CMARK_NODE_THEMATIC_BREAK: break;
      default:
        if (markdown::type_name(n) == "table") {
          table(n);
        } else {
          for (cmark_node* c = cmark_node_first_child(n); c; c = cmark_node_next(c)) block(c);
        }
    }
  }

  // --- sections -------------------------------------------------------------------------------

  void heading(cmark_node* n) {
    Section s;
    s.level = cmark_node_get_heading_level(n);
    s.title = util::collapse_space(markdown::inline_text(n));
    s.line = line(n);
    s.slug = util::slugify(strip_numbering(s.title), 40);
    while (!stack_.empty() && pb_.sections[stack_.back()].level >= s.level) stack_.pop_back();
    s.parent = stack_.empty() ? -1 : stack_.back();
    int index = static_cast<int>(pb_.sections.size());
    if (s.parent >= 0) pb_.sections[s.parent].children.push_back(index);
    pb_.sections.push_back(s);
    stack_.push_back(index);
    current_ = index;
    has_content_.push_back(false);
    detection_.push_back(is_detection_title(s.title));
    context_.clear();

    if (s.level == 1 && pb_.title_line == 0) {
      pb_.title = s.title;
      pb_.title_line = s.line;
    }
    std::string lower = util::to_lower(s.title);
    if (util::istarts_with(lower, "severity")) {
      std::string_view rest = std::string_view(s.title).substr(8);
      rest = util::trim(rest);
      if (!rest.empty() && (rest[0] == ':' || rest[0] == '-')) rest.remove_prefix(1);
      if (auto sev = parse_severity(rest, s.line)) pb_.severity = sev;
    } else if (s.parent >= 0 && util::to_lower(pb_.sections[s.parent].title).find("severit") != std::string::npos) {
      if (auto sev = parse_severity(s.title, s.line)) pb_.severity_levels.push_back(*sev);
    }
    if (lower == "decision points" || lower == "decision point") pending_questions_ = true;
  }

  static std::string strip_numbering(std::string_view title) {
    std::size_t i = 0;
    while (i < title.size() && std::isdigit(static_cast<unsigned char>(title[i]))) ++i;
    if (i > 0 && i < title.size() && (title[i] == '.' || title[i] == ')')) return std::string(util::trim(title.substr(i + 1)));
    return std::string(title);
  }

  void report_empty_sections() {
    for (std::size_t i = 0; i < pb_.sections.size(); ++i) {
      const Section& sec = pb_.sections[i];
      if (!has_content_[i] && sec.children.empty())
        pb_.findings.push_back({Finding::Level::Warning, "empty-section",
                                "section \"" + sec.title + "\" has no content", sec.line});
    }
  }

  void touch() {
    if (current_ >= 0) has_content_[current_] = true;
  }

  // --- prose ----------------------------------------------------------------------------------

  void add_prose(std::string_view text) {
    const std::size_t before = context_.size();
    if (before > 0) context_ += '\n';
    util::append_collapsed(context_, text);
    if (context_.size() == before + 1) context_.resize(before);  // nothing but space
  }

  void paragraph(cmark_node* n) {
    touch();
    std::string text = markdown::inline_text(n);
    add_prose(text);
    for (const auto& lv : label_values(n)) {
      int l = lv.line + opts_.line_offset;
      if (util::iequals(lv.label, "decision points") || util::iequals(lv.label, "decision point")) {
        if (lv.value.empty()) pending_questions_ = true;
        continue;
      }
      if (lv.value.empty()) continue;
      if (util::iequals(lv.label, "severity") || util::iequals(lv.label, "priority")) {
        if (auto sev = parse_severity(lv.value, l); sev && !pb_.severity) pb_.severity = sev;
      }
      // Playbook-level fields sit above the first step; later bold labels ("**Who**:" in each
      // phase) describe their own section and stay in its prose. The first of a key wins.
      if ((pb_.steps.empty() || is_header_key(lv.label)) && !pb_.field(lv.label)) {
        MetadataField f{lv.label, lv.value, l, parse_duration(lv.value)};
        pb_.metadata.push_back(std::move(f));
      }
    }
    alerts_from(n, text);
  }

  void alerts_from(cmark_node* n, std::string_view text) {
    for (auto& name : alert_names_in(text)) add_alert(name, line(n), "alert-line");
    bool detection = false;
    for (int s : stack_) detection = detection || detection_[s];
    if (detection)
      for (auto& span : code_spans(n))
        if (looks_like_alert_name(span)) add_alert(span, line(n), "detection-list");
  }

  void add_alert(const std::string& name, int l, const char* source) {
    for (const auto& a : pb_.alerts)
      if (a.name == name) return;
    pb_.alerts.push_back({name, l, source});
  }

  void table(cmark_node* n) {
    touch();
    auto rows = table_rows(n);
    for (const auto& row : rows) add_prose(util::join(row, " | "));
    if (rows.empty()) return;
    int col = -1;
    for (std::size_t c = 0; c < rows[0].size() && col < 0; ++c) {
      std::string h = util::to_lower(rows[0][c]);
      if (h.find("severity") != std::string::npos || h.find("level") != std::string::npos ||
          h.find("priority") != std::string::npos || h == "sev")
        col = static_cast<int>(c);
    }
    if (col < 0) return;
    int row_line = line(n) + 2;  // header and delimiter rows come first
    for (std::size_t r = 1; r < rows.size(); ++r, ++row_line)
      if (col < static_cast<int>(rows[r].size()))
        if (auto sev = parse_severity(rows[r][col], row_line)) pb_.severity_levels.push_back(*sev);
  }

  // --- lists ----------------------------------------------------------------------------------

  void list(cmark_node* n) {
    touch();
    for (cmark_node* it = cmark_node_first_child(n); it; it = cmark_node_next(it)) item(it);
  }

  static cmark_node* first_paragraph(cmark_node* item) {
    cmark_node* c = cmark_node_first_child(item);
    return (c && cmark_node_get_type(c) == CMARK_NODE_PARAGRAPH) ? c : nullptr;
  }

  // Texts of the non-task items nested under an item, depth-first.
  void collect_hints(cmark_node* item, std::vector<std::string>& out) {
    for (cmark_node* c = cmark_node_first_child(item); c; c = cmark_node_next(c)) {
      if (cmark_node_get_type(c) != CMARK_NODE_LIST) continue;
      for (cmark_node* sub = cmark_node_first_child(c); sub; sub = cmark_node_next(sub)) {
        if (markdown::is_task_item(sub)) continue;
        if (cmark_node* p = first_paragraph(sub)) out.push_back(util::collapse_space(markdown::inline_text(p)));
        collect_hints(sub, out);
      }
    }
  }

  // Walks an item's children after its first paragraph; nested non-task items are only searched
  // for blocks that are steps (fences, task items), since their text went into hints.
  void walk_item_children(cmark_node* parent, bool hints_taken) {
    cmark_node* first = first_paragraph(parent);
    for (cmark_node* c = cmark_node_first_child(parent); c; c = cmark_node_next(c)) {
      if (c == first) continue;
      if (hints_taken && cmark_node_get_type(c) == CMARK_NODE_LIST) {
        for (cmark_node* sub = cmark_node_first_child(c); sub; sub = cmark_node_next(sub)) {
          if (markdown::is_task_item(sub)) item(sub);
          else walk_item_children(sub, true);
        }
        continue;
      }
      block(c);
    }
  }

  void item(cmark_node* n) {
    touch();
    bool checked = false;
    cmark_node* para = first_paragraph(n);
    bool task = markdown::is_task_item(n, &checked);
    // Plain items are prose; only task and "If ...:" items need their text here.
    std::string raw = para && (task || may_start_with_if(para)) ? markdown::inline_text(para) : std::string();
    if (!task && !starts_with_if(raw)) {
      for (cmark_node* c = cmark_node_first_child(n); c; c = cmark_node_next(c)) block(c);
      return;
    }
    std::string text = util::collapse_space(raw);
    if (task) {
      Step s = new_step(StepKind::Checklist, n);
      s.body = text;
      s.checked = checked;
      collect_hints(n, s.hints);
      s.lines.last = s.lines.first;
      if (para) s.lines.last = end_line(para);
      s.variables = find_variables(text, StepKind::Checklist, Interpreter::None, s.lines.first);
      push(std::move(s));
      walk_item_children(n, true);
      return;
    }
    {
      Step s = new_step(StepKind::Decision, n);
      s.form = DecisionForm::Conditional;
      std::size_t colon = text.find(':');
      std::size_t arrow = text.find("\xE2\x86\x92");
      std::size_t cut = std::min(colon, arrow);
      s.question = std::string(util::trim(text.substr(0, cut)));
      std::string action(util::trim(text.substr(cut + (cut == arrow ? 3 : 1))));
      std::vector<std::string> nested;
      collect_hints(n, nested);
      for (const auto& h : nested) action += (action.empty() ? "" : "\n") + h;
      s.body = text;
      s.lines.last = end_line(n);
      s.choices.push_back(Choice{"yes", action, -1, {}, s.lines.first});
      s.variables = find_variables(text, StepKind::Decision, Interpreter::None, s.lines.first);
      alerts_from(para, text);
      push(std::move(s));
      walk_item_children(n, true);
    }
  }

  void questions_list(cmark_node* n) {
    touch();
    Step s = new_step(StepKind::Decision, n);
    s.form = DecisionForm::Questions;
    s.question = "Decision Points";
    s.lines.last = end_line(n);
    for (cmark_node* it = cmark_node_first_child(n); it; it = cmark_node_next(it)) {
      cmark_node* p = first_paragraph(it);
      std::string q = p ? util::collapse_space(markdown::inline_text(p)) : std::string();
      if (!s.body.empty()) s.body += '\n';
      s.body += q;
      s.choices.push_back(Choice{q, "", -1, {}, line(it)});
    }
    s.variables = find_variables(s.body, StepKind::Decision, Interpreter::None, s.lines.first);
    push(std::move(s));
    for (cmark_node* it = cmark_node_first_child(n); it; it = cmark_node_next(it)) walk_item_children(it, true);
  }

  // --- fenced blocks --------------------------------------------------------------------------

  void code_block(cmark_node* n) {
    touch();
    Step s = new_step(StepKind::Snippet, n);
    s.lines.last = end_line(n);
    const char* info = cmark_node_get_fence_info(n);
    const char* lit = cmark_node_get_literal(n);
    s.info = info ? info : "";
    s.body = lit ? lit : "";
    int fence_len = 0, fence_offset = 0;
    char fence_char = 0;
    bool fenced = cmark_node_get_fenced(n, &fence_len, &fence_offset, &fence_char) != 0;
    int content_line = s.lines.first + (fenced ? 1 : 0);
    FenceInfo fi = parse_fence_info(s.info);
    s.language = fi.language;
    s.attributes = std::move(fi.attributes);
    s.interpreter = fenced ? interpreter_for(s.language) : Interpreter::None;
    if (s.interpreter != Interpreter::None) {
      s.kind = StepKind::Command;
    } else if (fenced) {
      Inference inf = infer_block(s.language, s.body);
      s.kind = inf.kind;
      s.interpreter = inf.interpreter;
      s.inferred_because = inf.because;
    }
    s.variables = find_variables(s.body, s.kind, s.interpreter, content_line);
    if (s.kind == StepKind::Command) fill_command(s, content_line);
    push(std::move(s));
  }

  void fill_command(Step& s, int content_line) {
    // The lines the body spans, from its own line count: an unterminated fence at the end of the
    // file has no closing line to subtract, and an empty body has no line at all (the fence's).
    int body_lines = 0;
    for (char c : s.body) body_lines += c == '\n';
    if (!s.body.empty() && s.body.back() != '\n') ++body_lines;
    const LineRange whole = body_lines == 0 ? LineRange{s.lines.first, s.lines.first}
                                            : LineRange{content_line, std::min(content_line + body_lines - 1, s.lines.last)};
    switch (s.interpreter) {
      case Interpreter::Shell: {
        std::string script = s.language == "console" ? shell::strip_console_prompts(s.body) : s.body;
        for (auto& cmd : shell::split_commands(script)) {
          CommandPart part{cmd.text, cmd.label, {content_line + cmd.first_line, content_line + cmd.last_line},
                           classify_shell(cmd.text, s.variables)};
          s.parts.push_back(std::move(part));
        }
        break;
      }
      case Interpreter::Sql:
        s.parts.push_back({s.body, "", whole, classifier_->classify_sql(s.body)});
        break;
      case Interpreter::PromQL:
        s.parts.push_back({s.body, "", whole, classifier_->classify_promql(s.body)});
        break;
      case Interpreter::None: break;
    }
    if (s.parts.empty()) {
      s.safety = {safety::Level::ReadOnly, "empty", "the block holds no command, only comments", ""};
      return;
    }
    s.safety = s.parts.front().safety;
    for (const auto& p : s.parts) s.safety = safety::worse(s.safety, p.safety);
  }

  // `<pod-name>` is a placeholder, not redirections from "pod-name" and into "-n": the
  // classifier sees it as the word `{pod-name}`, and its verdict shows it as written.
  safety::Verdict classify_shell(const std::string& text, const std::vector<Variable>& vars) const {
    std::vector<std::pair<std::string, std::string>> masks;  // as written -> as the classifier sees it
    for (const auto& v : vars)
      if (v.syntax == VarSyntax::Angle && text.find(v.written) != std::string::npos)
        masks.emplace_back(v.written, "{" + v.written.substr(1, v.written.size() - 2) + "}");
    if (masks.empty()) return classified(text);
    auto replace_all = [](std::string& s, const std::string& from, const std::string& to) {
      for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
        s.replace(p, from.size(), to);
    };
    std::string masked = text;
    for (const auto& [written, word] : masks) replace_all(masked, written, word);
    safety::Verdict verdict = classified(masked);
    for (const auto& [written, word] : masks) replace_all(verdict.subject, word, written);
    return verdict;
  }

  // The same command often appears in several blocks of a playbook (`kubectl get pods -n ...`);
  // it is classified once.
  const safety::Verdict& classified(const std::string& text) const {
    auto [it, fresh] = verdicts_.try_emplace(text);
    if (fresh) it->second = classifier_->classify_shell(text);
    return it->second;
  }

  // --- steps ----------------------------------------------------------------------------------

  Step new_step(StepKind kind, cmark_node* n) {
    Step s;
    s.kind = kind;
    s.section = current_;
    s.lines = {line(n), end_line(n)};
    s.context = std::move(context_);
    context_.clear();
    return s;
  }

  void push(Step s) { pb_.steps.push_back(std::move(s)); }

  const ParseOptions& opts_;
  Playbook& pb_;
  const safety::Classifier* classifier_;
  std::vector<int> stack_;
  int current_ = -1;
  std::vector<bool> has_content_;
  std::vector<bool> detection_;  ///< per section: its title names detection or alerts
  bool pending_questions_ = false;
  std::string context_;
  VerdictMemo own_verdicts_;
  VerdictMemo& verdicts_;
};

}  // namespace

void build_from_document(const markdown::Document& doc, const ParseOptions& options, Playbook& playbook) {
  Walker(options, playbook).run(doc.root());
}

}  // namespace runbook::playbook::detail
