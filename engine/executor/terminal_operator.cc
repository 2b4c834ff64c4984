// A person at a terminal: single keys for choices (non-canonical mode), lines for text, no echo
// for secrets. ISIG stays on: Ctrl-C raises the engine's Interrupt and ends the read.
#include <cerrno>
#include <ostream>

#include <termios.h>
#include <unistd.h>

#include "executor/operator.h"

namespace runbook::executor {

namespace {

/// Restores the terminal mode on scope exit.
class TermMode {
 public:
  TermMode(int fd, bool canonical, bool echo) : fd_(fd) {
    ok_ = tcgetattr(fd_, &saved_) == 0;
    if (!ok_) return;
    termios t = saved_;
    if (canonical) t.c_lflag |= ICANON; else t.c_lflag &= ~static_cast<tcflag_t>(ICANON);
    if (echo) t.c_lflag |= ECHO; else t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    t.c_lflag |= ISIG;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tcsetattr(fd_, TCSANOW, &t);
  }
  ~TermMode() {
    if (ok_) tcsetattr(fd_, TCSANOW, &saved_);
  }

 private:
  int fd_;
  bool ok_ = false;
  termios saved_{};
};

class TerminalOperator : public Operator {
 public:
  TerminalOperator(int fd, std::ostream& out, const exec::Interrupt& interrupt)
      : fd_(fd), out_(out), interrupt_(interrupt) {}

  Answer ask(const Question& q) override {
    for (;;) {
      out_ << q.prompt << std::flush;
      if (!q.options.empty() && all_keyed(q)) {
        char c = 0;
        const int r = read_byte(c);
        if (r <= 0) return end(r);
        if (c == '\n' || c == '\r') {
          if (!q.fallback.empty()) { out_ << q.fallback << "\n"; return Answer{Answer::Kind::Value, q.fallback}; }
          out_ << "\n";
          continue;
        }
        if (const Option* o = match_option(q, std::string(1, c))) {
          out_ << o->word << "\n";
          return Answer{Answer::Kind::Value, o->word};
        }
        out_ << "\n  press one of:";
        for (const auto& o : q.options) out_ << ' ' << o.key;
        out_ << "\n";
        continue;
      }
      std::string line;
      const int r = read_line(line, !q.secret);
      if (r <= 0) return end(r);
      if (q.secret) out_ << "\n";
      if (q.options.empty()) return Answer{Answer::Kind::Value, line};
      if (line.empty() && !q.fallback.empty()) return Answer{Answer::Kind::Value, q.fallback};
      if (const Option* o = match_option(q, line)) return Answer{Answer::Kind::Value, o->word};
      out_ << "  answer one of:";
      for (const auto& o : q.options) out_ << ' ' << o.word;
      out_ << "\n";
    }
  }
  bool interactive() const override { return true; }
  const char* mode() const override { return "terminal"; }

 private:
  static bool all_keyed(const Question& q) {
    for (const auto& o : q.options)
      if (!o.key) return false;
    return true;
  }
  Answer end(int r) {
    out_ << "\n";
    return Answer{r < 0 ? Answer::Kind::Interrupted : Answer::Kind::EndOfInput, {}};
  }
  /// 1: a byte; 0: end of input; -1: interrupted.
  int read_byte(char& c) {
    TermMode mode(fd_, false, false);
    for (;;) {
      if (interrupt_.raised()) return -1;
      const ssize_t n = ::read(fd_, &c, 1);
      if (n == 1) return c == 4 ? 0 : 1;  // Ctrl-D ends input
      if (n == 0) return 0;
      if (errno == EINTR) continue;  // the loop checks the interrupt
      return 0;
    }
  }
  int read_line(std::string& line, bool echo) {
    TermMode mode(fd_, true, echo);
    for (;;) {
      if (interrupt_.raised()) return -1;
      char c;
      const ssize_t n = ::read(fd_, &c, 1);
      if (n == 1) {
        if (c == '\n') return 1;
        line += c;
        continue;
      }
      if (n == 0) return line.empty() ? 0 : 1;
      if (errno == EINTR) continue;
      return 0;
    }
  }

  int fd_;
  std::ostream& out_;
  const exec::Interrupt& interrupt_;
};

}  // namespace

std::unique_ptr<Operator> make_terminal_operator(int in_fd, std::ostream& out, const exec::Interrupt& interrupt) {
  return std::make_unique<TerminalOperator>(in_fd, out, interrupt);
}

}  // namespace runbook::executor
