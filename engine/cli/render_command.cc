#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "graph/graph.h"
#include "playbook/front_matter.h"
#include "render/render.h"
#include "render/terminal.h"

namespace runbook::cli {

namespace {

struct RenderArgs {
  std::string file;
  std::string playbook;
  std::string format = "text";
  std::vector<std::string> vars;
  std::string color = "auto";
  bool show_secrets = false;
  InputOptions input;
};

int run(const RenderArgs& args) {
  auto format = render::parse_format(args.format);
  if (!format) {
    std::cerr << "runbook: unknown format \"" << args.format << "\" (text, markdown, json, dot)\n";
    return kUsage;
  }
  render::Options options;
  if (!parse_vars(args.vars, options.vars)) return kUsage;
  options.show_secrets = args.show_secrets;
  options.color = args.color == "always" || (args.color == "auto" && render::should_color(1));
  const safety::Classifier* classifier = make_classifier(args.input);
  if (!classifier) return kUsage;
  std::vector<playbook::Playbook> playbooks;
  if (!load(args.file, args.input, classifier, playbooks)) return kInputError;
  const playbook::Playbook* pb = select(playbooks, args.playbook);
  if (!pb) return kNotFound;
  for (auto& [key, value] : playbook::front_matter_defaults(pb->front_matter)) options.vars.emplace(key, value);
  graph::StepGraph graph = graph::StepGraph::build(*pb);
  std::cout << render::render(*pb, graph, *format, options);
  std::cout.flush();
  return kOk;
}

}  // namespace

void register_render(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RenderArgs>();
  CLI::App* cmd = app.add_subcommand("render", "Dry run: show every step, what it would run and how dangerous it is");
  cmd->add_option("file", args->file, "The playbook markdown file")->required();
  cmd->add_option("-p,--playbook", args->playbook,
                  "Title of a playbook embedded in the file (exact, or a unique part of it)");
  cmd->add_option("-f,--format", args->format, "text (default), markdown, json or dot");
  cmd->add_option("--var", args->vars, "Bind a variable: NAME=VALUE (e.g. pod-name=api-7f9c, NS=prod); repeatable");
  cmd->add_option("--color", args->color, "auto (default), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("--show-secrets", args->show_secrets, "Print values bound to secret-looking variables");
  cmd->add_option("--rules", args->input.rule_files, "Extra safety rule file (YAML); repeatable");
  cmd->add_option("--max-bytes", args->input.max_bytes, "Refuse files larger than this (default 32 MiB)");
  cmd->footer(
      "Nothing is executed. Bound values are shell-quoted into commands; unbound placeholders are\n"
      "highlighted. Colour follows the terminal; NO_COLOR turns it off.\n\n"
      "Examples:\n"
      "  runbook render playbooks/service-down.md\n"
      "  runbook render docs/oncall.md --playbook 'Critical Service Down' --var pod-name=api-0\n"
      "  runbook render playbook.md --format markdown > review.md\n"
      "  runbook render playbook.md --format dot | dot -Tsvg > graph.svg");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace runbook::cli
