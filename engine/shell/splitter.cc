#include "shell/splitter.h"

#include <optional>

#include "shell/lexer.h"
#include "shell/scan.h"

namespace runbook::shell {

namespace {

// Open compound commands. `do` opens nothing: its loop was opened by for/while/until/select.
enum class Open { If, Loop, Case, Brace, Paren };

struct Frame {
  Open kind;
  int case_state = 0;     // Case: 0 before `in`, 1 reading patterns, 2 reading commands
  bool funcdef = false;   // Paren: the `()` of `name()`
};

// How far down the stack a closer may look for its opener: forgiving on broken input without
// going quadratic on hostile input.
constexpr std::size_t kCloserSearch = 8;

bool is_one_of(std::string_view w, std::initializer_list<std::string_view> set) {
  for (std::string_view s : set)
    if (w == s) return true;
  return false;
}

class Splitter {
 public:
  explicit Splitter(std::string_view script) : s_(script), lines_(script) {}

  std::vector<Command> run() {
    TokenStream tokens(s_);
    Token t;
    while (tokens.next(t)) feed(t);
    finish();
    return std::move(out_);
  }

 private:
  std::string_view s_;
  LineIndex lines_;
  std::vector<Command> out_;
  std::vector<Frame> stack_;
  std::optional<std::size_t> begin_;  // start of the command being collected
  std::size_t end_ = 0;
  bool cmd_pos_ = true;          // the next word would be a command name (keywords count here)
  bool first_word_pending_ = false;  // previous token was a command's first word
  bool for_header_ = false;      // inside `for NAME in ...` up to its separator
  bool function_name_next_ = false;
  bool awaiting_body_ = false;   // after `name()` or `function name`: a newline does not end it
  bool continued_ = false;       // ended with | && || : the next line continues the command
  bool heredoc_on_line_ = false; // a heredoc body will follow this line

  void feed(const Token& t) {
    if (t.kind == TokenKind::Newline) {
      newline();
      return;
    }
    if (!begin_) begin_ = t.begin;
    if (t.kind == TokenKind::Word) word(t.text);
    else if (t.kind == TokenKind::Operator) op(t.text);
    else redirect();
    if (t.kind != TokenKind::Operator || (t.text != ";" && t.text != ";;")) end_ = std::max(end_, t.end);
    if (t.kind == TokenKind::Redirect && t.heredoc) heredoc_on_line_ = true;
    // `cat <<EOF; b` keeps `b` with it: the heredoc body comes after the whole line.
    bool separator = t.kind == TokenKind::Operator && is_one_of(t.text, {";", ";;", "&"});
    if (separator && stack_.empty() && !heredoc_on_line_) finish();
  }

  void newline() {
    heredoc_on_line_ = false;
    if (for_header_) {
      for_header_ = false;
      cmd_pos_ = true;
    }
    if (!begin_) return;
    if (stack_.empty() && !continued_ && !awaiting_body_) {
      finish();
      return;
    }
    if (case_top_state() != 1) cmd_pos_ = true;
  }

  int case_top_state() const {
    return (!stack_.empty() && stack_.back().kind == Open::Case) ? stack_.back().case_state : -1;
  }

  void word(std::string_view w) {
    continued_ = false;
    first_word_pending_ = false;
    if (function_name_next_) {
      function_name_next_ = false;
      awaiting_body_ = true;
      first_word_pending_ = true;  // `function f ()` has its parentheses too
      cmd_pos_ = true;
      return;
    }
    if (case_words(w)) return;
    if (for_header_ || !cmd_pos_) return;
    keyword_or_command(w);
  }

  // Words of a `case` header or its patterns are never commands.
  bool case_words(std::string_view w) {
    int state = case_top_state();
    if (state == 0) {
      if (w == "in") {
        stack_.back().case_state = 1;
        cmd_pos_ = false;
      }
      return true;
    }
    if (state == 1) {
      if (w == "esac") close(Open::Case);
      return true;
    }
    return false;
  }

  void keyword_or_command(std::string_view w) {
    if (w == "if") return open(Open::If);
    if (is_one_of(w, {"while", "until"})) return open(Open::Loop);
    if (is_one_of(w, {"for", "select"})) {
      open(Open::Loop);
      for_header_ = true;
      return;
    }
    if (w == "case") {
      open(Open::Case);
      cmd_pos_ = false;
      return;
    }
    if (w == "{") return open(Open::Brace);
    if (w == "fi") return close(Open::If);
    if (w == "done") return close(Open::Loop);
    if (w == "esac") return close(Open::Case);
    if (w == "}") return close(Open::Brace);
    if (w == "function") {
      function_name_next_ = true;
      cmd_pos_ = false;
      return;
    }
    if (is_one_of(w, {"then", "else", "elif", "do", "!", "time"})) return;
    if (is_assignment_word(w)) return;
    cmd_pos_ = false;
    first_word_pending_ = true;
  }

  static bool is_assignment_word(std::string_view w) {
    std::size_t eq = w.find('=');
    if (eq == std::string_view::npos || eq == 0) return false;
    std::string_view name = w.substr(0, eq);
    if (name.back() == '+') name.remove_suffix(1);
    std::size_t bracket = name.find('[');
    if (bracket != std::string_view::npos && name.back() == ']') name = name.substr(0, bracket);
    return is_name(name);
  }

  void op(std::string_view o) {
    bool was_first = first_word_pending_;
    first_word_pending_ = false;
    continued_ = is_one_of(o, {"|", "||", "&&", "|&"});
    int state = case_top_state();
    if (state == 1) {
      if (o == ")") {
        stack_.back().case_state = 2;
        cmd_pos_ = true;
      }
      return;
    }
    if (state == 2 && is_one_of(o, {";;", ";&", ";;&"})) {
      stack_.back().case_state = 1;
      cmd_pos_ = false;
      return;
    }
    if (o == "(") {
      open(Open::Paren);
      stack_.back().funcdef = was_first;
      return;
    }
    if (o == ")") {
      bool funcdef = !stack_.empty() && stack_.back().kind == Open::Paren && stack_.back().funcdef;
      close(Open::Paren);
      if (funcdef) awaiting_body_ = true;
      cmd_pos_ = true;
      return;
    }
    if (for_header_ && o == ";") for_header_ = false;
    cmd_pos_ = true;
  }

  void redirect() {
    continued_ = false;
    first_word_pending_ = false;
  }

  void open(Open kind) {
    stack_.push_back(Frame{kind});
    awaiting_body_ = false;
    cmd_pos_ = true;
  }

  void close(Open kind) {
    cmd_pos_ = true;
    for (std::size_t k = 0; k < stack_.size() && k < kCloserSearch; ++k) {
      if (stack_[stack_.size() - 1 - k].kind == kind) {
        stack_.resize(stack_.size() - 1 - k);
        return;
      }
    }
  }

  void finish() {
    if (begin_) emit(*begin_, std::max(end_, *begin_));
    begin_.reset();
    end_ = 0;
    stack_.clear();
    cmd_pos_ = true;
    first_word_pending_ = for_header_ = function_name_next_ = awaiting_body_ = continued_ = false;
  }

  void emit(std::size_t begin, std::size_t end) {
    std::string_view text = s_.substr(begin, end - begin);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n'))
      text.remove_suffix(1);
    if (text.empty()) return;
    Command c;
    c.text = std::string(text);
    c.first_line = lines_.line_of(begin);
    c.last_line = lines_.line_of(begin + text.size() - 1);
    c.label = label_above(c.first_line);
    out_.push_back(std::move(c));
  }

  // Comment lines directly above `line` that no earlier command owns.
  std::string label_above(int line) const {
    int floor = out_.empty() ? -1 : out_.back().last_line;
    std::vector<std::string_view> comments;
    for (int k = line - 1; k > floor; --k) {
      std::string_view l = line_text(k);
      while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
      if (l.empty() || l.front() != '#' || l.substr(0, 2) == "#!") break;
      while (!l.empty() && l.front() == '#') l.remove_prefix(1);
      if (!l.empty() && l.front() == ' ') l.remove_prefix(1);
      comments.push_back(l);
    }
    std::string label;
    for (auto it = comments.rbegin(); it != comments.rend(); ++it) {
      if (it != comments.rbegin()) label += '\n';
      label += *it;
    }
    return label;
  }

  std::string_view line_text(int line) const {
    std::size_t b = lines_.line_start(line);
    std::size_t e = s_.find('\n', b);
    std::string_view l = s_.substr(b, (e == std::string_view::npos ? s_.size() : e) - b);
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ' || l.back() == '\t')) l.remove_suffix(1);
    return l;
  }
};

}  // namespace

std::vector<Command> split_commands(std::string_view script) { return Splitter(script).run(); }

}  // namespace runbook::shell
