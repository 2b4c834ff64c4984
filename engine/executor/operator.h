#pragma once
// The person (or script) at the keyboard: every question the executor asks goes through here, so
// a terminal, piped lines and a scripted answers file are interchangeable.

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "exec/runner.h"
#include "util/result.h"

namespace runbook::executor {

/// What a question is about; scripted answers are looked up by it.
enum class Ask {
  Action,       ///< what to do with a step: run, skip, step, edit, note, back, jump, quit, ...
  PartAction,   ///< step-through: run, skip or quit this one command
  Variable,     ///< a value for a placeholder
  Check,        ///< a checklist item: done, not-done, n/a
  Choose,       ///< a decision: the number of a choice
  Reason,       ///< free text: why this choice (may be empty)
  Note,         ///< free text: a note
  Confirm,      ///< yes/no for a mutating step
  ConfirmWord,  ///< type the confirmation word for a destructive step
  Jump,         ///< a step id to jump to
  Edit,         ///< the edited command text (when no $EDITOR)
  Quit,         ///< yes/no: Ctrl-C at a prompt, quit the run?
  Retry,        ///< after an interrupted or failed step: retry, continue, quit
  AfterRefusal, ///< the step's actions again, after its confirmation was refused
};
/// "action", "part", "variable", "check", "choose", "reason", "note", "confirm", "confirm-word",
/// "jump", "edit", "quit", "retry", "after-refusal".
const char* ask_name(Ask ask);

/// One selectable answer: typed as `word`, or as the single `key` on a terminal.
struct Option {
  char key = 0;
  std::string word;  ///< canonical answer: "run", "skip", "done", "1"
  std::string help;  ///< shown in the prompt: "[r]un"
};

/// A question.
struct Question {
  Ask ask = Ask::Action;
  std::string step_id;           ///< the step it is about ("" for run-level questions)
  std::string name;              ///< the variable name (Variable), the expected word (ConfirmWord)
  std::string prompt;            ///< what is shown before the answer
  std::vector<Option> options;   ///< empty for free text
  std::string fallback;          ///< answer on an empty line ("" = none: ask again)
  bool secret = false;           ///< read without echo
};

/// An answer.
struct Answer {
  enum class Kind { Value, Interrupted, EndOfInput } kind = Kind::Value;
  std::string value;  ///< the option's word, or the text typed
};

/// Asks questions and shows text.
class Operator {
 public:
  virtual ~Operator() = default;
  virtual Answer ask(const Question& question) = 0;
  /// True when answers come from a person typing (prompts show keys; editing uses $EDITOR).
  virtual bool interactive() const { return false; }
  /// "terminal", "lines", "scripted".
  virtual const char* mode() const = 0;
};

/// A person at a terminal: single-key answers (raw mode), hidden input for secrets, Ctrl-C
/// (raised on `interrupt` by the signal handler) ends the read with Answer::Interrupted.
std::unique_ptr<Operator> make_terminal_operator(int in_fd, std::ostream& out, const exec::Interrupt& interrupt);
/// Line answers from a stream (stdin that is not a terminal): one answer a line; words or keys.
std::unique_ptr<Operator> make_line_operator(std::istream& in, std::ostream& out);
/// Answers from a YAML answers file (drills and tests); each answer is echoed to `out`.
util::Result<std::unique_ptr<Operator>> make_scripted_operator(const std::string& path, std::ostream& out);
/// The same from text (tests); `path` is only used in messages.
util::Result<std::unique_ptr<Operator>> make_scripted_operator_from_text(const std::string& text,
                                                                         const std::string& path, std::ostream& out);

/// The option a typed text selects (its word, its key, or a unique word prefix), or nullptr.
const Option* match_option(const Question& question, const std::string& typed);

}  // namespace runbook::executor
