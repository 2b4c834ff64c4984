#include "safety/redirects.h"

#include <cctype>
#include <utility>

namespace runbook::safety {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool is_meta(char c) { return c == ';' || c == '|' || c == '&' || c == '<' || c == '>' || c == '(' || c == ')'; }

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  std::vector<OutputRedirect> run() {
    while (i_ < s_.size()) step();
    return std::move(out_);
  }

 private:
  bool starts(std::string_view p) const { return s_.compare(i_, p.size(), p) == 0; }

  void skip_single() {
    std::size_t close = s_.find('\'', i_ + 1);
    i_ = close == std::string_view::npos ? s_.size() : close + 1;
  }

  void skip_double() {
    ++i_;
    while (i_ < s_.size() && s_[i_] != '"') i_ += s_[i_] == '\\' ? 2 : 1;
    ++i_;
  }

  // A shell word starting at i_, quotes removed; stops at white space and operators.
  std::string read_word() {
    std::string w;
    while (i_ < s_.size() && !is_space(s_[i_]) && s_[i_] != '\n' && !is_meta(s_[i_])) {
      char c = s_[i_];
      if (c == '\'') {
        std::size_t close = s_.find('\'', i_ + 1);
        if (close == std::string_view::npos) close = s_.size();
        w += s_.substr(i_ + 1, close - i_ - 1);
        i_ = close + 1;
      } else if (c == '"') {
        ++i_;
        while (i_ < s_.size() && s_[i_] != '"') {
          if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
          w += s_[i_++];
        }
        ++i_;
      } else if (c == '\\' && i_ + 1 < s_.size()) {
        w += s_[i_ + 1];
        i_ += 2;
      } else {
        w += c;
        ++i_;
      }
    }
    return w;
  }

  void skip_spaces() {
    while (i_ < s_.size() && is_space(s_[i_])) ++i_;
  }

  // Skips to just after the `close` that balances the opening already consumed.
  void skip_balanced(std::string_view open, std::string_view close) {
    int depth = 1;
    while (i_ < s_.size() && depth > 0) {
      if (s_[i_] == '\'') {
        skip_single();
      } else if (s_[i_] == '"') {
        skip_double();
      } else if (starts(close)) {
        --depth;
        i_ += close.size();
      } else if (starts(open)) {
        ++depth;
        i_ += open.size();
      } else {
        ++i_;
      }
    }
  }

  void heredoc_bodies() {
    // i_ is just after a newline: each pending heredoc body runs to its delimiter line.
    for (const auto& [delim, strip_tabs] : pending_) {
      while (i_ < s_.size()) {
        std::size_t eol = s_.find('\n', i_);
        std::size_t end = eol == std::string_view::npos ? s_.size() : eol;
        std::string_view line = s_.substr(i_, end - i_);
        if (strip_tabs)
          while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
        while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        i_ = eol == std::string_view::npos ? s_.size() : eol + 1;
        if (line == delim) break;
      }
    }
    pending_.clear();
  }

  bool word_boundary_before() const {
    if (i_ == 0) return true;
    char p = s_[i_ - 1];
    return is_space(p) || p == '\n' || p == ';' || p == '|' || p == '&' || p == '(';
  }

  void step() {
    char c = s_[i_];
    if (c == '\\') {
      i_ += 2;
      return;
    }
    if (c == '\'') return skip_single();
    if (c == '"') return skip_double();
    if (c == '#' && word_boundary_before()) {
      std::size_t eol = s_.find('\n', i_);
      i_ = eol == std::string_view::npos ? s_.size() : eol;
      return;
    }
    if (c == '\n') {
      ++i_;
      if (!pending_.empty()) heredoc_bodies();
      return;
    }
    if (starts("$((")) {
      i_ += 3;
      return skip_balanced("((", "))");
    }
    if (starts("((") && word_boundary_before()) {
      i_ += 2;
      return skip_balanced("((", "))");
    }
    if (starts("[[") && word_boundary_before()) {
      i_ += 2;
      return skip_balanced("[[", "]]");
    }
    if (c == '<') {
      if (starts("<<<")) {
        i_ += 3;
        return;
      }
      if (starts("<<")) {
        i_ += 2;
        bool strip = false;
        if (i_ < s_.size() && s_[i_] == '-') {
          strip = true;
          ++i_;
        }
        skip_spaces();
        std::string delim = read_word();
        if (!delim.empty()) pending_.emplace_back(std::move(delim), strip);
        return;
      }
      ++i_;
      return;
    }
    if (c == '>') {
      std::size_t k = i_, op_begin = i_;
      if (k > 0 && s_[k - 1] == '&') {
        op_begin = k - 1;
      } else {
        std::size_t d = k;
        while (d > 0 && std::isdigit(static_cast<unsigned char>(s_[d - 1]))) --d;
        if (d < k && (d == 0 || is_space(s_[d - 1]) || s_[d - 1] == '\n' || is_meta(s_[d - 1]))) op_begin = d;
      }
      std::string op(s_.substr(op_begin, k - op_begin + 1));
      ++i_;
      if (i_ < s_.size() && s_[i_] == '(') return;  // >( process substitution )
      if (i_ < s_.size() && s_[i_] == '>') {
        op += '>';
        ++i_;
      } else if (i_ < s_.size() && s_[i_] == '|') {
        op += '|';
        ++i_;
      } else if (i_ < s_.size() && s_[i_] == '&') {
        std::size_t j = i_ + 1;
        if (j >= s_.size() || std::isdigit(static_cast<unsigned char>(s_[j])) || s_[j] == '-') {
          i_ = j;  // fd duplication: 2>&1, >&2, >&-
          return;
        }
        op += '&';
        ++i_;
      }
      skip_spaces();
      std::string target = read_word();
      out_.push_back(OutputRedirect{std::move(op), std::move(target)});
      return;
    }
    ++i_;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::vector<std::pair<std::string, bool>> pending_;
  std::vector<OutputRedirect> out_;
};

}  // namespace

std::vector<OutputRedirect> find_output_redirects(std::string_view text) {
  if (text.find('>') == std::string_view::npos) return {};  // every output redirection has one
  return Scanner(text).run();
}

}  // namespace runbook::safety
