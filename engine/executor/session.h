#pragma once
// The interactive executor: walks a playbook's step graph with the operator, runs what they
// choose to run, and records everything into the evidence log.

#include <chrono>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "evidence/log.h"
#include "exec/parallel_runner.h"
#include "exec/runner.h"
#include "executor/config.h"
#include "executor/operator.h"
#include "graph/graph.h"
#include "playbook/model.h"
#include "playbook/placeholders.h"
#include "safety/classifier.h"

namespace runbook::executor {

/// How a run (or this part of it) ended.
enum class Outcome {
  Completed,         ///< the walk reached the end of the playbook
  Quit,              ///< the operator quit (or input ended); resumable
  AwaitingOperator,  ///< a headless run stopped where a person must decide; resumable
  Failed,            ///< the evidence log could not be written: nothing further was done
};
/// "completed", "quit", "awaiting-operator", "failed".
const char* outcome_name(Outcome outcome);

/// A preset value and where it came from ("cli", "config", "front-matter", "answers", "alert").
struct PresetValue {
  std::string value;
  std::string source;
};

/// Where a resumed run continues.
struct ResumePoint {
  std::string next_step;                      ///< the step to continue at; "" = from the start
  bool at_end = false;                        ///< the walk had reached the end
  std::map<std::string, PresetValue> values;  ///< variables recorded so far (not secret ones)
  std::vector<std::string> history;           ///< steps concluded, in order (for `back`)
  std::int64_t started_unix_ms = 0;           ///< the run's original start (its clock goes on)
  std::uint64_t last_seq = 0;
};

/// Decides each step in place of a person: the policy of a headless run. The session asks it
/// before showing a step; only `Run` lets a command reach the runner.
class Autopilot {
 public:
  enum class Act {
    Run,      ///< run the command now, without asking
    Skip,     ///< record it as skipped, with the reason, and go on
    Pending,  ///< record it as left for a person (checklists, templates) and go on
    Stop,     ///< stop here and hand the run to a person
  };
  struct Call {
    Act act = Act::Stop;
    std::string reason;
  };
  /// What the autopilot sees of a step.
  struct StepView {
    const playbook::Step& step;
    safety::Verdict verdict;            ///< the command's class (commands only)
    std::vector<std::string> unbound;   ///< placeholders, as written, that have no value
    std::string not_runnable;           ///< why the command cannot run here, or ""
    std::chrono::milliseconds elapsed;  ///< since the run started
  };
  virtual ~Autopilot() = default;
  virtual Call decide(const StepView& view) = 0;
};

/// What the session needs from its caller.
struct SessionSettings {
  std::map<std::string, PresetValue> preset;  ///< by binding key
  std::string mode = "interactive";           ///< recorded: interactive, scripted, lines
  bool color = false;
  bool status_line = false;        ///< draw a live status line on stderr while commands run
  std::string editor;              ///< $VISUAL/$EDITOR for `edit`; "" = inline edit
  std::string cwd;                 ///< where commands run; "" = the engine's cwd
  int max_questions = 100000;      ///< a guard against answer loops in scripted runs
  Autopilot* autopilot = nullptr;  ///< set: a headless run (no questions reach the operator)
  std::chrono::milliseconds deadline{0};  ///< the whole run's time limit; 0 = none
  std::chrono::milliseconds step_cap{0};  ///< no step runs longer, whatever it asks; 0 = none
  /// Headless: the runner given to the session, when it can start the next read-only commands
  /// of a section early: up to `lookahead` commands run at once, the one in its turn included.
  exec::ParallelRunner* parallel = nullptr;
  int lookahead = 1;
  nlohmann::json trigger;  ///< what started the run (an alert), recorded in the headless record
  std::string policy;      ///< the headless policy's file, recorded in the headless record
};

/// One run of one playbook.
class Session {
 public:
  Session(const playbook::Playbook& playbook, const graph::StepGraph& graph, const RunConfig& config,
          const safety::Classifier& classifier, exec::Runner& runner, Operator& op,
          evidence::EvidenceLog& log, std::ostream& out, exec::Interrupt& interrupt);
  ~Session();

  /// A new run: records run_started, then walks from the first step.
  Outcome start(const SessionSettings& settings);
  /// Continues a run recorded in the log (reopened) from `point`.
  Outcome resume(const ResumePoint& point, const SessionSettings& settings);

  /// Counts of what happened, for the caller's summary.
  struct Tally {
    int ran = 0, failed = 0, skipped = 0, checked = 0, decided = 0, templates = 0, notes = 0, pending = 0;
  };
  const Tally& tally() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

/// Reads the resume point from an evidence directory's records.
util::Result<ResumePoint> resume_point(const std::vector<nlohmann::json>& records);

}  // namespace runbook::executor
