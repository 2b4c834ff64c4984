// The walk: from step to step along the graph's outline, with records for everything.
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <ostream>

#include "executor/session_impl.h"
#include "playbook/front_matter.h"
#include "runbook_version.h"
#include "util/sha256.h"

namespace runbook::executor {

using playbook::StepKind;

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::Completed: return "completed";
    case Outcome::Quit: return "quit";
    case Outcome::AwaitingOperator: return "awaiting-operator";
    case Outcome::Failed: return "failed";
  }
  return "failed";
}

Session::Impl::Impl(const playbook::Playbook& playbook, const graph::StepGraph& g, const RunConfig& cfg,
                    const safety::Classifier& cls, exec::Runner& r, Operator& o, evidence::EvidenceLog& l,
                    std::ostream& os, exec::Interrupt& irq)
    : pb(playbook), graph(g), config(cfg), classifier(cls), runner(r), op(o), log(l), out(os), interrupt(irq),
      walker(playbook, g), clock(playbook), started(std::chrono::steady_clock::now()) {}

bool Session::Impl::record(const std::string& type, nlohmann::json fields) {
  if (log_failed) return false;
  auto written = log.append(type, std::move(fields));
  if (!written) {
    log_failed = true;
    out << "\nrunbook: the evidence log cannot be written: " << written.error().describe()
        << "\nrunbook: stopping here; nothing further is run.\n" << std::flush;
    return false;
  }
  return true;
}

std::chrono::milliseconds Session::Impl::elapsed() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
}

std::optional<Answer> Session::Impl::ask(Question q) {
  for (;;) {
    if (++questions > settings.max_questions) {
      out << "runbook: more than " << settings.max_questions << " questions; stopping (an answer loop?)\n";
      return std::nullopt;
    }
    interrupt.clear();
    Answer a = op.ask(q);
    if (a.kind == Answer::Kind::Value) return a;
    if (a.kind == Answer::Kind::EndOfInput) {
      record("input_ended", {{"step", q.step_id}, {"ask", ask_name(q.ask)}});
      return std::nullopt;
    }
    // Ctrl-C at a prompt: ask whether to quit.
    record("interrupt", {{"step", q.step_id}, {"during", "prompt"}});
    interrupt.clear();
    Question quit{Ask::Quit, q.step_id, "", "\nQuit the run? It can be resumed later. [y/N] ",
                  {{'y', "yes", "[y]es"}, {'n', "no", "[n]o"}}, "no", false};
    Answer qa = op.ask(quit);
    if (qa.kind != Answer::Kind::Value || qa.value == "yes") return std::nullopt;
  }
}

bool Session::Impl::is_secret_key(const std::string& key) const { return secret_keys.count(key) > 0; }

void Session::Impl::bind(const std::string& key, const std::string& name, const std::string& value, bool secret,
                         const std::string& source) {
  values[key] = value;
  if (secret) {
    secret_keys.insert(key);
    log.redactor().add_secret(value);
  }
  record("variable_set", {{"name", name}, {"key", key}, {"value", secret ? std::string(evidence::kRedacted) : value},
                          {"secret", secret}, {"source", source}});
}

std::vector<const playbook::Variable*> Session::Impl::missing_variables(const playbook::Step& step) const {
  std::vector<const playbook::Variable*> missing;
  for (const auto& v : step.variables) {
    if (v.has_default || values.count(v.key)) continue;
    const std::string alias = playbook::alias_key(v);
    if (!alias.empty() && values.count(alias)) continue;
    // $VAR / ${VAR} that the caller's environment already sets run as they are.
    if ((v.syntax == playbook::VarSyntax::Dollar || v.syntax == playbook::VarSyntax::DollarBrace) &&
        std::getenv(v.name.c_str()) != nullptr)
      continue;
    missing.push_back(&v);
  }
  return missing;
}

bool Session::Impl::ensure_variables(const playbook::Step& step) {
  const nlohmann::json& declared = pb.front_matter.is_object() && pb.front_matter.contains("variables")
                                       ? pb.front_matter["variables"] : nlohmann::json();
  for (const playbook::Variable* missing : missing_variables(step)) {
    const auto& v = *missing;
    if (values.count(v.key)) continue;  // asked already for an earlier placeholder of the step
    bool secret = v.secret;
    std::string prompt = "  " + v.written;
    if (declared.is_object()) {
      for (const auto& [name, spec] : declared.items()) {
        if (playbook::binding_key(name) != v.key || !spec.is_object()) continue;
        if (spec.contains("secret") && spec["secret"].is_boolean()) secret = secret || spec["secret"].get<bool>();
        if (spec.contains("description") && spec["description"].is_string())
          prompt += " (" + spec["description"].get<std::string>() + ")";
      }
    }
    prompt += secret ? " [hidden] = " : " = ";
    auto a = ask(Question{Ask::Variable, step.id, v.name, prompt, {}, "", secret});
    if (!a) return false;
    bind(v.key, v.name, a->value, secret, "prompt");
    if (log_failed) return false;
  }
  return true;
}

nlohmann::json Session::Impl::step_ref(int pos) const {
  const int s = walker.step_at(pos);
  if (s < 0) return nullptr;
  return pb.steps[static_cast<std::size_t>(s)].id;
}

Flow Session::Impl::jump_from(int pos) {
  for (;;) {
    auto a = ask(Question{Ask::Jump, step_ref(pos).get<std::string>(), "", "  jump to step id (empty: stay): ", {}, "", false});
    if (!a) return Flow::quit();
    if (a->value.empty()) return Flow::to(pos);
    const int to = walker.position_of(a->value);
    if (to < 0) {
      out << "  no step has the id '" << a->value << "' (ids are shown above each step; `runbook render` lists them)\n";
      continue;
    }
    if (!record("jump", {{"step", step_ref(pos)}, {"next", a->value}})) return Flow::failed();
    return Flow::to(to);
  }
}

Flow Session::Impl::note_on(const playbook::Step& step) {
  auto a = ask(Question{Ask::Note, step.id, "", "  note: ", {}, "", false});
  if (!a) return Flow::quit();
  if (!a->value.empty()) {
    if (!record("note", {{"step", step.id}, {"text", a->value}})) return Flow::failed();
    ++tally.notes;
  }
  return Flow::to(-1);  // stay
}

void Session::Impl::show_reminders() {
  const auto now = elapsed();
  for (int i : clock.due(reminders_checked, now)) {
    const auto& r = clock.reminders()[static_cast<std::size_t>(i)];
    out << style("⏰ reminder: " + r.text, render::Style::Orange) << "\n";
    record("reminder", {{"text", r.text}, {"line", r.line}, {"elapsed_ms", now.count()}});
  }
  reminders_checked = now;
}

Outcome Session::Impl::walk(int pos, std::vector<int> history) {
  pos = walker.settle(pos);
  while (pos < walker.end()) {
    show_reminders();
    const auto& step = pb.steps[static_cast<std::size_t>(walker.step_at(pos))];
    show_step(pos, step);
    Flow flow;
    if (settings.autopilot) {
      if (interrupt.raised()) {  // SIGTERM between steps: stop, resumable
        record("interrupt", {{"step", step.id}, {"during", "headless"}});
        if (!record_abandoned()) return Outcome::Failed;
        record("run_finished", {{"outcome", "quit"}, {"at", step.id}, {"elapsed_ms", elapsed().count()}});
        return log_failed ? Outcome::Failed : Outcome::Quit;
      }
      if (auto handled = autopilot_gate(pos, step)) {
        if (handled->kind == Flow::Kind::Handoff) {
          if (!record_abandoned()) return Outcome::Failed;
          if (!record("run_finished", {{"outcome", "awaiting-operator"}, {"at", step.id}, {"reason", stopped_reason},
                                       {"elapsed_ms", elapsed().count()}, {"ran", tally.ran}, {"failed", tally.failed},
                                       {"skipped", tally.skipped}, {"pending", tally.pending}}))
            return Outcome::Failed;
          return Outcome::AwaitingOperator;
        }
        if (log_failed || handled->kind == Flow::Kind::Failed) return Outcome::Failed;
        history.push_back(pos);
        pos = walker.settle(handled->next);
        continue;
      }
      start_early(pos);
    }
    switch (step.kind) {
      case StepKind::Command: flow = command_step(pos, step); break;
      case StepKind::Checklist: flow = checklist_step(pos, step); break;
      case StepKind::Decision: flow = decision_step(pos, step); break;
      case StepKind::Template: flow = template_step(pos, step); break;
      case StepKind::Snippet: flow = snippet_step(pos, step); break;
    }
    if (log_failed || flow.kind == Flow::Kind::Failed) return Outcome::Failed;
    if (flow.kind == Flow::Kind::Quit) {
      if (!record_abandoned()) return Outcome::Failed;
      record("run_finished", {{"outcome", "quit"}, {"at", step.id}, {"elapsed_ms", elapsed().count()}});
      return Outcome::Quit;
    }
    if (flow.kind == Flow::Kind::Back) {
      if (history.empty()) {
        out << "  (this is the first step of the run)\n";
        continue;
      }
      const int to = history.back();
      history.pop_back();
      if (!record("back", {{"step", step.id}, {"next", step_ref(to)}})) return Outcome::Failed;
      pos = to;
      continue;
    }
    history.push_back(pos);
    pos = walker.settle(flow.next);
  }
  out << "\n" << style("Reached the end of the playbook.", render::Style::Bold) << "\n";
  if (!record_abandoned()) return Outcome::Failed;
  if (!record("run_finished", {{"outcome", "completed"}, {"elapsed_ms", elapsed().count()},
                               {"ran", tally.ran}, {"failed", tally.failed}, {"skipped", tally.skipped},
                               {"pending", tally.pending}}))
    return Outcome::Failed;
  return Outcome::Completed;
}

namespace {

std::string hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

std::string username() {
  for (const char* v : {"USER", "LOGNAME"})
    if (const char* u = std::getenv(v); u && *u) return u;
  if (const passwd* pw = getpwuid(getuid())) return pw->pw_name;
  return std::to_string(getuid());
}

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Outcome Session::Impl::begin(const SessionSettings& s) {
  settings = s;
  for (const auto& pattern : config.redact_patterns) log.redactor().add_pattern(pattern);
  nlohmann::json vars = nlohmann::json::object();
  std::vector<std::pair<std::string, PresetValue>> preset(s.preset.begin(), s.preset.end());
  if (!record("run_started",
              {{"playbook", {{"path", pb.path}, {"title", pb.title}, {"sha256", pb.source_sha256},
                             {"lines", {pb.range.first, pb.range.last}}, {"embedded", pb.embedded}}},
               {"engine", {{"name", "runbook"}, {"version", RUNBOOK_VERSION}}},
               {"user", username()}, {"host", hostname()}, {"cwd", s.cwd}, {"mode", s.mode},
               {"started_unix_ms", unix_ms()}, {"config", config.source},
               {"severity", pb.severity ? pb.severity->label : ""}, {"steps", walker.total()}}))
    return Outcome::Failed;
  if (s.autopilot && !record("headless", {{"policy", s.policy}, {"deadline_ms", s.deadline.count()},
                                          {"concurrency", s.parallel ? s.lookahead : 1}, {"alert", s.trigger}}))
    return Outcome::Failed;
  for (const auto& [key, pv] : preset) bind(key, key, pv.value, playbook::looks_secret(key), pv.source);
  if (log_failed) return Outcome::Failed;
  return walk(walker.first(), {});
}

Outcome Session::Impl::resume(const ResumePoint& point, const SessionSettings& s) {
  settings = s;
  for (const auto& pattern : config.redact_patterns) log.redactor().add_pattern(pattern);
  const auto offset = std::chrono::milliseconds(point.started_unix_ms > 0 ? unix_ms() - point.started_unix_ms : 0);
  started = std::chrono::steady_clock::now() - offset;
  reminders_checked = offset;
  int pos = point.at_end ? walker.end() : walker.first();
  if (!point.next_step.empty()) {
    pos = walker.position_of(point.next_step);
    if (pos < 0) {
      out << "runbook: the step '" << point.next_step
          << "' is no longer in the playbook; continuing from the first step\n";
      pos = walker.first();
    }
  }
  if (!record("run_resumed", {{"from_seq", point.last_seq}, {"next", step_ref(pos)}, {"mode", s.mode},
                              {"user", username()}, {"host", hostname()}}))
    return Outcome::Failed;
  for (const auto& [key, pv] : point.values) values[key] = pv.value;
  for (const auto& [key, pv] : s.preset)
    if (!values.count(key) || values[key] != pv.value) bind(key, key, pv.value, playbook::looks_secret(key), pv.source);
  std::vector<int> history;
  for (const auto& id : point.history)
    if (int p = walker.position_of(id); p >= 0) history.push_back(p);
  return walk(pos, std::move(history));
}

Session::Session(const playbook::Playbook& playbook, const graph::StepGraph& graph, const RunConfig& config,
                 const safety::Classifier& classifier, exec::Runner& runner, Operator& op,
                 evidence::EvidenceLog& log, std::ostream& out, exec::Interrupt& interrupt)
    : impl_(std::make_unique<Impl>(playbook, graph, config, classifier, runner, op, log, out, interrupt)) {}
Session::~Session() = default;
Outcome Session::start(const SessionSettings& settings) { return impl_->begin(settings); }
Outcome Session::resume(const ResumePoint& point, const SessionSettings& settings) {
  return impl_->resume(point, settings);
}
const Session::Tally& Session::tally() const { return impl_->tally; }

}  // namespace runbook::executor
