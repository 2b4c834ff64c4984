#include "playbook/loader.h"

#include <cmark-gfm.h>

#include <filesystem>

#include "markdown/document.h"
#include "markdown/embedded.h"
#include "playbook/builder.h"
#include "playbook/front_matter.h"
#include "playbook/severity.h"
#include "util/sha256.h"
#include "util/text.h"

namespace runbook::playbook {

namespace {

// cmark builds arbitrarily deep trees; our walk recurses, so depth is bounded up front. A plain
// walk over child, sibling and parent links: no iterator, since this visits every node.
int deepest_line(cmark_node* root, int max_depth) {
  int depth = 0;  // nodes with children entered on the way down to `n`
  cmark_node* n = root;
  for (;;) {
    if (cmark_node* child = cmark_node_first_child(n)) {
      if (++depth > max_depth) {
        int line = cmark_node_get_start_line(n);
        return line > 0 ? line : 1;
      }
      n = child;
      continue;
    }
    while (n != root && !cmark_node_next(n)) {
      n = cmark_node_parent(n);
      --depth;
    }
    if (n == root) return 0;
    n = cmark_node_next(n);
  }
}

void apply_front_matter(Playbook& pb) {
  const auto& fm = pb.front_matter;
  if (!fm.is_object()) return;
  int line = pb.range.first;
  if (pb.title.empty() && fm.contains("title") && fm["title"].is_string()) pb.title = fm["title"].get<std::string>();
  if (!pb.severity && fm.contains("severity") && fm["severity"].is_string())
    pb.severity = parse_severity(fm["severity"].get<std::string>(), line);
  if (fm.contains("alerts")) {
    auto add = [&](const std::string& name) {
      for (const auto& a : pb.alerts)
        if (a.name == name) return;
      pb.alerts.push_back({name, line, "front-matter"});
    };
    if (fm["alerts"].is_string()) add(fm["alerts"].get<std::string>());
    if (fm["alerts"].is_array())
      for (const auto& a : fm["alerts"])
        if (a.is_string()) add(a.get<std::string>());
  }
}

int count_lines(std::string_view text) {
  if (text.empty()) return 0;
  int n = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  return text.back() == '\n' ? n : n + 1;
}

bool worth_listing(const Playbook& pb) {
  if (pb.sections.empty()) return false;
  for (const auto& s : pb.steps)
    if (s.kind == StepKind::Command) return true;
  return false;
}

}  // namespace

util::Result<Playbook> parse_playbook(std::string_view text, const std::string& path, const ParseOptions& options) {
  Playbook pb;
  pb.path = path;
  pb.range = {options.line_offset + 1, options.line_offset + count_lines(text)};
  FrontMatter fm = parse_front_matter(text, options.line_offset + 1);
  std::string body;
  if (fm.last_line > 0) body = blank_lines(text, 1, fm.last_line);
  std::string_view markdown_text = fm.last_line > 0 ? std::string_view(body) : text;
  pb.front_matter = fm.data;
  pb.findings = std::move(fm.findings);

  markdown::Document doc = markdown::Document::parse(markdown_text);
  if (int l = deepest_line(doc.root(), options.max_nesting))
    return util::Error{"blocks are nested more than " + std::to_string(options.max_nesting) +
                           " levels deep (lists or block quotes); refusing to parse",
                       path, l + options.line_offset};

  detail::build_from_document(doc, options, pb);
  detail::add_option_decisions(pb);
  detail::assign_step_ids(pb);
  detail::check_fences(markdown_text, options.line_offset, pb);
  apply_front_matter(pb);
  if (pb.title.empty()) pb.title = std::filesystem::path(path).stem().string();
  return pb;
}

util::Result<std::vector<Playbook>> load_source(const util::SourceFile& source, const ParseOptions& given) {
  VerdictMemo memo;
  ParseOptions options = given;
  if (!options.verdicts) options.verdicts = &memo;
  auto top = parse_playbook(source.text, source.path, options);
  if (!top) return top.error();
  std::vector<Playbook> out;
  out.push_back(std::move(top).value());
  out.front().source_sha256 = util::sha256_hex(source.text);
  if (!options.find_embedded) return out;
  for (auto& doc : markdown::find_embedded_documents(source.text)) {
    ParseOptions sub = options;
    sub.line_offset = options.line_offset + doc.open_line;
    auto pb = parse_playbook(doc.text, source.path, sub);
    if (!pb || !worth_listing(*pb)) continue;
    pb->embedded = true;
    pb->range = {doc.open_line, doc.close_line ? doc.close_line : doc.last_line};
    pb->source_sha256 = out.front().source_sha256;
    for (int l : doc.stray_fence_lines)
      pb->findings.push_back({Finding::Level::Warning, "stray-fence",
                              "a second closing fence straight after an inner block's closer; read as a stray "
                              "and ignored inside the embedded playbook",
                              l});
    if (doc.close_line == 0)
      pb->findings.push_back({Finding::Level::Error, "unterminated-fence",
                              "the embedded playbook's fence is never closed", doc.open_line});
    for (auto& step : out.front().steps)
      if (step.lines.first == doc.open_line) step.embedded_title = pb->title;
    out.push_back(std::move(pb).value());
  }
  return out;
}

util::Result<std::vector<Playbook>> load_file(const std::string& path, const ParseOptions& options,
                                              const util::ReadLimits& limits) {
  auto source = util::read_source_file(path, limits);
  if (!source) return source.error();
  return load_source(*source, options);
}

}  // namespace runbook::playbook
