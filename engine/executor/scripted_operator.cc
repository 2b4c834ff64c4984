// Answers from a YAML file, for drills and tests:
//
//   variables: {SERVICE_PORT: "8089"}
//   steps:
//     diagnose/is-the-api-answering-1: run        # the step's main question
//     common-causes-1: {check: done, note: "deployed at 10:02"}
//     fix: {choose: 2, reason: "stuck orders, service healthy"}
//     some-step: {action: [note, run], note: "looked fine"}
//   defaults: {action: run, check: n/a, choose: 1, confirm: "no", variable: demo}
//
// Each scripted answer is used once (a list gives one answer per ask); then `defaults` apply,
// as often as asked. Questions without any answer end the input (the run stops, resumable).
#include <deque>
#include <fstream>
#include <map>
#include <ostream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "executor/operator.h"
#include "playbook/placeholders.h"

namespace runbook::executor {

namespace {

/// The answer used when neither the step nor `defaults` has one; nullptr: none (end of input).
const char* builtin_default(Ask ask) {
  switch (ask) {
    case Ask::Reason:
    case Ask::Note:
    case Ask::Edit:
    case Ask::ConfirmWord: return "";
    case Ask::Confirm: return "no";
    case Ask::Quit: return "yes";
    case Ask::Retry: return "continue";
    case Ask::AfterRefusal: return "skip";
    case Ask::PartAction: return "run";
    default: return nullptr;
  }
}

/// The question a bare scalar under a step answers.
bool main_question(Ask ask) { return ask == Ask::Action || ask == Ask::Check || ask == Ask::Choose; }

class ScriptedOperator : public Operator {
 public:
  ScriptedOperator(std::ostream& out) : out_(out) {}

  util::Result<bool> load(const std::string& text, const std::string& path) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
      return util::Error{"invalid YAML: " + e.msg, path, e.mark.line + 1};
    }
    if (!root || root.IsNull()) return true;
    if (!root.IsMap()) return util::Error{"an answers file is a mapping with variables:, steps:, defaults:", path, 1};
    try {
      for (const auto& kv : root) {
        const std::string key = kv.first.as<std::string>();
        const YAML::Node& v = kv.second;
        const int line = kv.first.Mark().line + 1;
        if (key == "variables") {
          if (!v.IsMap()) return util::Error{"variables: expected NAME: value pairs", path, line};
          for (const auto& p : v) variables_[playbook::binding_key(p.first.as<std::string>())] = p.second.as<std::string>();
        } else if (key == "steps") {
          if (!v.IsMap()) return util::Error{"steps: expected step-id: answer pairs", path, line};
          for (const auto& s : v) {
            const std::string id = s.first.as<std::string>();
            if (s.second.IsMap()) {
              for (const auto& a : s.second) add(steps_[id][a.first.as<std::string>()], a.second);
            } else {
              add(steps_[id][""], s.second);
            }
          }
        } else if (key == "defaults") {
          if (!v.IsMap()) return util::Error{"defaults: expected ask: answer pairs", path, line};
          for (const auto& a : v) defaults_[a.first.as<std::string>()] = a.second.as<std::string>();
        } else {
          return util::Error{"unknown key '" + key + "' (expected variables, steps, defaults)", path, line};
        }
      }
    } catch (const YAML::Exception& e) {
      return util::Error{"invalid answers file: " + e.msg, path, e.mark.line + 1};
    }
    return true;
  }

  Answer ask(const Question& q) override {
    out_ << q.prompt;
    std::optional<std::string> answer = find(q);
    if (!answer) {
      out_ << "\n  (no scripted answer for " << ask_name(q.ask)
           << (q.step_id.empty() ? std::string() : " at step " + q.step_id) << ")\n" << std::flush;
      return Answer{Answer::Kind::EndOfInput, {}};
    }
    std::string value = *answer;
    if (!q.options.empty()) {
      if (const Option* o = match_option(q, value)) value = o->word;
      else if (!q.fallback.empty()) value = q.fallback;  // e.g. "run" at a snippet: continue
      else {
        out_ << value << "\n  (scripted answer '" << value << "' is not one of the choices)\n" << std::flush;
        return Answer{Answer::Kind::EndOfInput, {}};
      }
    }
    out_ << (q.secret ? std::string("********") : value) << "   [scripted]\n" << std::flush;
    return Answer{Answer::Kind::Value, value};
  }
  const char* mode() const override { return "scripted"; }

 private:
  static void add(std::deque<std::string>& queue, const YAML::Node& node) {
    if (node.IsSequence())
      for (const auto& n : node) queue.push_back(n.as<std::string>());
    else
      queue.push_back(node.as<std::string>());
  }

  std::optional<std::string> find(const Question& q) {
    const std::string what = ask_name(q.ask);
    if (q.ask == Ask::Variable) {
      const auto v = variables_.find(playbook::binding_key(q.name));
      if (v != variables_.end()) return v->second;
      // `defaults: {variable: x}` answers every variable not listed (drills over unknown playbooks).
    } else if (auto s = steps_.find(q.step_id); s != steps_.end()) {
      auto take = [](std::deque<std::string>& d) {
        std::string v = d.front();
        d.pop_front();
        return v;
      };
      if (auto a = s->second.find(what); a != s->second.end() && !a->second.empty()) return take(a->second);
      if (main_question(q.ask))
        if (auto a = s->second.find(""); a != s->second.end() && !a->second.empty()) return take(a->second);
    }
    if (auto d = defaults_.find(what); d != defaults_.end()) return d->second;
    if (const char* b = builtin_default(q.ask)) return std::string(b);
    return std::nullopt;
  }

  std::ostream& out_;
  std::map<std::string, std::string> variables_;
  std::map<std::string, std::map<std::string, std::deque<std::string>>> steps_;
  std::map<std::string, std::string> defaults_;
};

}  // namespace

util::Result<std::unique_ptr<Operator>> make_scripted_operator_from_text(const std::string& text,
                                                                         const std::string& path, std::ostream& out) {
  auto op = std::make_unique<ScriptedOperator>(out);
  auto loaded = op->load(text, path);
  if (!loaded) return loaded.error();
  return std::unique_ptr<Operator>(std::move(op));
}

util::Result<std::unique_ptr<Operator>> make_scripted_operator(const std::string& path, std::ostream& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::Error{"cannot read answers file", path, 0};
  std::ostringstream text;
  text << in.rdbuf();
  return make_scripted_operator_from_text(text.str(), path, out);
}

}  // namespace runbook::executor
