// A person at a terminal: single keys, Ctrl-C during a step and at a prompt, through a real pty.
#include <doctest.h>

#include <filesystem>
#include <fstream>

#include "evidence/log.h"
#include "executor_support.h"
#include "process_support.h"
#include "pty_support.h"
#include "test_support.h"

using namespace runbook;
using runbook::testing::PtySession;
using runbook::testing::TempDir;
namespace fs = std::filesystem;

namespace {

const char* kSlow = R"(# Slow Things

## Wait

```bash
sleep 30; echo never-PTYMARKER-1
```

## Check

- [ ] The dashboard is green
)";

int records_of(const std::string& dir, const std::string& type, const std::string& field = "",
               const std::string& value = "") {
  auto read = evidence::read_log(dir);
  REQUIRE(read.ok());
  int n = 0;
  for (const auto& r : read->records)
    if (r.value("type", "") == type && (field.empty() || r.value(field, "") == value)) ++n;
  return n;
}

}  // namespace

TEST_CASE("Ctrl-C stops the running command's whole process group, not runbook") {
  TempDir tmp;
  std::ofstream(tmp.path() / "pb.md") << kSlow;
  const std::string dir = tmp.sub("ev");
  PtySession s({runbook::testing::runbook_bin(), "run", tmp.sub("pb.md"), "--evidence", dir}, {"NO_COLOR=1"});
  REQUIRE_MESSAGE(s.expect("[r]un"), s.output());
  s.send("r");
  REQUIRE_MESSAGE(s.expect("running"), s.output());  // the status line: the command is under way
  s.send("\x03");
  REQUIRE_MESSAGE(s.expect("interrupted (Ctrl-C)"), s.output());
  REQUIRE_MESSAGE(s.expect("[r]etry [c]ontinue [q]uit"), s.output());
  s.send("c");
  REQUIRE_MESSAGE(s.expect("[d]one"), s.output());
  s.send("d");
  REQUIRE_MESSAGE(s.expect("run completed"), s.output());
  CHECK(s.wait_exit() == 0);
  CHECK(records_of(dir, "interrupt", "during", "step") == 1);
  CHECK(records_of(dir, "checklist", "state", "done") == 1);
  // No process of the step survived.
  auto p = runbook::testing::run_process({"pgrep", "-f", "PTYMARKER-1"});
  CHECK(p.exit_code == 1);
  CHECK(evidence::verify(dir).ok);
}

TEST_CASE("Ctrl-C at a prompt asks whether to quit; quitting leaves a resumable run") {
  TempDir tmp;
  std::ofstream(tmp.path() / "pb.md") << kSlow;
  const std::string dir = tmp.sub("ev");
  PtySession s({runbook::testing::runbook_bin(), "run", tmp.sub("pb.md"), "--evidence", dir}, {"NO_COLOR=1"});
  REQUIRE_MESSAGE(s.expect("[r]un"), s.output());
  s.send("\x03");
  REQUIRE_MESSAGE(s.expect("Quit the run?"), s.output());
  s.send("n");  // no: the question comes back
  REQUIRE_MESSAGE(s.expect("[r]un"), s.output());
  s.send("s");  // skip the slow step
  REQUIRE_MESSAGE(s.expect("[d]one"), s.output());
  s.send("\x03");
  REQUIRE_MESSAGE(s.expect("Quit the run?"), s.output());
  s.send("y");
  REQUIRE_MESSAGE(s.expect("runbook resume"), s.output());
  CHECK(s.wait_exit() == 5);
  CHECK(records_of(dir, "interrupt", "during", "prompt") == 2);
  CHECK(records_of(dir, "step_skipped") == 1);
  CHECK(records_of(dir, "run_finished", "outcome", "quit") == 1);

  // Resume at the checklist, through the terminal again.
  PtySession r({runbook::testing::runbook_bin(), "resume", dir}, {"NO_COLOR=1"});
  REQUIRE_MESSAGE(r.expect("resuming"), r.output());
  REQUIRE_MESSAGE(r.expect("The dashboard is green"), r.output());
  REQUIRE_MESSAGE(r.expect("[d]one"), r.output());
  r.send("x");
  REQUIRE_MESSAGE(r.expect("run completed"), r.output());
  CHECK(r.wait_exit() == 0);
  CHECK(records_of(dir, "checklist", "state", "not-done") == 1);
  CHECK(evidence::verify(dir).ok);
}
