// Headless runs: the autopilot decides each step in place of a person. It may run a command,
// skip it, leave it pending for a person, or stop the run and hand it over. Whatever it decides
// is recorded with its reason, so the person who takes over sees why each step is where it is.
#include <ostream>

#include "executor/session_impl.h"

namespace runbook::executor {

using playbook::StepKind;

namespace {

const char* act_name(Autopilot::Act act) {
  switch (act) {
    case Autopilot::Act::Run: return "run";
    case Autopilot::Act::Skip: return "skip";
    case Autopilot::Act::Pending: return "pending";
    case Autopilot::Act::Stop: return "stop";
  }
  return "stop";
}

}  // namespace

Autopilot::Call Session::Impl::autopilot_call(const playbook::Step& step) {
  std::vector<std::string> unbound;
  for (const playbook::Variable* v : missing_variables(step)) unbound.push_back(v->written);
  std::string target, why_not;
  if (step.kind == StepKind::Command) why_not = not_runnable(step, target);
  Autopilot::StepView view{step, step.safety, std::move(unbound), std::move(why_not), elapsed()};
  return settings.autopilot->decide(view);
}

std::optional<Flow> Session::Impl::autopilot_gate(int pos, const playbook::Step& step) {
  const Autopilot::Call call = autopilot_call(step);
  const int next = walker.after(pos);
  out << "   " << style(std::string("headless: ") + act_name(call.act) + (call.reason.empty() ? "" : " · " + call.reason),
                        call.act == Autopilot::Act::Run ? render::Style::Green : render::Style::Dim)
      << "\n";
  switch (call.act) {
    case Autopilot::Act::Run: return std::nullopt;
    case Autopilot::Act::Skip:
      ++tally.skipped;
      if (!record("step_skipped", {{"step", step.id}, {"next", step_ref(next)}, {"reason", call.reason}}))
        return Flow::failed();
      return Flow::to(next);
    case Autopilot::Act::Pending:
      ++tally.pending;
      if (!record("step_pending", {{"step", step.id}, {"kind", playbook::kind_name(step.kind)},
                                   {"next", step_ref(next)}, {"reason", call.reason}}))
        return Flow::failed();
      return Flow::to(next);
    case Autopilot::Act::Stop:
      stopped_reason = call.reason;
      // "next" names this very step: `runbook resume` continues here, with a person.
      if (!record("handoff", {{"at", step.id}, {"next", step.id}, {"reason", call.reason},
                              {"kind", playbook::kind_name(step.kind)}}))
        return Flow::failed();
      return Flow::handoff();
  }
  return Flow::handoff();
}

void Session::Impl::start_early(int pos) {
  if (!settings.parallel || settings.lookahead < 2) return;
  const auto& first = pb.steps[static_cast<std::size_t>(walker.step_at(pos))];
  if (first.kind != StepKind::Command || first.interpreter != playbook::Interpreter::Shell) return;
  // This step and the ones after it that the walk will certainly reach next, in this order:
  // shell steps the autopilot would run, in the same section, with no decision between them.
  // They start while the runner has room (`lookahead` at once); each is claimed in its turn.
  constexpr int kMaxScan = 64;
  int p = pos;
  for (int n = 0; n < kMaxScan && p < walker.end(); ++n) {
    const int s = walker.step_at(p);
    if (s < 0) break;
    const auto& step = pb.steps[static_cast<std::size_t>(s)];
    // Only reads start early: a write the policy allows runs in its turn, after what precedes it.
    if (step.kind != StepKind::Command || step.interpreter != playbook::Interpreter::Shell ||
        step.safety.level != safety::Level::ReadOnly || step.section != first.section || walker.branches(p))
      break;
    if (autopilot_call(step).act != Autopilot::Act::Run) break;
    // Started at an earlier step's scan: no second copy of the environment and the filled text.
    if (!settings.parallel->started(step.id)) {
      const std::string text = playbook::fill(step.body, step.variables, values, playbook::FillMode::ShellQuoted);
      if (!settings.parallel->start(step.id, shell_spec(step, text, step_timeout(step)))) break;
    }
    p = walker.after(p);
  }
}

bool Session::Impl::record_abandoned() {
  if (!settings.parallel) return true;
  for (const auto& a : settings.parallel->abandon()) {
    if (!record("step_abandoned", {{"step", a.key}, {"command", a.spec.script},
                                   {"end", exec::end_name(a.result.end)}, {"exit_code", a.result.exit_code},
                                   {"reason", "started early, but the run stopped before reaching it"}}))
      return false;
  }
  return true;
}

}  // namespace runbook::executor
