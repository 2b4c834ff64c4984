#pragma once
// Running sessions in tests: a playbook from text, a fake runner, scripted answers and a real
// evidence log in a fresh temporary directory.

#include <doctest.h>

#include <filesystem>
#include <fstream>
#include <stdlib.h>
#include <sstream>
#include <string>

#include "evidence/log.h"
#include "exec/fake_runner.h"
#include "executor/session.h"
#include "graph/graph.h"
#include "test_support_playbook.h"

#include "test_support.h"

namespace runbook::testing {


/// One session over a playbook text, with everything it needs kept alive.
struct SessionRig {
  playbook::Playbook pb;
  graph::StepGraph graph;
  executor::RunConfig config;
  safety::Classifier classifier;
  exec::FakeRunner runner;
  exec::Interrupt interrupt;
  std::ostringstream out;
  TempDir tmp;
  std::string dir;

  explicit SessionRig(const std::string& markdown, exec::FakeRunner::Script script = {})
      : pb(parse(markdown)), graph(graph::StepGraph::build(pb)), runner(std::move(script)), dir(tmp.sub("run")) {}

  /// Runs from the start with scripted answers; returns the outcome.
  executor::Outcome run(const std::string& answers, executor::SessionSettings settings = {}) {
    auto op = executor::make_scripted_operator_from_text(answers, "answers.yaml", out);
    REQUIRE_MESSAGE(op.ok(), (op.ok() ? std::string() : op.error().describe()));
    auto log = evidence::EvidenceLog::create(dir, evidence::Redactor());
    REQUIRE_MESSAGE(log.ok(), (log.ok() ? std::string() : log.error().describe()));
    executor::Session session(pb, graph, config, classifier, runner, **op, **log, out, interrupt);
    settings.mode = "scripted";
    return session.start(settings);
  }

  /// Resumes the recorded run with more scripted answers.
  executor::Outcome resume(const std::string& answers) {
    auto read = evidence::read_log(dir);
    REQUIRE(read.ok());
    auto point = executor::resume_point(read->records);
    REQUIRE(point.ok());
    auto op = executor::make_scripted_operator_from_text(answers, "answers.yaml", out);
    REQUIRE(op.ok());
    auto log = evidence::EvidenceLog::reopen(dir, evidence::Redactor());
    REQUIRE_MESSAGE(log.ok(), (log.ok() ? std::string() : log.error().describe()));
    executor::Session session(pb, graph, config, classifier, runner, **op, **log, out, interrupt);
    executor::SessionSettings settings;
    settings.mode = "scripted";
    return session.resume(*point, settings);
  }

  /// The records written so far.
  std::vector<nlohmann::json> records() const {
    auto read = evidence::read_log(dir);
    REQUIRE(read.ok());
    return read->records;
  }

  /// Records of one type.
  std::vector<nlohmann::json> records_of(const std::string& type) const {
    std::vector<nlohmann::json> out_records;
    for (auto& r : records())
      if (r.value("type", "") == type) out_records.push_back(r);
    return out_records;
  }

  /// The raw bytes of the log.
  std::string log_text() const {
    std::ifstream in(dir + "/" + evidence::kLogFile, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

}  // namespace runbook::testing
