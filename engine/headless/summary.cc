// The headless summary, from the records alone.
#include "headless/summary.h"

#include <map>

#include "render/dry_run.h"
#include "util/text.h"

namespace runbook::headless {

namespace {

using ojson = nlohmann::ordered_json;

constexpr std::size_t kOutputLines = 12;  // of each command's stdout, in the summary

std::string str(const nlohmann::json& r, const char* key) {
  return r.contains(key) && r[key].is_string() ? r[key].get<std::string>() : std::string();
}

/// The first lines of a stream's inline text, and whether there was more.
std::string head_of(const nlohmann::json& stream) {
  if (!stream.is_object()) return "";
  const std::string text = str(stream, "text");
  std::string out;
  std::size_t lines = 0;
  for (auto line : util::split_lines(text)) {
    if (lines++ == kOutputLines) {
      out += "…\n";
      break;
    }
    out.append(line);
    out += '\n';
  }
  return out;
}

/// The line a reader recognises a command by: its first that is not a comment.
std::string command_line(const std::string& command) {
  for (auto line : util::split_lines(command)) {
    const auto t = util::trim(line);
    if (!t.empty() && t.front() != '#') return render::first_line(t, 200);
  }
  return render::first_line(command, 200);
}

}  // namespace

ojson summarize(const std::vector<nlohmann::json>& records, const std::string& run_dir) {
  ojson s;
  std::string outcome = "failed";  // no run_finished record: the run did not end cleanly
  ojson playbook = ojson::object(), alert = nullptr, stopped = nullptr;
  ojson steps = ojson::array();
  std::map<std::string, std::size_t> step_row;  // latest row of a step id
  int ran = 0, failed = 0, skipped = 0, pending = 0, abandoned = 0;
  auto row = [&](const std::string& id) -> ojson& {
    steps.push_back({{"step", id}});
    step_row[id] = steps.size() - 1;
    return steps.back();
  };
  for (const auto& r : records) {
    const std::string type = str(r, "type");
    if (type == "run_started" && r.contains("playbook")) {
      playbook = {{"path", str(r["playbook"], "path")}, {"title", str(r["playbook"], "title")}};
    } else if (type == "headless" && r.contains("alert")) {
      alert = r["alert"];
    } else if (type == "step_started") {
      ojson& x = row(str(r, "step"));
      x["status"] = "started";
      x["command"] = str(r, "command");
      if (r.contains("safety") && r["safety"].is_object()) x["safety"] = str(r["safety"], "level");
    } else if (type == "step_finished") {
      const std::string id = str(r, "step");
      ojson& x = step_row.count(id) ? steps[step_row[id]] : row(id);
      const bool ok = r.value("ok", false);
      x["status"] = ok ? "ran" : "failed";
      ++ran;
      failed += !ok;
      for (const char* k : {"exit_code", "duration_ms", "end", "error"})
        if (r.contains(k)) x[k] = r[k];
      if (r.contains("concurrent")) x["concurrent"] = r["concurrent"];
      if (r.contains("stdout")) x["output"] = head_of(r["stdout"]);
      if (r.contains("table")) x["output"] = str(r, "table");
      if (r.contains("stderr") && !ok) x["stderr"] = head_of(r["stderr"]);
    } else if (type == "step_skipped" || type == "step_pending" || type == "step_abandoned") {
      ojson& x = row(str(r, "step"));
      x["status"] = type == "step_skipped" ? "skipped" : type == "step_pending" ? "pending" : "abandoned";
      x["reason"] = str(r, "reason");
      if (type == "step_abandoned") x["command"] = str(r, "command");
      (type == "step_skipped" ? skipped : type == "step_pending" ? pending : abandoned) += 1;
    } else if (type == "handoff") {
      stopped = {{"step", str(r, "at")}, {"reason", str(r, "reason")}, {"kind", str(r, "kind")}};
    } else if (type == "run_finished") {
      const std::string o = str(r, "outcome");
      outcome = o == "quit" ? "interrupted" : o;
    } else if (type == "input_ended") {
      stopped = {{"step", str(r, "step")}, {"reason", "the step asked a question nobody could answer"}};
    }
  }
  s["outcome"] = outcome;
  s["run_dir"] = run_dir;
  s["playbook"] = playbook;
  s["alert"] = alert;
  s["stopped_at"] = stopped;
  s["counts"] = {{"ran", ran}, {"failed", failed}, {"skipped", skipped}, {"pending", pending}, {"abandoned", abandoned}};
  s["steps"] = steps;
  s["resume"] = outcome == "completed" ? ojson(nullptr) : ojson("runbook resume " + run_dir);
  s["evidence"] = run_dir + "/evidence.jsonl";
  return s;
}

std::string summary_markdown(const ojson& s) {
  std::string md;
  const std::string title = s["playbook"].is_object() ? s["playbook"].value("title", "") : "";
  md += "# Headless run: " + render::sanitize(title) + "\n\n";
  md += "- **Outcome:** " + s.value("outcome", "") + "\n";
  if (s["alert"].is_object()) {
    const auto& a = s["alert"];
    md += "- **Alert:** " + render::sanitize(a.value("name", "")) + " (" + a.value("status", "") + ")";
    if (a.contains("fingerprint") && a["fingerprint"].is_string()) md += " · fingerprint " + a["fingerprint"].get<std::string>();
    md += "\n";
  }
  const auto& c = s["counts"];
  md += "- **Steps:** " + std::to_string(c.value("ran", 0)) + " ran (" + std::to_string(c.value("failed", 0)) +
        " failed), " + std::to_string(c.value("skipped", 0)) + " skipped, " + std::to_string(c.value("pending", 0)) +
        " pending for a person\n";
  if (s["stopped_at"].is_object())
    md += "- **Stopped at:** `" + s["stopped_at"].value("step", "") + "`: " +
          render::sanitize(s["stopped_at"].value("reason", "")) + "\n";
  md += "- **Evidence:** `" + s.value("evidence", "") + "`\n";
  if (s["resume"].is_string()) md += "- **Continue:** `" + s["resume"].get<std::string>() + "`\n";
  md += "\n## Steps\n\n";
  for (const auto& x : s["steps"]) {
    const std::string status = x.value("status", "");
    md += "- `" + x.value("step", "") + "` **" + status + "**";
    if (x.contains("exit_code") && x["exit_code"].is_number()) md += " · exit " + x["exit_code"].dump();
    if (x.contains("duration_ms") && x["duration_ms"].is_number())
      md += " · " + std::to_string(x["duration_ms"].get<long long>()) + " ms";
    if (x.contains("reason")) md += " · " + render::sanitize(x.value("reason", ""));
    md += "\n";
    if (x.contains("command") && status != "pending")
      md += "\n  ```\n  " + render::sanitize(command_line(x.value("command", ""))) + "\n  ```\n";
    const std::string output = x.value("output", "");
    if (!output.empty()) {
      md += "\n  ```text\n";
      const std::string clean = render::sanitize(output);  // split_lines views into it
      for (auto line : util::split_lines(clean)) md += "  " + std::string(line) + "\n";
      md += "  ```\n";
    }
  }
  return md;
}

}  // namespace runbook::headless
