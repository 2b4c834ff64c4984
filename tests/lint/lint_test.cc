#include <doctest.h>

#include "lint/lint.h"
#include "test_support_playbook.h"

using runbook::lint::Severity;

namespace {

std::vector<runbook::lint::Diagnostic> lint(const std::string& md, const runbook::playbook::Bindings& known = {}) {
  return runbook::lint::lint_playbook(runbook::testing::parse(md, "pb.md"), known);
}

int count(const std::vector<runbook::lint::Diagnostic>& ds, const std::string& code) {
  int n = 0;
  for (const auto& d : ds) n += d.code == code;
  return n;
}

}  // namespace

TEST_CASE("unresolved placeholders are warnings unless bound or defaulted") {
  const char* md = "# T\n\n## S\n\n```bash\nkubectl logs <pod-name> -n ${NS}\n```\n";
  auto ds = lint(md);
  CHECK(count(ds, "unresolved-placeholder") == 2);
  CHECK(ds[0].file == "pb.md");
  CHECK(ds[0].line == 6);
  CHECK(ds[0].severity == Severity::Warning);
  CHECK(count(lint(md, {{"POD_NAME", "x"}}), "unresolved-placeholder") == 1);
  auto fm = lint(std::string("---\nvariables:\n  NS: {default: prod}\n---\n") + md);
  CHECK(count(fm, "unresolved-placeholder") == 1);
}

TEST_CASE("destructive commands are named with their rule") {
  auto ds = lint("# T\n\n```bash\nkubectl get pods\nkubectl delete ns prod\n```\n");
  REQUIRE(count(ds, "destructive-command") == 1);
  for (const auto& d : ds)
    if (d.code == "destructive-command") {
      CHECK(d.line == 5);
      CHECK(d.message.find("kubectl delete ns prod") != std::string::npos);
      CHECK(d.message.find("[rule ") != std::string::npos);
    }
}

TEST_CASE("parser findings surface with their level; text format shows the source line") {
  auto ds = lint("# T\n\n```bash\nls\n");
  REQUIRE(count(ds, "unterminated-fence") == 1);
  const auto* d = &ds[0];
  for (const auto& x : ds)
    if (x.code == "unterminated-fence") d = &x;
  CHECK(d->severity == Severity::Error);
  std::vector<std::string> src = {"# T", "", "```bash", "ls"};
  std::string text = runbook::lint::format_text(*d, &src, false);
  CHECK(text.rfind("pb.md:3: error: ", 0) == 0);
  CHECK(text.find("    3 | ```bash\n") != std::string::npos);
  auto j = runbook::lint::to_json(*d);
  CHECK(j["severity"] == "error");
  CHECK(j["line"] == 3);
}
