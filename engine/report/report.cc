#include "report/report.h"

#include <cstdio>
#include <ctime>
#include <map>

namespace runbook::report {

namespace {

using ojson = nlohmann::ordered_json;

std::string str(const nlohmann::json& r, const char* key) {
  return r.contains(key) && r[key].is_string() ? r[key].get<std::string>() : std::string();
}

/// "mm:ss" or "h:mm:ss" between two record timestamps (RFC 3339, UTC, milliseconds).
long long ts_ms(const std::string& ts) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(ts.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &ms) < 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<long long>(timegm(&tm)) * 1000 + ms;
}

std::string clock(long long ms) {
  long long s = ms < 0 ? 0 : ms / 1000;
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

/// One line for the timeline.
std::string summary(const nlohmann::json& r) {
  const std::string type = str(r, "type");
  const std::string step = str(r, "step");
  if (type == "run_started") return "Run started: " + str(r["playbook"], "title") + " (by " + str(r, "user") + ")";
  if (type == "run_resumed") return "Run resumed (by " + str(r, "user") + ")";
  if (type == "run_finished") return "Run finished: " + str(r, "outcome");
  if (type == "variable_set") return "Set " + str(r, "name") + " = " + str(r, "value") + " (" + str(r, "source") + ")";
  if (type == "step_started") return "Ran `" + step + "`" + (r.contains("part") ? " part " + std::to_string(r["part"].get<int>() + 1) : "");
  if (type == "step_finished") {
    std::string s = "Finished `" + step + "`: " + str(r, "end");
    if (r.contains("exit_code") && r["exit_code"].is_number() && r["exit_code"].get<int>() >= 0)
      s += " " + std::to_string(r["exit_code"].get<int>());
    return s;
  }
  if (type == "step_skipped") return "Skipped `" + step + "`" + (r.contains("reason") ? " (" + str(r, "reason") + ")" : "");
  if (type == "checklist") return "Checklist `" + step + "`: " + str(r, "state") + " — " + str(r, "item");
  if (type == "decision")
    return "Decision `" + step + "`: " + str(r, "label") + (str(r, "reason").empty() ? "" : " — because " + str(r, "reason"));
  if (type == "note") return "Note: " + str(r, "text");
  if (type == "template") return "Message prepared (`" + step + "`)";
  if (type == "edit") return "Edited the command of `" + step + "`";
  if (type == "timeout") return "Timed out: `" + step + "`";
  if (type == "interrupt") return "Interrupted (Ctrl-C) during " + str(r, "during") + (step.empty() ? "" : " at `" + step + "`");
  if (type == "reminder") return "Reminder shown: " + str(r, "text");
  if (type == "confirmation_refused") return "Not confirmed: `" + step + "` (" + str(r, "level") + ")";
  if (type == "jump") return "Jumped from `" + step + "` to `" + str(r, "next") + "`";
  if (type == "back") return "Went back from `" + step + "`";
  if (type == "input_ended") return "Input ended at `" + step + "`";
  if (type == "headless") {
    const auto& a = r.contains("alert") && r["alert"].is_object() ? r["alert"] : nlohmann::json::object();
    const std::string alert = str(a, "name");
    return "Headless run" + (alert.empty() ? std::string() : " for alert " + alert) +
           (str(r, "policy").empty() ? " (default policy)" : " (policy " + str(r, "policy") + ")");
  }
  if (type == "step_pending") return "Left for a person: `" + step + "` (" + str(r, "reason") + ")";
  if (type == "handoff") return "Handed to an operator at `" + str(r, "at") + "`: " + str(r, "reason");
  if (type == "step_abandoned") return "Started early but never reached: `" + step + "` (" + str(r, "end") + ")";
  return type + (step.empty() ? "" : " `" + step + "`");
}

/// Types that make the timeline (bookkeeping records like step_done stay out of it).
bool in_timeline(const std::string& type) {
  return type != "step_done" && type != "snippet_shown" && type != "step_started" && type != "part_skipped" &&
         type != "step_stepped";
}

std::string cell(std::string s) {
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else out += c;
  }
  return out;
}

}  // namespace

ojson build(const std::vector<nlohmann::json>& records, bool torn_tail) {
  ojson rep;
  ojson run = ojson::object();
  ojson timeline = ojson::array(), commands = ojson::array(), decisions = ojson::array(), checklist = ojson::array(),
        notes = ojson::array(), messages = ojson::array(), variables = ojson::object();
  long long start = 0, end = 0;
  std::string outcome = "unfinished (no run_finished record: interrupted, crashed or still running)";
  std::map<std::string, std::string> commands_by_step;
  for (const auto& r : records) {
    const std::string type = str(r, "type");
    const long long t = ts_ms(str(r, "ts"));
    if (type == "run_started") {
      start = t;
      run["playbook"] = str(r["playbook"], "title");
      run["path"] = str(r["playbook"], "path");
      run["sha256"] = str(r["playbook"], "sha256");
      run["severity"] = str(r, "severity");
      run["user"] = str(r, "user");
      run["host"] = str(r, "host");
      run["mode"] = str(r, "mode");
      run["engine"] = r.contains("engine") ? str(r["engine"], "version") : "";
      run["started"] = str(r, "ts");
    }
    end = t;
    if (type == "run_finished") outcome = str(r, "outcome");
    if (type == "run_resumed") outcome = "unfinished (resumed; no run_finished record since)";
    if (in_timeline(type))
      timeline.push_back(ojson{{"ts", str(r, "ts")}, {"elapsed", clock(t - start)}, {"type", type}, {"text", summary(r)}});
    if (type == "variable_set") variables[str(r, "name")] = str(r, "value");
    if (type == "step_started") commands_by_step[str(r, "step")] = str(r, "command");
    if (type == "step_finished") {
      ojson c{{"step", str(r, "step")}, {"command", commands_by_step[str(r, "step")]}, {"end", str(r, "end")},
              {"ok", r.value("ok", false)}, {"duration_ms", r.value("duration_ms", 0)}};
      if (r.contains("exit_code")) c["exit_code"] = r["exit_code"];
      if (r.contains("error")) c["error"] = r["error"];
      if (r.contains("part")) c["part"] = r["part"];
      if (r.contains("target")) c["target"] = r["target"];
      commands.push_back(c);
    }
    if (type == "decision")
      decisions.push_back(ojson{{"step", str(r, "step")}, {"question", str(r, "question")}, {"choice", str(r, "label")},
                                {"reason", str(r, "reason")}, {"ts", str(r, "ts")}});
    if (type == "checklist")
      checklist.push_back(ojson{{"step", str(r, "step")}, {"item", str(r, "item")}, {"state", str(r, "state")}});
    if (type == "note") notes.push_back(ojson{{"ts", str(r, "ts")}, {"step", str(r, "step")}, {"text", str(r, "text")}});
    if (type == "template") messages.push_back(ojson{{"step", str(r, "step")}, {"text", str(r, "text")}});
  }
  run["ended"] = records.empty() ? "" : str(records.back(), "ts");
  run["duration"] = clock(end - start);
  run["outcome"] = outcome;
  run["records"] = records.size();
  run["torn_tail"] = torn_tail;
  ojson failed = ojson::array();
  for (const auto& c : commands)
    if (!c["ok"].get<bool>()) failed.push_back(c);
  rep["run"] = run;
  rep["variables"] = variables;
  rep["timeline"] = timeline;
  rep["commands"] = commands;
  rep["failed"] = failed;
  rep["decisions"] = decisions;
  rep["checklist"] = checklist;
  rep["notes"] = notes;
  rep["messages"] = messages;
  return rep;
}

std::string markdown(const ojson& rep) {
  const auto& run = rep["run"];
  auto s = [](const ojson& j, const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
  std::string out = "# Incident report: " + s(run, "playbook") + "\n\n";
  out += "| | |\n|---|---|\n";
  out += "| Playbook | `" + cell(s(run, "path")) + "` (SHA-256 `" + s(run, "sha256").substr(0, 12) + "…`) |\n";
  if (!s(run, "severity").empty()) out += "| Severity | " + s(run, "severity") + " |\n";
  out += "| Started | " + s(run, "started") + " |\n| Ended | " + s(run, "ended") + " |\n";
  out += "| Duration | " + s(run, "duration") + " |\n| Outcome | " + cell(s(run, "outcome")) + " |\n";
  out += "| Operator | " + cell(s(run, "user")) + " on " + cell(s(run, "host")) + " (" + s(run, "mode") + ") |\n";
  if (run.value("torn_tail", false))
    out += "\n> The evidence log ends in a torn record (the engine stopped mid-write); everything before it verified.\n";

  out += "\n## Timeline\n\n| Time (UTC) | Elapsed | Event |\n|---|---|---|\n";
  for (const auto& e : rep["timeline"])
    out += "| " + s(e, "ts").substr(11, 8) + " | " + s(e, "elapsed") + " | " + cell(s(e, "text")) + " |\n";

  out += "\n## Commands run\n\n";
  if (rep["commands"].empty()) out += "None.\n";
  else {
    out += "| Step | Result | Duration |\n|---|---|---|\n";
    for (const auto& c : rep["commands"]) {
      std::string result = s(c, "end");
      if (c.contains("exit_code") && c["exit_code"].is_number() && c["exit_code"].get<int>() >= 0)
        result += " " + std::to_string(c["exit_code"].get<int>());
      char dur[32];
      std::snprintf(dur, sizeof dur, "%.1fs", static_cast<double>(c.value("duration_ms", 0)) / 1000.0);
      out += "| `" + cell(s(c, "step")) + "` | " + (c["ok"].get<bool>() ? "✔ " : "✘ ") + cell(result) + " | " + dur + " |\n";
    }
  }
  if (!rep["failed"].empty()) {
    out += "\n### Failed commands\n\n";
    for (const auto& c : rep["failed"]) {
      out += "- `" + s(c, "step") + "`: " + s(c, "end") + (c.contains("error") ? " — " + cell(s(c, "error")) : "") + "\n";
      if (!s(c, "command").empty()) out += "\n  ```\n  " + s(c, "command").substr(0, 400) + "\n  ```\n";
    }
  }
  out += "\n## Decisions\n\n";
  if (rep["decisions"].empty()) out += "None recorded.\n";
  for (const auto& d : rep["decisions"])
    out += "- **" + cell(s(d, "question")) + "** → " + cell(s(d, "choice")) +
           (s(d, "reason").empty() ? "" : " (because: " + cell(s(d, "reason")) + ")") + "\n";
  out += "\n## Checklist\n\n";
  if (rep["checklist"].empty()) out += "None answered.\n";
  for (const auto& c : rep["checklist"]) {
    const std::string st = s(c, "state");
    out += std::string("- [") + (st == "done" ? "x" : " ") + "] " + cell(s(c, "item")) + (st == "done" ? "" : " — *" + st + "*") + "\n";
  }
  if (!rep["notes"].empty()) {
    out += "\n## Notes\n\n";
    for (const auto& n : rep["notes"]) out += "- " + s(n, "ts").substr(11, 8) + " " + cell(s(n, "text")) + "\n";
  }
  if (!rep["messages"].empty()) {
    out += "\n## Messages prepared\n\n";
    for (const auto& m : rep["messages"]) out += "```text\n" + s(m, "text") + (s(m, "text").empty() || s(m, "text").back() != '\n' ? "\n" : "") + "```\n\n";
  }
  out += "\n## Post-mortem draft\n\n"
         "### Summary\n\n_What happened, in two or three sentences._\n\n"
         "### Impact\n\n_Who was affected, how, and for how long (the run lasted " + s(run, "duration") + ")._\n\n"
         "### Root cause\n\n_Why it happened; the decisions above record what was believed at the time._\n\n"
         "### What went well\n\n- \n\n### What went wrong\n\n";
  if (!rep["failed"].empty()) out += "- " + std::to_string(rep["failed"].size()) + " command(s) failed during the response (see above)\n";
  out += "- \n\n### Action items\n\n| Action | Owner | Due |\n|---|---|---|\n| | | |\n";
  return out;
}

}  // namespace runbook::report
