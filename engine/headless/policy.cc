// Headless policy: the YAML file, and the decision it makes for each step.
#include "headless/policy.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "executor/config.h"
#include "render/dry_run.h"
#include "util/text.h"

namespace runbook::headless {

namespace {

using Act = executor::Autopilot::Act;

util::Error policy_error(const std::string& path, const YAML::Node& node, std::string message) {
  return util::Error{std::move(message), path, node.Mark().line >= 0 ? node.Mark().line + 1 : 0};
}

std::optional<safety::Level> level_named(const std::string& name) {
  for (auto level : {safety::Level::ReadOnly, safety::Level::Mutating, safety::Level::Destructive})
    if (name == safety::level_name(level)) return level;
  return std::nullopt;
}

/// A list of strings at `node`, or an error.
util::Result<std::vector<std::string>> strings(const YAML::Node& node, const std::string& path, const char* what) {
  std::vector<std::string> out;
  if (!node.IsSequence()) return policy_error(path, node, std::string(what) + " must be a list");
  for (const auto& item : node) {
    if (!item.IsScalar()) return policy_error(path, item, std::string(what) + " must hold plain names");
    out.push_back(item.Scalar());
  }
  return out;
}

util::Result<std::chrono::milliseconds> duration(const YAML::Node& node, const std::string& path, const char* what) {
  if (node.IsScalar())
    if (auto d = executor::parse_duration(node.Scalar()); d && d->count() > 0) return *d;
  return policy_error(path, node, std::string(what) + " must be a duration such as 30s, 5m or 1h");
}

}  // namespace

util::Result<Policy> parse_policy(std::string_view text, const std::string& path) {
  Policy policy;
  policy.source = path;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return util::Error{"not valid YAML: " + e.msg, path, e.mark.line >= 0 ? e.mark.line + 1 : 0};
  }
  if (root.IsNull()) return policy;
  if (!root.IsMap()) return policy_error(path, root, "a policy is a mapping (allow:, deadline:, step_timeout:, concurrency:)");
  for (const auto& entry : root) {
    const std::string key = entry.first.Scalar();
    const YAML::Node& value = entry.second;
    if (key == "allow") {
      if (!value.IsMap()) return policy_error(path, value, "allow: is a mapping with classes: and steps:");
      for (const auto& a : value) {
        const std::string k = a.first.Scalar();
        if (k == "classes") {
          auto names = strings(a.second, path, "allow.classes");
          if (!names) return names.error();
          policy.classes.clear();
          for (const auto& n : *names) {
            auto level = level_named(n);
            if (!level) return policy_error(path, a.second, "unknown class '" + n + "' (read-only, mutating, destructive)");
            policy.classes.insert(*level);
          }
        } else if (k == "steps") {
          auto ids = strings(a.second, path, "allow.steps");
          if (!ids) return ids.error();
          policy.steps.insert(ids->begin(), ids->end());
        } else {
          return policy_error(path, a.first, "unknown key allow." + k + " (classes, steps)");
        }
      }
    } else if (key == "deadline") {
      auto d = duration(value, path, "deadline");
      if (!d) return d.error();
      policy.deadline = *d;
    } else if (key == "step_timeout") {
      auto d = duration(value, path, "step_timeout");
      if (!d) return d.error();
      policy.step_timeout = *d;
    } else if (key == "concurrency") {
      int n = 0;
      try {
        n = value.as<int>();
      } catch (const YAML::Exception&) {
        n = 0;
      }
      if (n < 1 || n > 64) return policy_error(path, value, "concurrency must be a number from 1 to 64");
      policy.concurrency = n;
    } else if (key == "stop_at_unresolved") {
      try {
        policy.stop_at_unresolved = value.as<bool>();
      } catch (const YAML::Exception&) {
        return policy_error(path, value, "stop_at_unresolved must be true or false");
      }
    } else {
      return policy_error(path, entry.first,
                          "unknown key '" + key + "' (allow, deadline, step_timeout, concurrency, stop_at_unresolved)");
    }
  }
  return policy;
}

util::Result<Policy> load_policy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::Error{"cannot read the policy file", path, 0};
  std::ostringstream text;
  text << in.rdbuf();
  return parse_policy(text.str(), path);
}

bool playbook_forbids(const playbook::Step& step) {
  auto it = step.attributes.find("headless");
  return it != step.attributes.end() && it->second == "never";
}

bool playbook_allows(const playbook::Playbook& pb, const playbook::Step& step) {
  if (auto it = step.attributes.find("headless"); it != step.attributes.end() && it->second == "allow") return true;
  const auto& fm = pb.front_matter;
  if (!fm.is_object() || !fm.contains("headless") || !fm["headless"].is_object()) return false;
  const auto& h = fm["headless"];
  if (!h.contains("allow") || !h["allow"].is_array()) return false;
  for (const auto& id : h["allow"])
    if (id.is_string() && id.get<std::string>() == step.id) return true;
  return false;
}

executor::Autopilot::Call PolicyAutopilot::decide(const StepView& view) {
  using playbook::StepKind;
  const auto& step = view.step;
  switch (step.kind) {
    case StepKind::Decision: {
      const std::string q = util::collapse_space(step.question.empty() ? step.body : step.question);
      return {Act::Stop, "a decision for a person: " + render::first_line(q, 120)};
    }
    case StepKind::Checklist: return {Act::Pending, "a checklist item for a person"};
    case StepKind::Template: return {Act::Pending, "a message for a person to send"};
    case StepKind::Snippet: return {Act::Skip, "a reference snippet: shown, never run"};
    case StepKind::Command: break;
  }
  if (policy_.deadline.count() > 0 && view.elapsed >= policy_.deadline)
    return {Act::Stop, "the run's deadline (" + executor::clock_text(policy_.deadline) + ") has passed"};
  if (!view.not_runnable.empty()) return {Act::Skip, "not runnable here: " + view.not_runnable};
  if (playbook_forbids(step)) {
    // A read can wait for a person while the run goes on; what follows a write may depend on it.
    if (view.verdict.level == safety::Level::ReadOnly)
      return {Act::Pending, "the playbook marks it headless=never: for a person"};
    return {Act::Stop, "the playbook marks it headless=never: for a person"};
  }
  if (auto it = step.attributes.find("interactive"); it != step.attributes.end() && it->second != "false")
    return {Act::Pending, "an interactive command: it needs a terminal"};
  const auto level = view.verdict.level;
  if (level != safety::Level::ReadOnly) {
    const std::string what = std::string(safety::level_name(level)) + " (" + view.verdict.reason + ")";
    const bool by_policy = policy_.classes.count(level) > 0 || policy_.steps.count(step.id) > 0;
    const bool by_playbook = playbook_allows(pb_, step);
    if (!by_policy && !by_playbook) return {Act::Stop, what + ": for a person"};
    if (!by_policy) return {Act::Stop, what + ": the playbook allows it headless, the policy does not"};
    if (!by_playbook) return {Act::Stop, what + ": the policy allows it, the playbook does not mark it headless=allow"};
  } else if (policy_.classes.count(level) == 0 && policy_.steps.count(step.id) == 0) {
    return {Act::Stop, "the policy allows no read-only steps"};
  }
  if (!view.unbound.empty()) {
    const std::string names = util::join(view.unbound, ", ");
    if (policy_.stop_at_unresolved || level != safety::Level::ReadOnly)
      return {Act::Stop, "needs values that no alert label or preset gives: " + names};
    return {Act::Skip, "needs values that no alert label or preset gives: " + names};
  }
  return {Act::Run, level == safety::Level::ReadOnly ? "read-only" : "allowed by the policy and the playbook"};
}

}  // namespace runbook::headless
