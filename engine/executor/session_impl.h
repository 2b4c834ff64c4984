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
  enum class Kind { Next, Back, Quit, Handoff, Failed } kind = Kind::Next;
  int next = -1;  ///< position, for Next
  static Flow to(int pos) { return Flow{Kind::Next, pos}; }
  static Flow back() { return Flow{Kind::Back, -1}; }
  static Flow quit() { return Flow{Kind::Quit, -1}; }
  static Flow failed() { return Flow{Kind::Failed, -1}; }
  static Flow handoff() { return Flow{Kind::Handoff, -1}; }
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

  /// The step's placeholders that have no value (nor a default, nor a value in the environment).
  std::vector<const playbook::Variable*> missing_variables(const playbook::Step& step) const;

  // command_step.cc
  Flow command_step(int pos, const playbook::Step& step);
  /// Why the command cannot run here ("" when it can); `target` gets the SQL target's name.
  std::string not_runnable(const playbook::Step& step, std::string& target) const;
  /// The step's time limit: fence attribute, front matter, config; bounded by the deadline.
  std::chrono::milliseconds step_timeout(const playbook::Step& step) const;
  /// What the runner gets for a shell step's filled text.
  exec::CommandSpec shell_spec(const playbook::Step& step, const std::string& run_text,
                               std::chrono::milliseconds timeout) const;

  // autopilot_steps.cc: headless runs.
  /// Asks the autopilot about the step at `pos`. Returns the flow when the autopilot handled the
  /// step itself (skipped, pending, stopped); nullopt when the step should run.
  std::optional<Flow> autopilot_gate(int pos, const playbook::Step& step);
  /// Starts the following read-only shell steps of the section early (settings.parallel).
  void start_early(int pos);
  /// Records the early commands the walk never reached. False: the log failed.
  bool record_abandoned();
  Autopilot::Call autopilot_call(const playbook::Step& step);
  std::string stopped_reason;  ///< why the autopilot stopped the run
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
