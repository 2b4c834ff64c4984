// Writes a sample evidence directory with the real code, for tests/evidence/schema_validation.sh:
// records of several shapes (captured output inline and spilled, redacted strings, invalid UTF-8
// and control characters), then a torn line and a resume, so that every kind of line the engine
// writes is checked against schemas/evidence-record.schema.json.
//
// Usage: evidence_sample DIR   (DIR must not hold a log yet)
#include <cstdio>
#include <fstream>
#include <string>

#include "evidence/capture.h"
#include "evidence/log.h"

using namespace std::chrono_literals;
using runbook::evidence::EvidenceLog;
using runbook::evidence::OutputCapture;
using runbook::evidence::Redactor;
using runbook::exec::Stream;

namespace {

bool check(const runbook::util::Result<nlohmann::json>& r) {
  if (!r.ok()) std::fprintf(stderr, "append failed: %s\n", r.error().describe().c_str());
  return r.ok();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: evidence_sample DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  {
    Redactor redactor;
    redactor.add_secret("sample-secret-value");
    auto created = EvidenceLog::create(dir, std::move(redactor));
    if (!created.ok()) {
      std::fprintf(stderr, "%s\n", created.error().describe().c_str());
      return 1;
    }
    EvidenceLog& log = **created;
    bool ok = check(log.append("run-started", {{"playbook", "disk-full.md"}, {"vars", {{"HOST", "db-1"}}}}));
    {
      OutputCapture cap(log, "step-1", 64);
      cap.on_output(Stream::Stdout, "Filesystem Size Used\n/dev/sda1 100G 97G\n", 3ms);
      cap.on_output(Stream::Stderr, "PGPASSWORD=sample-secret-value\n", 4ms);
      for (int i = 0; i < 50; ++i) cap.on_output(Stream::Stdout, "line " + std::to_string(i) + "\n", std::chrono::milliseconds(5 + i));
      auto fields = cap.finish();
      fields["step"] = "check-disk";
      fields["exit_code"] = 0;
      ok = ok && check(log.append("command-finished", std::move(fields)));
    }
    {
      OutputCapture cap(log, "step-2");
      cap.on_output(Stream::Stdout, "ok\n", 1ms);
      auto fields = cap.finish();
      ok = ok && check(log.append("command-finished", std::move(fields)));
    }
    ok = ok && check(log.append("note", {{"text", std::string("ctl \x01\x1b[0m bad \xff\xfe utf8 \xc3")}, {"n", nullptr}}));
    ok = ok && check(log.append("answer", nlohmann::json::object()));
    if (!ok) return 1;
  }
  // A crash mid-write leaves a torn line; resuming moves it aside and goes on.
  {
    std::ofstream out(dir + "/evidence.jsonl", std::ios::binary | std::ios::app);
    out << R"({"seq":6,"ts":"2026-11-24T03:58:10.123Z","ty)";
  }
  auto reopened = EvidenceLog::reopen(dir, Redactor());
  if (!reopened.ok()) {
    std::fprintf(stderr, "%s\n", reopened.error().describe().c_str());
    return 1;
  }
  if (!check((*reopened)->append("run-resumed", {{"after_seq", 5}}))) return 1;
  if (!check((*reopened)->append("run-finished", {{"outcome", "resolved"}}))) return 1;
  const auto v = runbook::evidence::verify(dir);
  if (!v.ok || v.records != 7) {
    std::fprintf(stderr, "the sample log does not verify: line %d: %s\n", v.broken_line, v.reason.c_str());
    return 1;
  }
  return 0;
}
