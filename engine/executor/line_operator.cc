// Answers read a line at a time from a stream that is not a terminal.
#include <istream>
#include <ostream>

#include "executor/operator.h"

namespace runbook::executor {

namespace {

class LineOperator : public Operator {
 public:
  LineOperator(std::istream& in, std::ostream& out) : in_(in), out_(out) {}

  Answer ask(const Question& q) override {
    for (int attempt = 0;; ++attempt) {
      out_ << q.prompt << std::flush;
      std::string line;
      if (!std::getline(in_, line)) {
        out_ << "\n";
        return Answer{Answer::Kind::EndOfInput, {}};
      }
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!q.secret) out_ << line;
      out_ << "\n";
      if (q.options.empty()) return Answer{Answer::Kind::Value, line};
      if (line.empty() && !q.fallback.empty()) return Answer{Answer::Kind::Value, q.fallback};
      if (const Option* o = match_option(q, line)) return Answer{Answer::Kind::Value, o->word};
      out_ << "  '" << line << "' is not one of:";
      for (const auto& o : q.options) out_ << ' ' << o.word;
      out_ << "\n";
      if (attempt > 100) return Answer{Answer::Kind::EndOfInput, {}};
    }
  }
  const char* mode() const override { return "lines"; }

 private:
  std::istream& in_;
  std::ostream& out_;
};

}  // namespace

std::unique_ptr<Operator> make_line_operator(std::istream& in, std::ostream& out) {
  return std::make_unique<LineOperator>(in, out);
}

}  // namespace runbook::executor
