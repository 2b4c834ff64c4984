// Property test over every markdown file under the shared playbooks: the parser makes exactly one
// step per fenced code block and per task-list item, and invents no others. The expected blocks
// and items are counted straight from a cmark-gfm tree built here, independently of the engine.
#include <doctest.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "playbook/loader.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using runbook::playbook::Playbook;
using runbook::playbook::Step;
using runbook::playbook::StepKind;

/// What the raw cmark-gfm tree holds, in file line numbers.
struct RawTree {
  std::vector<int> fenced;    // start lines of fenced code blocks
  std::vector<int> indented;  // start lines of indented code blocks
  std::vector<int> tasks;     // start lines of task-list items
  std::set<int> headings;     // start lines of headings
  std::set<int> list_lines;   // start lines of lists and list items
};

std::vector<std::string> split_keep(const std::string& text) {
  std::vector<std::string> lines;
  std::string cur;
  for (char c : text) {
    if (c == '\n') {
      lines.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) lines.push_back(cur);
  return lines;
}

std::string rstrip(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  return s;
}

/// Blanks YAML front matter (a first line `---` up to the next `---` or `...` line), keeping line numbers.
void blank_front_matter(std::vector<std::string>& lines) {
  if (lines.empty() || rstrip(lines[0]) != "---") return;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string l = rstrip(lines[i]);
    if (l == "---" || l == "...") {
      for (std::size_t k = 0; k <= i; ++k) lines[k].clear();
      return;
    }
  }
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + '\n';
  return out;
}

/// Parses `text` with cmark-gfm and the extensions the engine uses; line k of `text` is file line k + offset.
RawTree walk_raw(const std::string& text, int offset) {
  cmark_gfm_core_extensions_ensure_registered();
  cmark_parser* parser = cmark_parser_new(CMARK_OPT_DEFAULT);
  for (const char* name : {"table", "tasklist", "strikethrough", "autolink"})
    if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name))
      cmark_parser_attach_syntax_extension(parser, ext);
  cmark_parser_feed(parser, text.data(), text.size());
  cmark_node* root = cmark_parser_finish(parser);
  cmark_parser_free(parser);

  RawTree raw;
  cmark_iter* iter = cmark_iter_new(root);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
    if (ev != CMARK_EVENT_ENTER) continue;
    cmark_node* n = cmark_iter_get_node(iter);
    int line = cmark_node_get_start_line(n) + offset;
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_CODE_BLOCK: {
        int length = 0, fence_offset = 0;
        char fence_char = 0;
        if (cmark_node_get_fenced(n, &length, &fence_offset, &fence_char)) raw.fenced.push_back(line);
        else raw.indented.push_back(line);
        break;
      }
      case CMARK_NODE_ITEM: {
        raw.list_lines.insert(line);
        const char* type = cmark_node_get_type_string(n);
        if (type && std::string(type) == "tasklist") raw.tasks.push_back(line);
        break;
      }
      case CMARK_NODE_LIST: raw.list_lines.insert(line); break;
      case CMARK_NODE_HEADING: raw.headings.insert(line); break;
      default: break;
    }
  }
  cmark_iter_free(iter);
  cmark_node_free(root);
  return raw;
}

bool is_block_kind(StepKind k) { return k == StepKind::Command || k == StepKind::Snippet || k == StepKind::Template; }

std::string describe(const Step& s) {
  return s.id + " (" + runbook::playbook::kind_name(s.kind) + ", lines " + std::to_string(s.lines.first) + "-" +
         std::to_string(s.lines.last) + ")";
}

struct Totals {
  int files = 0, playbooks = 0, fenced = 0, tasks = 0, decisions = 0;
};

/// Checks one playbook's steps against the raw tree of the lines it was parsed from.
void check_against(const Playbook& pb, const RawTree& raw, int file_lines, Totals& totals) {
  INFO("playbook \"" << pb.title << "\" (lines " << pb.range.first << "-" << pb.range.last
                     << (pb.embedded ? ", embedded" : "") << ")");
  int block_steps = 0, checklist_steps = 0;
  for (const auto& s : pb.steps) {
    block_steps += is_block_kind(s.kind);
    checklist_steps += s.kind == StepKind::Checklist;
  }

  for (int line : raw.fenced) {
    int matches = 0;
    for (const auto& s : pb.steps) matches += is_block_kind(s.kind) && s.lines.first == line;
    INFO("fenced code block at line " << line);
    CHECK(matches == 1);
  }
  // Indented code blocks are kept as snippets (never run); they are code blocks of the source too.
  for (int line : raw.indented) {
    int matches = 0;
    for (const auto& s : pb.steps) matches += s.kind == StepKind::Snippet && s.lines.first == line;
    INFO("indented code block at line " << line);
    CHECK(matches == 1);
  }
  for (int line : raw.tasks) {
    int matches = 0;
    for (const auto& s : pb.steps) matches += s.kind == StepKind::Checklist && s.lines.first == line;
    INFO("task-list item at line " << line);
    CHECK(matches == 1);
  }

  // Nothing invented: every block or checklist step starts where the raw tree has one.
  std::set<int> code_lines(raw.fenced.begin(), raw.fenced.end());
  code_lines.insert(raw.indented.begin(), raw.indented.end());
  std::set<int> task_lines(raw.tasks.begin(), raw.tasks.end());
  for (const auto& s : pb.steps) {
    INFO("step " << describe(s));
    if (is_block_kind(s.kind)) CHECK(code_lines.count(s.lines.first) == 1);
    if (s.kind == StepKind::Checklist) CHECK(task_lines.count(s.lines.first) == 1);
    if (s.kind == StepKind::Decision) {
      ++totals.decisions;
      CHECK(s.lines.first >= 1);
      CHECK(s.lines.first <= s.lines.last);
      CHECK(s.lines.last <= file_lines);
      CHECK((raw.headings.count(s.lines.first) == 1 || raw.list_lines.count(s.lines.first) == 1));
    }
  }
  CHECK(block_steps == static_cast<int>(raw.fenced.size() + raw.indented.size()));
  CHECK(checklist_steps == static_cast<int>(raw.tasks.size()));
  totals.fenced += static_cast<int>(raw.fenced.size());
  totals.tasks += static_cast<int>(raw.tasks.size());
  ++totals.playbooks;
}

std::vector<fs::path> shared_markdown_files() {
  std::vector<fs::path> files;
  fs::path root = runbook::testing::shared_playbooks();
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file(ec) && it->path().extension() == ".md") files.push_back(it->path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("property: one step per fenced block and task item, nothing invented, in every shared playbook") {
  auto files = shared_markdown_files();
  INFO("shared playbooks: " << runbook::testing::shared_playbooks().string());
  REQUIRE(!files.empty());
  Totals totals;
  for (const auto& path : files) {
    INFO("file " << path.string());
    auto loaded = runbook::playbook::load_file(path.string());
    REQUIRE_MESSAGE(loaded.ok(), (loaded.ok() ? std::string() : loaded.error().describe()));
    REQUIRE(!loaded->empty());
    ++totals.files;

    std::string text = read_bytes(path);
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // the engine drops a BOM too
    std::vector<std::string> lines = split_keep(text);
    const int file_lines = static_cast<int>(lines.size());

    const Playbook& document = loaded->front();
    CHECK_FALSE(document.embedded);
    std::vector<std::string> doc_lines = lines;
    blank_front_matter(doc_lines);
    check_against(document, walk_raw(join_lines(doc_lines), 0), file_lines, totals);

    for (std::size_t k = 1; k < loaded->size(); ++k) {
      const Playbook& pb = (*loaded)[k];
      CHECK(pb.embedded);
      REQUIRE(pb.range.first >= 1);
      REQUIRE(pb.range.last <= file_lines);
      REQUIRE(pb.range.first <= pb.range.last);
      // The range runs from the ```markdown opener to its closer (or the last line when unterminated);
      // the embedded text is what lies between, with fences reported as strays blanked.
      const int open = pb.range.first;
      bool closed = true;  // an unclosed opener is reported at the opener's line
      for (const auto& f : pb.findings) closed = closed && !(f.code == "unterminated-fence" && f.line == open);
      const int last = closed ? pb.range.last - 1 : pb.range.last;
      std::set<int> strays;
      for (const auto& f : pb.findings)
        if (f.code == "stray-fence") strays.insert(f.line);
      std::vector<std::string> sub;
      for (int l = open + 1; l <= last; ++l)
        sub.push_back(strays.count(l) ? std::string() : lines[static_cast<std::size_t>(l - 1)]);
      blank_front_matter(sub);
      check_against(pb, walk_raw(join_lines(sub), open), file_lines, totals);
    }
  }
  MESSAGE("checked " << totals.files << " files, " << totals.playbooks << " playbooks, " << totals.fenced
                     << " fenced blocks, " << totals.tasks << " task items, " << totals.decisions << " decisions");
  CHECK(totals.fenced > 0);
  CHECK(totals.tasks > 0);
}
