#include "playbook/model.h"

#include "util/text.h"

namespace runbook::playbook {

const char* kind_name(StepKind kind) {
  switch (kind) {
    case StepKind::Command: return "command";
    case StepKind::Snippet: return "snippet";
    case StepKind::Checklist: return "checklist";
    case StepKind::Decision: return "decision";
    case StepKind::Template: return "template";
  }
  return "snippet";
}

const char* interpreter_name(Interpreter interpreter) {
  switch (interpreter) {
    case Interpreter::None: return "none";
    case Interpreter::Shell: return "shell";
    case Interpreter::Sql: return "sql";
    case Interpreter::PromQL: return "promql";
  }
  return "none";
}

const char* var_syntax_name(VarSyntax syntax) {
  switch (syntax) {
    case VarSyntax::Angle: return "angle";
    case VarSyntax::DollarBrace: return "dollar-brace";
    case VarSyntax::Dollar: return "dollar";
    case VarSyntax::Bracket: return "bracket";
    case VarSyntax::Mustache: return "mustache";
  }
  return "dollar";
}

const char* decision_form_name(DecisionForm form) {
  switch (form) {
    case DecisionForm::Options: return "options";
    case DecisionForm::Questions: return "questions";
    case DecisionForm::Conditional: return "conditional";
  }
  return "options";
}

const MetadataField* Playbook::field(std::string_view key) const {
  for (const auto& f : metadata)
    if (util::iequals(f.key, key)) return &f;
  return nullptr;
}

int Playbook::step_index(std::string_view id) const {
  for (std::size_t i = 0; i < steps.size(); ++i)
    if (steps[i].id == id) return static_cast<int>(i);
  return -1;
}

}  // namespace runbook::playbook
