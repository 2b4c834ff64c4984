#include <doctest.h>

#include <string>

#include "render/render.h"
#include "render/render_test_util.h"

using runbook::render::Format;
using runbook::render::Options;
using runbook::testing::pos;
using runbook::testing::render_as;
using runbook::testing::sample_playbook;

TEST_CASE("markdown: header, summary table and warnings") {
  const std::string out = render_as(sample_playbook(), Format::Markdown);
  CHECK(out.rfind("## Dry run: API Outage\n", 0) == 0);
  CHECK(out.find("Nothing was executed.") != std::string::npos);
  CHECK(out.find("| **Severity** | P0 (Critical) |") != std::string::npos);
  CHECK(out.find("| **Response Time** | Immediate (0-5 minutes) |") != std::string::npos);
  CHECK(out.find("| **Alerts** | `ApiDown` |") != std::string::npos);
  CHECK(out.find("| **Steps** | 7 (3 command, 1 checklist, 2 decision, 1 template) |") != std::string::npos);
  CHECK(out.find("1 × 🛑 **DESTRUCTIVE** · 1 × ⚠️ mutating · 1 × ✅ read-only") != std::string::npos);
  CHECK(out.find("> [!WARNING]\n> **Unresolved variables (5):** **`<pod-name>`**, **`<namespace>`**") != std::string::npos);
  CHECK(out.find("> [!CAUTION]") != std::string::npos);
  CHECK(out.find("| # | Step | Kind | Safety | Lines | Section |\n|--:|---|---|---|---|---|\n") != std::string::npos);
  CHECK(out.find("| 1 | `diagnosis-1` | command | ✅ read-only | ") != std::string::npos);
  CHECK(out.find("| 4 | ↳ `option-1-1` | command | 🛑 **DESTRUCTIVE** | ") != std::string::npos);
  CHECK(out.find("| 2 | `diagnosis-2` | checklist | — | ") != std::string::npos);
  CHECK(pos(out, "| 1 |") < pos(out, "| 7 |"));
}

TEST_CASE("markdown: each step with its command fenced and unresolved variables listed") {
  Options options;
  options.vars["NAMESPACE"] = "prod";
  const std::string out = render_as(sample_playbook(), Format::Markdown, options);
  CHECK(out.find("#### 1. `diagnosis-1` · command · ✅ read-only\n") != std::string::npos);
  CHECK(out.find("*Section:* API Outage › Diagnosis") != std::string::npos);
  CHECK(out.find("- ✅ read-only `test.rule`: a test verdict *(line ") != std::string::npos);
  CHECK(out.find("```bash\nkubectl logs <pod-name> -n prod\n```\n") != std::string::npos);
  CHECK(out.find("**Unresolved:**\n- **`<pod-name>`**\n") != std::string::npos);
  CHECK(out.find("- [ ] Check the error rate\n  - Dashboard: api-overview\n") != std::string::npos);
  CHECK(out.find("- Option 1: Restart → `option-1-1`") != std::string::npos);
  // The option's steps sit in a block quote under the option's title.
  CHECK(out.find("**↳ Option 1: Restart** · option of `remediation-1`\n\n> #### 4. `option-1-1` · command · 🛑 **DESTRUCTIVE**\n") !=
        std::string::npos);
  CHECK(out.find("> ```bash\n> kubectl delete pod <pod-name>\n> ```\n") != std::string::npos);
  CHECK(out.find("**↳ Option 2: Wait** · option of `remediation-1`\n*(no steps)*\n") != std::string::npos);
  CHECK(out.find("The options of `remediation-1` join here.") != std::string::npos);
  CHECK(out.find("- **`${API_TOKEN}`** (secret)") != std::string::npos);
  CHECK(pos(out, "#### 3.") < pos(out, "#### 4.") );
  CHECK(pos(out, "join here") < pos(out, "#### 5."));
}

TEST_CASE("markdown: hostile values stay inside one shell word") {
  Options options;
  options.vars["POD_NAME"] = "$(rm -rf /)";
  const std::string out = render_as(sample_playbook(), Format::Markdown, options);
  CHECK(out.find("kubectl delete pod '$(rm -rf /)'\n") != std::string::npos);
}

TEST_CASE("markdown: backticks, pipes and markup in playbook text cannot break the comment") {
  runbook::testing::PlaybookBuilder b("Title with *stars* and <b>html</b>");
  b.command("a|b", "echo '```'\necho ````");
  const std::string out = render_as(b.pb, Format::Markdown);
  CHECK(out.find("## Dry run: Title with \\*stars\\* and \\<b\\>html\\</b\\>") != std::string::npos);
  CHECK(out.find("| 1 | `a\\|b` |") != std::string::npos);
  CHECK(out.find("`````bash\necho '```'\necho ````\n`````\n") != std::string::npos);
}
