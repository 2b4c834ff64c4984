// Command steps: shell, SQL and PromQL blocks. Shown filled in, confirmed by safety class, run
// through the runner (or a SQL target), and recorded with their output.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "evidence/capture.h"
#include "shell/splitter.h"
#include "executor/prometheus.h"
#include "executor/session_impl.h"
#include "render/dry_run.h"
#include "util/text.h"

namespace runbook::executor {

using playbook::Interpreter;
using render::Style;

namespace {

/// Echoes output live to the terminal and keeps a status line on stderr while a command runs.
class LiveEcho : public exec::OutputSink {
 public:
  LiveEcho(std::ostream& out, bool status) : out_(out), status_(status) {}
  ~LiveEcho() override { clear(); }
  /// Ends a last line of output that had no newline, so the result line starts on its own.
  void end_line() {
    if (!ends_line_) out_ << "\n";
    ends_line_ = true;
  }
  void on_output(exec::Stream, std::string_view chunk, std::chrono::milliseconds) override {
    clear();
    bytes_ += chunk.size();
    if (!chunk.empty()) ends_line_ = chunk.back() == '\n';
    out_.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    out_.flush();
  }
  void on_tick(std::chrono::milliseconds elapsed) override {
    if (!status_) return;
    char line[128];
    std::snprintf(line, sizeof line, "\r\033[K  … running %.1fs · %llu bytes of output (Ctrl-C stops it)",
                  static_cast<double>(elapsed.count()) / 1000.0, static_cast<unsigned long long>(bytes_));
    std::cerr << line << std::flush;
    drawn_ = true;
  }

 private:
  void clear() {
    if (drawn_) std::cerr << "\r\033[K" << std::flush;
    drawn_ = false;
  }
  std::ostream& out_;
  bool status_;
  bool drawn_ = false;
  bool ends_line_ = true;
  unsigned long long bytes_ = 0;
};

/// A value that may be written into SQL text: no quotes, comments or statement separators.
bool sql_plain(const std::string& value) {
  for (unsigned char c : value)
    if (!(std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == ':' || c == '@' || c == '/' || c == ' ' ||
          c == '+' || c >= 0x80))
      return false;
  return true;
}

nlohmann::json verdict_json(const safety::Verdict& v) {
  return {{"level", safety::level_name(v.level)}, {"rule", v.rule}, {"reason", v.reason}};
}

/// Runs the editor on the text, on the terminal (same process group, so it may read the tty).
/// `editor` may hold arguments ("code --wait"), as $EDITOR often does.
std::optional<std::string> edit_in_editor(const std::string& editor, const std::string& text) {
  char path[] = "/tmp/runbook-edit-XXXXXX.sh";
  const int fd = mkstemps(path, 3);
  if (fd < 0) return std::nullopt;
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    ::close(fd);
    ::unlink(path);
    return std::nullopt;
  }
  ::close(fd);
  const pid_t pid = fork();
  if (pid == 0) {
    setenv("RUNBOOK_EDITOR", editor.c_str(), 1);
    execl("/bin/sh", "sh", "-c", "exec $RUNBOOK_EDITOR \"$1\"", "sh", path, static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ::unlink(path);
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream edited;
  edited << in.rdbuf();
  ::unlink(path);
  return edited.str();
}

}  // namespace

/// Why a command step cannot run here, or "".
std::string Session::Impl::not_runnable(const playbook::Step& step, std::string& target) const {
  switch (step.interpreter) {
    case Interpreter::Shell: return "";
    case Interpreter::Sql: {
      const auto t = step.attributes.find("target");
      target = t != step.attributes.end() ? t->second : config.default_target;
      if (target.empty())
        return "no SQL target: name one with ```sql {target=NAME} and define it under targets: in the config";
      if (!config.targets.count(target)) return "the SQL target '" + target + "' is not defined in the config (targets:)";
      return "";
    }
    case Interpreter::PromQL:
      if (config.prometheus_url.empty()) return "no Prometheus configured (prometheus: url: in the config)";
      return "";
    case Interpreter::None: return "not a command";
  }
  return "";
}

std::chrono::milliseconds Session::Impl::step_timeout(const playbook::Step& step) const {
  auto limit = config.step_timeout;
  if (auto t = step.attributes.find("timeout"); t != step.attributes.end()) {
    if (auto d = parse_duration(t->second)) limit = *d;
  } else if (pb.front_matter.is_object() && pb.front_matter.contains("timeout") && pb.front_matter["timeout"].is_string()) {
    if (auto d = parse_duration(pb.front_matter["timeout"].get<std::string>())) limit = *d;
  }
  if (settings.step_cap.count() > 0 && (limit.count() == 0 || limit > settings.step_cap)) limit = settings.step_cap;
  // A headless run's deadline bounds every step (at least a second, so the step can start).
  if (settings.deadline.count() > 0) {
    const auto left = std::max(settings.deadline - elapsed(), std::chrono::milliseconds(1000));
    if (limit.count() == 0 || left < limit) limit = left;
  }
  return limit;
}

exec::CommandSpec Session::Impl::shell_spec(const playbook::Step& step, const std::string& run_text,
                                            std::chrono::milliseconds timeout) const {
  exec::CommandSpec spec;
  spec.script = run_text;
  spec.env = exec::current_environment();
  for (const auto& [k, val] : values) {
    bool ident = !k.empty() && !std::isdigit(static_cast<unsigned char>(k[0]));
    for (char c : k) ident = ident && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (ident) spec.env[k] = val;
  }
  spec.cwd = settings.cwd;
  // ```bash {interactive} steps get the terminal (stdin) when a person is at one.
  if (auto it = step.attributes.find("interactive"); it != step.attributes.end() && it->second != "false")
    spec.interactive = op.interactive() && !settings.autopilot;
  spec.timeout = timeout;
  spec.grace = config.grace;
  return spec;
}

Flow Session::Impl::command_step(int pos, const playbook::Step& step) {
  std::string text = step.body;
  std::vector<playbook::Variable> vars = step.variables;
  safety::Verdict verdict = step.safety;
  bool edited = false;
  bool refused = false;  // the last confirmation was refused: the next question says so
  std::string target;
  const std::string why_not = not_runnable(step, target);
  auto timeout = step_timeout(step);

  auto classify = [&](const std::string& t) {
    switch (step.interpreter) {
      case Interpreter::Sql: return classifier.classify_sql(t);
      case Interpreter::PromQL: return classifier.classify_promql(t);
      default: {
        safety::Verdict worst{safety::Level::ReadOnly, "", "", ""};
        bool any = false;
        for (const auto& cmd : shell::split_commands(t)) {
          auto v = classifier.classify_shell(cmd.text);
          worst = any ? safety::worse(worst, v) : v;
          any = true;
        }
        return any ? worst : safety::Verdict{safety::Level::ReadOnly, "empty", "nothing to run", ""};
      }
    }
  };
  auto filled_text = [&](const std::string& t) {
    playbook::Bindings shown = values;
    for (const auto& key : secret_keys)
      if (shown.count(key)) shown[key] = std::string(render::kSecretMask);
    return playbook::fill(t, vars, shown, step.interpreter == Interpreter::Shell ? playbook::FillMode::ShellQuoted
                                                                                : playbook::FillMode::Literal);
  };

  // Runs `script` (the whole step, or one part of it); returns true when it succeeded.
  auto execute = [&](const std::string& script, int part, const safety::Verdict& v, bool& quit) -> std::optional<bool> {
    quit = false;
    timeout = step_timeout(step);  // a deadline shrinks as the run goes on
    // Confirm by safety class; a headless run got here only when its policy and the playbook
    // allow this step (Autopilot), which the step_started record states.
    const bool confirm = settings.autopilot == nullptr;
    if (confirm && v.level == safety::Level::Mutating) {
      auto a = ask(Question{Ask::Confirm, step.id, "", "   " + style("MUTATING", Style::Orange) + ": " + v.reason +
                                                          ". Run it? [y/N] ",
                            {{'y', "yes", "[y]es"}, {'n', "no", "[n]o"}}, "no", false});
      if (!a) { quit = true; return std::nullopt; }
      if (a->value != "yes") {
        record("confirmation_refused", {{"step", step.id}, {"level", "mutating"}});
        return std::nullopt;
      }
    } else if (confirm && v.level == safety::Level::Destructive) {
      auto a = ask(Question{Ask::ConfirmWord, step.id, config.confirm_word,
                            "   " + style("DESTRUCTIVE", Style::Red) + ": " + v.reason + ".\n   Type '" +
                                config.confirm_word + "' to run it (anything else cancels): ",
                            {}, "", false});
      if (!a) { quit = true; return std::nullopt; }
      if (a->value != config.confirm_word) {
        out << "   not confirmed; nothing was run\n";
        record("confirmation_refused", {{"step", step.id}, {"level", "destructive"}});
        return std::nullopt;
      }
    }
    std::string run_text;
    if (step.interpreter == Interpreter::Sql) {
      for (const auto& var : vars)
        if (auto it = values.find(var.key); it != values.end() && !sql_plain(it->second)) {
          out << "   the value of " << var.written
              << " holds characters that could change the SQL (quotes, ';', comments); it is refused\n";
          return std::nullopt;
        }
      run_text = playbook::fill(script, vars, values, playbook::FillMode::Literal);
    } else if (step.interpreter == Interpreter::Shell) {
      run_text = playbook::fill(script, vars, values, playbook::FillMode::ShellQuoted);
    } else {
      run_text = playbook::fill(script, vars, values, playbook::FillMode::Literal);
    }

    nlohmann::json env_added = nlohmann::json::object();
    for (const auto& [k, val] : values)
      env_added[k] = is_secret_key(k) ? std::string(evidence::kRedacted) : val;
    nlohmann::json started_fields = {{"step", step.id}, {"interpreter", playbook::interpreter_name(step.interpreter)},
                                     {"command", run_text}, {"safety", verdict_json(v)}, {"edited", edited},
                                     {"timeout_ms", timeout.count()}};
    if (part >= 0) started_fields["part"] = part;
    if (!target.empty()) started_fields["target"] = target;
    if (settings.autopilot) started_fields["headless"] = true;
    if (step.interpreter == Interpreter::Shell) started_fields["env_added"] = env_added;
    if (!record("step_started", std::move(started_fields))) { quit = true; return std::nullopt; }

    nlohmann::json fin = {{"step", step.id}};
    if (part >= 0) fin["part"] = part;
    bool ok = false;
    if (!settings.autopilot) interrupt.clear();  // headless: a SIGTERM before the step still counts
    if (step.interpreter == Interpreter::Shell) {
      const exec::CommandSpec spec = shell_spec(step, run_text, timeout);
      LiveEcho echo(out, settings.status_line);
      std::string name = util::slugify(step.id, 60);
      if (part >= 0) name += "-part" + std::to_string(part + 1);
      evidence::OutputCapture capture(log, name, config.inline_output, &echo);
      const exec::RunResult r = runner.run(spec, capture, &interrupt);
      fin.update(capture.finish());
      if (settings.parallel && settings.parallel->last_was_early()) {
        // It ran next to its neighbours, started head_start_ms before its turn; its output
        // was spooled and replayed here, so the record reads as if it ran now.
        fin["concurrent"] = true;
        fin["head_start_ms"] = settings.parallel->last_head_start().count();
      }
      echo.end_line();
      fin["end"] = exec::end_name(r.end);
      fin["exit_code"] = r.exit_code;
      if (r.signal) fin["signal"] = r.signal;
      fin["duration_ms"] = r.duration.count();
      if (!r.error.empty()) fin["error"] = r.error;
      ok = r.succeeded();
      std::string summary;
      switch (r.end) {
        case exec::RunResult::End::Exited: summary = "exit " + std::to_string(r.exit_code); break;
        case exec::RunResult::End::Signaled: summary = "killed by signal " + std::to_string(r.signal); break;
        case exec::RunResult::End::TimedOut:
          summary = "timed out after " + clock_text(timeout) + "; its process group was stopped";
          record("timeout", {{"step", step.id}, {"timeout_ms", timeout.count()}});
          break;
        case exec::RunResult::End::Interrupted:
          summary = "interrupted (Ctrl-C); its process group was stopped";
          record("interrupt", {{"step", step.id}, {"during", "step"}});
          break;
        case exec::RunResult::End::FailedToStart: summary = "could not start: " + r.error; break;
      }
      char dur[32];
      std::snprintf(dur, sizeof dur, " · %.1fs", static_cast<double>(r.duration.count()) / 1000.0);
      out << "   " << style((ok ? "✔ " : "✘ ") + summary + dur, ok ? Style::Green : Style::Red) << "\n";
    } else if (step.interpreter == Interpreter::Sql) {
      auto& conn = targets[target];
      const auto t0 = std::chrono::steady_clock::now();
      std::string error;
      if (!conn) {
        auto opened = sql::open_target(config.targets.at(target));
        if (opened) conn = std::move(opened.value());
        else error = opened.error().describe();
      }
      fin["target"] = target;
      if (conn) {
        sql::QueryOptions qo;
        qo.read_only = v.level == safety::Level::ReadOnly;
        qo.timeout = timeout;
        qo.interrupt = &interrupt;
        auto res = conn->execute(run_text, qo);
        if (res) {
          ok = true;
          out << res->table;
          if (!res->table.empty() && res->table.back() != '\n') out << "\n";
          fin["columns"] = res->columns;
          fin["rows"] = res->rows;
          fin["table"] = res->table;
          fin["affected"] = res->affected;
          fin["truncated"] = res->truncated;
          fin["read_only"] = qo.read_only;
        } else {
          error = res.error().describe();
        }
      }
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
      fin["duration_ms"] = ms.count();
      fin["end"] = ok ? "succeeded" : (interrupt.raised() ? "interrupted" : "error");
      if (!ok) {
        fin["error"] = error;
        out << "   " << style("✘ " + error, Style::Red) << "\n";
      } else {
        out << "   " << style("✔ " + std::string(conn->driver()) + " · " + target, Style::Green) << "\n";
      }
    } else {  // PromQL
      const auto t0 = std::chrono::steady_clock::now();
      auto res = query_prometheus(config.prometheus_url, run_text, config.prometheus_timeout);
      fin["duration_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
      if (res) {
        ok = true;
        out << res->table;
        fin["result"] = res->data;
        fin["table"] = res->table;
        fin["end"] = "succeeded";
      } else {
        fin["end"] = "error";
        fin["error"] = res.error().describe();
        out << "   " << style("✘ " + res.error().describe(), Style::Red) << "\n";
      }
    }
    fin["ok"] = ok;
    // A whole step that succeeded moves the walk on: its record names where to (one record, one
    // fdatasync). Failures name it later, once the operator has chosen to retry or continue.
    if (ok && part < 0) fin["next"] = step_ref(walker.after(pos));
    ++tally.ran;
    if (!ok) ++tally.failed;
    if (!record("step_finished", std::move(fin))) { quit = true; return std::nullopt; }
    return ok;
  };

  for (;;) {
    const std::string shown = render::sanitize(filled_text(text));
    out << "\n";
    for (auto line : util::split_lines(shown)) out << "   " << style("│ ", Style::Dim) << line << "\n";
    out << "   " << style(safety::level_name(verdict.level), verdict.level == safety::Level::ReadOnly ? Style::Green
                                                        : verdict.level == safety::Level::Mutating ? Style::Orange
                                                                                                   : Style::Red)
        << style(" · " + verdict.reason + " (" + verdict.rule + ")", Style::Dim) << "\n";

    std::vector<Option> options;
    if (!why_not.empty()) {
      out << "   " << style("not runnable here: " + why_not, Style::Orange) << "\n";
      options = {{'c', "continue", "[c]ontinue"}, {'n', "note", "[n]ote"}, {'b', "back", "[b]ack"},
                 {'j', "jump", "[j]ump"}, {'q', "quit", "[q]uit"}};
    } else {
      options = {{'r', "run", "[r]un"}, {'s', "skip", "[s]kip"}};
      if (step.interpreter == Interpreter::Shell && step.parts.size() > 1 && !edited)
        options.push_back({'t', "step", "s[t]ep through"});
      options.insert(options.end(), {{'e', "edit", "[e]dit"}, {'n', "note", "[n]ote"}, {'b', "back", "[b]ack"},
                                     {'j', "jump", "[j]ump"}, {'q', "quit", "[q]uit"}});
    }
    std::string prompt;
    for (const auto& o : options) prompt += o.help + " ";
    std::optional<Answer> a;
    if (settings.autopilot) {
      // The autopilot chose to run it; a refusal (a value unfit for SQL) skips it instead.
      if (refused) {
        ++tally.skipped;
        if (!record("step_skipped", {{"step", step.id}, {"next", step_ref(walker.after(pos))},
                                     {"reason", "a value was refused for this step"}}))
          return Flow::failed();
        return Flow::to(walker.after(pos));
      }
      a = Answer{Answer::Kind::Value, why_not.empty() ? "run" : "continue"};
    } else {
      a = ask(Question{refused ? Ask::AfterRefusal : Ask::Action, step.id, "", prompt + "> ", options,
                       why_not.empty() ? "" : "continue", false});
    }
    refused = false;
    if (!a) return Flow::quit();
    const std::string& act = a->value;
    if (act == "quit") return Flow::quit();
    if (act == "back") return Flow::back();
    if (act == "jump") {
      Flow f = jump_from(pos);
      if (f.kind != Flow::Kind::Next || f.next != pos) return f;
      continue;
    }
    if (act == "note") {
      Flow f = note_on(step);
      if (f.kind != Flow::Kind::Next) return f;
      continue;
    }
    if (act == "skip" || act == "continue") {
      ++tally.skipped;
      nlohmann::json f = {{"step", step.id}, {"next", step_ref(walker.after(pos))}};
      if (!why_not.empty()) f["reason"] = "not runnable: " + why_not;
      if (!record("step_skipped", std::move(f))) return Flow::failed();
      return Flow::to(walker.after(pos));
    }
    if (act == "edit") {
      std::optional<std::string> changed;
      if (op.interactive() && !settings.editor.empty()) {
        changed = edit_in_editor(settings.editor, filled_text(text));
        if (!changed) out << "   the editor failed; the command is unchanged\n";
      } else {
        auto e = ask(Question{Ask::Edit, step.id, "", "   new command (one line; empty keeps it): ", {}, "", false});
        if (!e) return Flow::quit();
        if (!e->value.empty()) changed = e->value;
      }
      if (changed && *changed != text) {
        if (!record("edit", {{"step", step.id}, {"original", text}, {"edited", *changed}})) return Flow::failed();
        text = *changed;
        edited = true;
        vars = playbook::find_variables(text, step.kind, step.interpreter, step.lines.first + 1);
        verdict = classify(text);
      }
      continue;
    }
    if (!ensure_variables(step)) return log_failed ? Flow::failed() : Flow::quit();
    if (edited) {
      // Variables the edited text introduced.
      playbook::Step probe = step;
      probe.variables = vars;
      if (!ensure_variables(probe)) return log_failed ? Flow::failed() : Flow::quit();
    }
    bool quit = false;
    std::optional<bool> ok;
    if (act == "step") {
      int ran = 0;
      bool stop = false;
      for (std::size_t i = 0; i < step.parts.size() && !stop; ++i) {
        const auto& part = step.parts[i];
        out << "\n   " << style("[" + std::to_string(i + 1) + "/" + std::to_string(step.parts.size()) + "]", Style::Bold)
            << " " << render::sanitize(filled_text(part.text)) << "\n   "
            << style(std::string(safety::level_name(part.safety.level)) + " · " + part.safety.reason, Style::Dim) << "\n";
        auto pa = ask(Question{Ask::PartAction, step.id, "", "   [r]un [s]kip [q]uit stepping > ",
                               {{'r', "run", "[r]un"}, {'s', "skip", "[s]kip"}, {'q', "quit", "[q]uit"}}, "", false});
        if (!pa) return Flow::quit();
        if (pa->value == "quit") { stop = true; break; }
        if (pa->value == "skip") {
          record("part_skipped", {{"step", step.id}, {"part", static_cast<int>(i)}});
          continue;
        }
        auto r = execute(part.text, static_cast<int>(i), part.safety, quit);
        if (quit) return log_failed ? Flow::failed() : Flow::quit();
        if (r) ++ran;
      }
      if (!record("step_stepped", {{"step", step.id}, {"parts_run", ran}, {"parts", step.parts.size()},
                                   {"next", step_ref(walker.after(pos))}}))
        return Flow::failed();
      return Flow::to(walker.after(pos));
    }
    ok = execute(text, -1, verdict, quit);
    if (quit) return log_failed ? Flow::failed() : Flow::quit();
    if (!ok) {  // not confirmed (or a value refused): back to the prompt
      refused = true;
      continue;
    }
    if (*ok) return Flow::to(walker.after(pos));
    if (settings.autopilot && interrupt.raised()) return Flow::quit();  // SIGTERM: the run ends here
    // It failed, timed out or was interrupted: the operator decides.
    // A headless run records the failure and goes on to the next diagnostic.
    auto r = settings.autopilot
                 ? std::optional<Answer>(Answer{Answer::Kind::Value, "continue"})
                 : ask(Question{Ask::Retry, step.id, "", "   the step did not succeed: [r]etry [c]ontinue [q]uit > ",
                                {{'r', "retry", "[r]etry"}, {'c', "continue", "[c]ontinue"}, {'q', "quit", "[q]uit"}},
                                "", false});
    if (!r || r->value == "quit") return Flow::quit();
    if (r->value == "retry") continue;
    if (!record("step_done", {{"step", step.id}, {"next", step_ref(walker.after(pos))}, {"failed", true}}))
      return Flow::failed();
    return Flow::to(walker.after(pos));
  }
}

}  // namespace runbook::executor
