// `runbook verify DIR` and `runbook report DIR`: reading an evidence directory back.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "evidence/log.h"
#include "report/report.h"

namespace runbook::cli {

namespace {

struct EvidenceArgs {
  std::string dir;
  std::string format = "markdown";
  bool json = false;
};

int verify_dir(const EvidenceArgs& args) {
  const auto v = evidence::verify(args.dir);
  if (args.json) {
    nlohmann::ordered_json j{{"dir", args.dir}, {"ok", v.ok}, {"records", v.records}, {"torn_tail", v.torn_tail}};
    if (!v.ok) j["broken"] = {{"seq", v.broken_seq}, {"line", v.broken_line}, {"reason", v.reason}};
    std::cout << j.dump(2) << "\n";
  } else if (v.ok) {
    std::cout << args.dir << ": ok, " << v.records << " records, hash chain intact\n";
    if (v.torn_tail)
      std::cout << args.dir << ": note: the log ends in a torn record (a crash mid-write); it is not counted\n";
  } else {
    std::cerr << args.dir << "/" << evidence::kLogFile << ":" << v.broken_line << ": record " << v.broken_seq
              << " does not verify: " << v.reason << " (" << v.records << " records before it verified)\n";
  }
  return v.ok ? kOk : kRunFailed;
}

int report_dir(const EvidenceArgs& args) {
  if (args.format != "markdown" && args.format != "md" && args.format != "json") {
    std::cerr << "runbook: unknown report format \"" << args.format << "\" (markdown, json)\n";
    return kUsage;
  }
  auto read = evidence::read_log(args.dir);
  if (!read) {
    std::cerr << "runbook: " << read.error().describe() << "\n";
    return kInputError;
  }
  const auto v = evidence::verify(args.dir);
  if (!v.ok)
    std::cerr << "runbook: warning: " << args.dir << ": record " << v.broken_seq << " does not verify ("
              << v.reason << "); the report may not be trustworthy\n";
  const auto rep = report::build(read->records, read->torn_tail);
  if (args.format == "json") std::cout << rep.dump(2) << "\n";
  else std::cout << report::markdown(rep);
  return kOk;
}

}  // namespace

void register_evidence(CLI::App& app, int& exit_code) {
  auto vargs = std::make_shared<EvidenceArgs>();
  CLI::App* v = app.add_subcommand("verify", "Check a run's evidence log: hash chain, sequence, torn records");
  v->add_option("dir", vargs->dir, "The run's evidence directory")->required();
  v->add_flag("--json", vargs->json, "Print the result as JSON");
  v->footer(
      "Every record names the SHA-256 of the one before it; verify recomputes the chain and names the\n"
      "first record that does not fit (edited, removed or reordered). A partial last line, left by\n"
      "a crash mid-write, is reported but is not an error.\n\n"
      "Exit status: 0 intact, 6 broken, 3 unreadable.\n\n"
      "Example:\n  runbook verify runbook-evidence/20261124T035810Z-orders-api-down");
  v->callback([vargs, &exit_code] { exit_code = verify_dir(*vargs); });

  auto rargs = std::make_shared<EvidenceArgs>();
  CLI::App* r = app.add_subcommand("report", "Incident timeline and post-mortem draft from a run's evidence");
  r->add_option("dir", rargs->dir, "The run's evidence directory")->required();
  r->add_option("-f,--format", rargs->format, "markdown (default) or json");
  r->footer(
      "Start, end and duration, every step with its result, decisions with their reasons, checklist\n"
      "state, notes and prepared messages, then a post-mortem skeleton to complete.\n\n"
      "Examples:\n"
      "  runbook report runbook-evidence/20261124T035810Z-orders-api-down > postmortem.md\n"
      "  runbook report DIR --format json | jq '.failed'");
  r->callback([rargs, &exit_code] { exit_code = report_dir(*rargs); });
}

}  // namespace runbook::cli
