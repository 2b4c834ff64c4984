#pragma once
// Internal to the executor: the session's state and the handlers of each step kind.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "executor/clock.h"
#include "executor/session.h"
#include "executor/walk.h"
#include "render/terminal.h"
#include "sql/target.h"

namespace runbook::executor {

/// What a step handler tells the walk to do next.
struct Flow {
  enum class Kind { Next, Back, Quit, Failed } kind = Kind::Next;
  int next = -1;  ///< position, for Next
  static Flow to(int pos) { return Flow{Kind::Next, pos}; }
  static Flow back() { return Flow{Kind::Back, -1}; }
  static Flow quit() { return Flow{Kind::Quit, -1}; }
  static Flow failed() { return Flow{Kind::Failed, -1}; }
};

class Session::Impl {
 public:
  Impl(const playbook::Playbook& playbook, const graph::StepGraph& graph, const RunConfig& config,
       const safety::Classifier& classifier, exec::Runner& runner, Operator& op, evidence::EvidenceLog& log,
       std::ostream& out, exec::Interrupt& interrupt);

  Outcome walk(int pos, std::vector<int> history);
  Outcome begin(const SessionSettings& settings);
  Outcome resume(const ResumePoint& point, const SessionSettings& settings);

  // session.cc: shared plumbing.
  bool record(const std::string& type, nlohmann::json fields);  ///< false: the log failed (run stops)
  std::optional<Answer> ask(Question q);                       ///< nullopt: the operator quits
  std::chrono::milliseconds elapsed() const;
  void bind(const std::string& key, const std::string& name, const std::string& value, bool secret,
            const std::string& source);
  bool is_secret_key(const std::string& key) const;
  /// Asks for the step's variables that have no value (placeholders without defaults). False: quit.
  bool ensure_variables(const playbook::Step& step);
  /// The step's id of the position (null at the end), for records.
  nlohmann::json step_ref(int pos) const;
  Flow jump_from(int pos);
  Flow note_on(const playbook::Step& step);
  void show_reminders();

  // view.cc: what the operator sees.
  void show_step(int pos, const playbook::Step& step);
  std::string section_path(const playbook::Step& step) const;
  std::string style(std::string_view text, render::Style style) const;

  // command_step.cc
  Flow command_step(int pos, const playbook::Step& step);
  // prompt_steps.cc
  /// Answers every asking step shares (note, back, jump, quit); true when `answer` was one.
  /// `stay`: ask the step's question again.
  bool common_answer(int pos, const playbook::Step& step, const std::string& answer, Flow& flow, bool& stay);
  /// Asks [c]ontinue (or note, back, jump, quit) after showing a step; true to continue,
  /// false with `last_flow` set otherwise.
  bool acknowledge(int pos, const playbook::Step& step);
  Flow last_flow;
  Flow checklist_step(int pos, const playbook::Step& step);
  Flow decision_step(int pos, const playbook::Step& step);
  Flow template_step(int pos, const playbook::Step& step);
  Flow snippet_step(int pos, const playbook::Step& step);

  const playbook::Playbook& pb;
  const graph::StepGraph& graph;
  const RunConfig& config;
  const safety::Classifier& classifier;
  exec::Runner& runner;
  Operator& op;
  evidence::EvidenceLog& log;
  std::ostream& out;
  exec::Interrupt& interrupt;

  Walk walker;
  PlaybookClock clock;
  SessionSettings settings;
  playbook::Bindings values;            ///< by binding key
  std::set<std::string> secret_keys;
  std::map<std::string, std::unique_ptr<sql::Target>> targets;
  std::chrono::steady_clock::time_point started;
  std::chrono::milliseconds reminders_checked{0};
  int questions = 0;
  bool log_failed = false;
  Tally tally;
};

}  // namespace runbook::executor
