#include "shell/parser.h"

#include <initializer_list>

#include "shell/lexer.h"
#include "shell/scan.h"
#include "shell/substitutions.h"
#include "shell/unquote.h"

namespace runbook::shell {

namespace {

// Deeper `$( $( ... ) )` nesting than this is not descended into: hostile input must not
// exhaust the stack or go quadratic.
constexpr int kMaxDepth = 8;

// What the next words are, apart from ordinary command words.
enum class Mode { Normal, ForName, ForHeader, CaseSubject, CasePattern, FunctionName, Test };

bool is_one_of(std::string_view w, std::initializer_list<std::string_view> set) {
  for (std::string_view s : set)
    if (w == s) return true;
  return false;
}

bool is_assignment(std::string_view raw) {
  std::size_t eq = raw.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  std::string_view name = raw.substr(0, eq);
  if (name.back() == '+') name.remove_suffix(1);
  std::size_t bracket = name.find('[');
  if (bracket != std::string_view::npos && !name.empty() && name.back() == ']') name = name.substr(0, bracket);
  return is_name(name);
}

std::string strip_leading_tabs(std::string_view body) {
  std::string out;
  bool line_start = true;
  for (char c : body) {
    if (line_start && c == '\t') continue;
    line_start = c == '\n';
    out += c;
  }
  return out;
}

// What a word in command position does, when it is a reserved word rather than a program.
enum class Reserved { None, EndsCommand, ForName, CaseSubject, FunctionName, Test, Arithmetic };

Reserved reserved_at_command_position(std::string_view w) {
  if (is_one_of(w, {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time",
                    "esac"}))
    return Reserved::EndsCommand;
  if (is_one_of(w, {"for", "select"})) return Reserved::ForName;
  if (w == "case") return Reserved::CaseSubject;
  if (w == "function") return Reserved::FunctionName;
  if (w == "[[") return Reserved::Test;
  if (w.substr(0, 2) == "((") return Reserved::Arithmetic;  // arithmetic command: no program runs
  return Reserved::None;
}

// A one-line command of plain words, the most common kind in playbooks (`kubectl get pods -n
// prod`), parses to the same single simple command without the lexer: its words are its
// blank-separated parts. Returns false, having added nothing, for anything else.
bool parse_plain(std::string_view text, ParsedScript& out) {
  for (char c : text)
    if ((!is_plain_word_char(c) && c != ' ' && c != '\t') || c == '#') return false;
  SimpleCommand cmd;
  std::size_t i = 0;
  for (;;) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i == text.size()) break;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t') ++j;
    std::string_view w = text.substr(i, j - i);
    if (cmd.words.empty() &&
        (w.find('=') != std::string_view::npos || reserved_at_command_position(w) != Reserved::None))
      return false;
    cmd.words.push_back(Word{std::string(w), std::string(w), false});
    i = j;
  }
  if (!cmd.words.empty()) out.commands.push_back(std::move(cmd));
  return true;
}

class Walker {
 public:
  Walker(ParsedScript& out, int depth) : out_(out), depth_(depth) {}

  void run(std::string_view text) {
    TokenStream tokens(text);
    Token t;
    Token next;
    bool have = tokens.next(t);
    while (have) {
      bool have_next = tokens.next(next);
      if (t.kind == TokenKind::Word) {
        word(t);
      } else if (t.kind == TokenKind::Redirect) {
        redirect(t);
      } else if (have_next && is_function_parens(t, next)) {
        have_next = tokens.next(next);  // the `)` is consumed too
      } else {
        op(t.kind == TokenKind::Newline ? std::string_view("\n") : t.text);
      }
      t = next;
      have = have_next;
    }
    flush();
  }

 private:
  ParsedScript& out_;
  int depth_;
  SimpleCommand cur_;
  std::vector<std::string> pending_code_;  // substitutions seen in the current command
  Mode mode_ = Mode::Normal;

  // `name ( )`: the name was taken as a command word; it is a definition instead.
  bool is_function_parens(const Token& open, const Token& close) {
    if (open.text != "(" || close.text != ")" || close.kind != TokenKind::Operator) return false;
    if (mode_ == Mode::Normal && cur_.words.size() == 1 && cur_.assignments.empty()) cur_.words.clear();
    if (mode_ == Mode::FunctionName) mode_ = Mode::Normal;
    return true;
  }

  void collect(std::string_view raw, bool heredoc_body) {
    if (depth_ >= kMaxDepth) return;
    for (std::string& code : command_substitutions(raw, heredoc_body)) pending_code_.push_back(std::move(code));
  }

  void word(const Token& t) {
    collect(t.text, false);
    switch (mode_) {
      case Mode::ForName:
        if (t.text.substr(0, 2) != "((") out_.loop_names.push_back(make_word(t.text).text);
        mode_ = Mode::ForHeader;
        return;
      case Mode::ForHeader:
        return;
      case Mode::CaseSubject:
        if (t.text == "in") mode_ = Mode::CasePattern;
        return;
      case Mode::CasePattern:
        if (t.text == "esac") mode_ = Mode::Normal;
        return;
      case Mode::FunctionName:
        mode_ = Mode::Normal;
        return;
      case Mode::Test:
        if (t.text == "]]") mode_ = Mode::Normal;
        return;
      case Mode::Normal:
        break;
    }
    if (cur_.words.empty() && command_position_word(t.text)) return;
    cur_.words.push_back(make_word(t.text));
  }

  // Assignments and reserved words before the command name. Returns true when consumed.
  bool command_position_word(std::string_view w) {
    if (is_assignment(w)) {
      cur_.assignments.emplace_back(w);
      return true;
    }
    switch (reserved_at_command_position(w)) {
      case Reserved::None: return false;
      case Reserved::EndsCommand: flush(); return true;
      case Reserved::ForName: return enter(Mode::ForName);
      case Reserved::CaseSubject: return enter(Mode::CaseSubject);
      case Reserved::FunctionName: return enter(Mode::FunctionName);
      case Reserved::Test: return enter(Mode::Test);
      case Reserved::Arithmetic: return true;
    }
    return false;
  }

  bool enter(Mode m) {
    flush();
    mode_ = m;
    return true;
  }

  void redirect(const Token& t) {
    if (mode_ == Mode::Test) return;  // `<` and `>` compare strings inside [[ ]]
    if (!t.heredoc) {
      collect(t.target, false);
      return;
    }
    cur_.heredoc += t.strip_tabs ? strip_leading_tabs(t.heredoc_body) : std::string(t.heredoc_body);
    if (t.heredoc_expands) collect(t.heredoc_body, true);
  }

  void op(std::string_view o) {
    switch (mode_) {
      case Mode::Test:
      case Mode::CaseSubject:
        return;
      case Mode::CasePattern:
        if (o == ")") mode_ = Mode::Normal;
        return;
      case Mode::ForName:
      case Mode::ForHeader:
        if (o == ";" || o == "\n") mode_ = Mode::Normal;
        flush();
        return;
      case Mode::FunctionName:
      case Mode::Normal:
        break;
    }
    flush();
    if (is_one_of(o, {";;", ";&", ";;&"})) mode_ = Mode::CasePattern;
  }

  void flush() {
    if (!cur_.words.empty() || !cur_.assignments.empty() || !cur_.heredoc.empty())
      out_.commands.push_back(std::move(cur_));
    cur_ = SimpleCommand{};
    std::vector<std::string> code = std::move(pending_code_);
    pending_code_.clear();
    for (const std::string& c : code) Walker(out_, depth_ + 1).run(c);
  }
};

}  // namespace

ParsedScript parse_script(std::string_view text) {
  ParsedScript out;
  if (parse_plain(text, out)) return out;
  Walker(out, 0).run(text);
  return out;
}

}  // namespace runbook::shell
