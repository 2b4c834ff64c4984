#include "shell/variables.h"

#include <initializer_list>

#include "shell/lexer.h"
#include "shell/parser.h"
#include "shell/scan.h"

namespace runbook::shell {

namespace {

// `written` of a reference is capped so deeply nested `${a:-${b:-...}}` stays linear in memory.
constexpr std::size_t kMaxWritten = 160;

enum class Ctx { Code, Paren, Backtick, Double, Single, Ansi, Brace, HereExpand, HereLiteral };

struct Frame {
  Ctx ctx;
  std::size_t start = 0;  // Brace: offset of the `$`
  long ref = -1;          // Brace: index of the reference it names, or -1
};

// Upper-case names are environment-style; lower-case names inside single quotes are awk/jq.
bool is_upper_name(std::string_view name) {
  bool upper = false;
  for (char c : name) {
    if (c >= 'a' && c <= 'z') return false;
    upper = upper || (c >= 'A' && c <= 'Z');
  }
  return upper;
}

bool is_one_of(std::string_view w, std::initializer_list<std::string_view> set) {
  for (std::string_view s : set)
    if (w == s) return true;
  return false;
}

// Scans one word (or heredoc body) for references; `s` is a view into `script`.
class RefScanner {
 public:
  RefScanner(std::string_view script, const LineIndex& lines, std::vector<VarRef>& out)
      : script_(script), lines_(lines), out_(out) {}

  void scan(std::string_view s, Ctx outer) {
    s_ = s;
    stack_.assign(1, Frame{outer});
    std::size_t p = 0;
    while (p < s_.size()) p = step(p);
    while (stack_.size() > 1) close_frame(s_.size());
  }

 private:
  std::string_view script_;
  const LineIndex& lines_;
  std::vector<VarRef>& out_;
  std::string_view s_;
  std::vector<Frame> stack_;

  Ctx top() const { return stack_.back().ctx; }

  std::size_t push(Ctx c, std::size_t next) {
    stack_.push_back(Frame{c});
    return next;
  }

  std::size_t pop(std::size_t next) {
    close_frame(next);
    return next;
  }

  void close_frame(std::size_t end) {
    const Frame& f = stack_.back();
    if (f.ctx == Ctx::Brace && f.ref >= 0) {
      std::size_t len = std::min(end - f.start, kMaxWritten);
      out_[static_cast<std::size_t>(f.ref)].written = std::string(s_.substr(f.start, len));
    }
    stack_.pop_back();
  }

  bool at_word_start(std::size_t p) const {
    if (p == 0) return true;
    char prev = s_[p - 1];
    return prev == ' ' || prev == '\t' || prev == '\n' || prev == ';' || prev == '|' || prev == '&' || prev == '(';
  }

  long record(std::string_view name, std::size_t at, std::string written, bool has_default) {
    VarRef r;
    r.name = std::string(name);
    r.written = std::move(written);
    r.has_default = has_default;
    r.line = lines_.line_of(static_cast<std::size_t>(s_.data() - script_.data()) + at);
    out_.push_back(std::move(r));
    return static_cast<long>(out_.size()) - 1;
  }

  std::size_t step(std::size_t p) {
    char c = s_[p];
    switch (top()) {
      case Ctx::Single:
        if (c == '\'') return pop(p + 1);
        return c == '$' ? literal_dollar(p) : p + 1;
      case Ctx::HereLiteral:
        return c == '$' ? literal_dollar(p) : p + 1;
      case Ctx::Ansi:
        if (c == '\\') return p + 2;
        return c == '\'' ? pop(p + 1) : p + 1;
      case Ctx::Double:
      case Ctx::HereExpand:
        return step_double(p);
      case Ctx::Brace:
        return step_brace(p);
      case Ctx::Code:
      case Ctx::Paren:
      case Ctx::Backtick:
        return step_code(p);
    }
    return p + 1;
  }

  std::size_t step_code(std::size_t p) {
    char c = s_[p];
    if (c == '\\') return p + 2;
    if (c == '\'') return push(Ctx::Single, p + 1);
    if (c == '"') return push(Ctx::Double, p + 1);
    if (c == '`') return top() == Ctx::Backtick ? pop(p + 1) : push(Ctx::Backtick, p + 1);
    if (c == '(' && top() == Ctx::Paren) return push(Ctx::Paren, p + 1);
    if (c == ')' && top() == Ctx::Paren) return pop(p + 1);
    if (c == '#' && top() != Ctx::Code && at_word_start(p)) {
      std::size_t eol = s_.find('\n', p);
      return eol == std::string_view::npos ? s_.size() : eol;
    }
    if (c == '$') return dollar(p, true);
    return p + 1;
  }

  std::size_t step_double(std::size_t p) {
    char c = s_[p];
    if (c == '\\') return p + 2;
    if (c == '"' && top() == Ctx::Double) return pop(p + 1);
    if (c == '`') return push(Ctx::Backtick, p + 1);
    if (c == '$') return dollar(p, false);
    return p + 1;
  }

  std::size_t step_brace(std::size_t p) {
    char c = s_[p];
    if (c == '\\') return p + 2;
    if (c == '}') return pop(p + 1);
    bool in_double = stack_.size() >= 2 && stack_[stack_.size() - 2].ctx == Ctx::Double;
    if (c == '\'' && !in_double) return push(Ctx::Single, p + 1);
    if (c == '"') return push(Ctx::Double, p + 1);
    if (c == '`') return push(Ctx::Backtick, p + 1);
    if (c == '$') return dollar(p, !in_double);
    return p + 1;
  }

  std::size_t dollar(std::size_t p, bool code) {
    char n = p + 1 < s_.size() ? s_[p + 1] : '\0';
    if (n == '(') return push(Ctx::Paren, p + 2);  // $( ) and $(( )): contents scanned as code
    if (n == '{') return brace(p);
    if (n == '\'' && code) return push(Ctx::Ansi, p + 2);
    if (n == '"' && code) return push(Ctx::Double, p + 2);
    std::size_t len = name_length(s_, p + 1);
    if (len == 0) return p + 1;  // $?, $1, $@, $$ ... or a literal dollar
    std::string_view name = s_.substr(p + 1, len);
    record(name, p, "$" + std::string(name), false);
    return p + 1 + len;
  }

  // After NAME (and an optional [subscript]): does the operator supply a default?
  std::size_t after_name(std::size_t q, bool& has_default) const {
    if (q < s_.size() && s_[q] == '[') {
      std::size_t close = s_.find_first_of("]}", q);
      q = (close == std::string_view::npos) ? s_.size() : (s_[close] == ']' ? close + 1 : close);
    }
    std::string_view rest = s_.substr(std::min(q, s_.size()));
    has_default = rest.starts_with(":-") || rest.starts_with(":=") || rest.starts_with("-") ||
                  rest.starts_with("=");
    return q;
  }

  std::size_t brace(std::size_t p) {
    std::size_t q = p + 2;
    if (q < s_.size() && (s_[q] == '#' || s_[q] == '!') && name_length(s_, q + 1) > 0) ++q;
    std::size_t len = name_length(s_, q);
    Frame f{Ctx::Brace, p, -1};
    if (len > 0) {
      bool has_default = false;
      std::string_view name = s_.substr(q, len);
      q = after_name(q + len, has_default);
      f.ref = record(name, p, "", has_default);
    }
    stack_.push_back(f);
    return q;
  }

  // `$NAME` inside single quotes or a quoted heredoc: only upper-case names count.
  std::size_t literal_dollar(std::size_t p) {
    bool braced = p + 1 < s_.size() && s_[p + 1] == '{';
    std::size_t q = p + (braced ? 2 : 1);
    std::size_t len = name_length(s_, q);
    if (len == 0 || !is_upper_name(s_.substr(q, len))) return p + 1;
    std::string_view name = s_.substr(q, len);
    if (!braced) {
      record(name, p, "$" + std::string(name), false);
      return q + len;
    }
    bool has_default = false;
    after_name(q + len, has_default);
    std::size_t close = s_.find_first_of("}'", q + len);
    std::size_t end = (close != std::string_view::npos && s_[close] == '}') ? close + 1 : q + len;
    record(name, p, std::string(s_.substr(p, std::min(end - p, kMaxWritten))), has_default);
    return end;
  }
};

// The NAME operands of `read`/`mapfile`: options in `arg_options` consume an argument, which
// for `array_option` (read -a) is itself an assigned name.
void read_names(const std::vector<Word>& words, std::size_t first, std::string_view arg_options,
                char array_option, std::set<std::string>& names) {
  bool options = true;
  bool any = false;
  for (std::size_t i = first; i < words.size(); ++i) {
    std::string_view w = words[i].text;
    if (options && w == "--") {
      options = false;
    } else if (options && w.size() > 1 && w[0] == '-') {
      for (std::size_t k = 1; k < w.size(); ++k) {
        if (arg_options.find(w[k]) == std::string_view::npos) continue;
        std::string_view value = k + 1 < w.size() ? w.substr(k + 1) : (i + 1 < words.size() ? std::string_view(words[++i].text) : std::string_view());
        if (w[k] == array_option && is_name(value)) {
          names.insert(std::string(value));
          any = true;
        }
        break;
      }
    } else {
      options = false;
      if (is_name(w)) names.insert(std::string(w));
      any = true;
    }
  }
  if (!any && words[0].text == "read") names.insert("REPLY");
}

void declared_names(const std::vector<Word>& words, std::set<std::string>& names) {
  for (std::size_t i = 1; i < words.size(); ++i) {
    std::string_view w = words[i].text;
    if (w.empty() || w[0] == '-' || w[0] == '+') continue;
    std::string_view name = w.substr(0, w.find_first_of("=["));
    if (!name.empty() && name.back() == '+') name.remove_suffix(1);
    if (is_name(name)) names.insert(std::string(name));
  }
}

void command_names(const SimpleCommand& c, std::set<std::string>& names) {
  for (const std::string& a : c.assignments) {
    std::string_view name = std::string_view(a).substr(0, a.find_first_of("+=["));
    if (is_name(name)) names.insert(std::string(name));
  }
  if (c.words.empty()) return;
  std::string_view cmd = c.words[0].text;
  if (is_one_of(cmd, {"export", "local", "declare", "typeset", "readonly"})) {
    declared_names(c.words, names);
  } else if (cmd == "read") {
    read_names(c.words, 1, "adinNptu", 'a', names);
  } else if (cmd == "mapfile" || cmd == "readarray") {
    read_names(c.words, 1, "dnOsuCc", '\0', names);
  } else if (cmd == "printf" && c.words.size() > 2 && c.words[1].text == "-v" && is_name(c.words[2].text)) {
    names.insert(c.words[2].text);
  } else if (cmd == "getopts" && c.words.size() > 2 && is_name(c.words[2].text)) {
    names.insert(c.words[2].text);
  }
}

}  // namespace

std::set<std::string> assigned_names(std::string_view script) {
  ParsedScript parsed = parse_script(script);
  std::set<std::string> names(parsed.loop_names.begin(), parsed.loop_names.end());
  names.erase(std::string());
  for (const SimpleCommand& c : parsed.commands) command_names(c, names);
  return names;
}

std::vector<VarRef> referenced_variables(std::string_view script) {
  std::vector<VarRef> refs;
  LineIndex lines(script);
  RefScanner scanner(script, lines, refs);
  TokenStream tokens(script);
  Token t;
  while (tokens.next(t)) {
    if (t.kind == TokenKind::Word) {
      scanner.scan(t.text, Ctx::Code);
    } else if (t.kind == TokenKind::Redirect && !t.heredoc) {
      scanner.scan(t.target, Ctx::Code);
    } else if (t.kind == TokenKind::Redirect) {
      scanner.scan(t.heredoc_body, t.heredoc_expands ? Ctx::HereExpand : Ctx::HereLiteral);
    }
  }
  return refs;
}

}  // namespace runbook::shell
