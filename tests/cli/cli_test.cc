#include <doctest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "process_support.h"
#include "test_support.h"

using runbook::testing::run_process;
using runbook::testing::runbook_bin;
using runbook::testing::shared_playbooks;
using runbook::testing::source_root;

namespace {

std::string example() { return (source_root() / "examples/service-down/playbook.md").string(); }
std::string embedded_seed() { return (shared_playbooks() / "seeds/oncall-playbooks-embedded.md").string(); }

std::filesystem::path temp_file(const std::string& name, const std::string& content) {
  auto dir = std::filesystem::temp_directory_path() / ("runbook-cli-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto p = dir / name;
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

}  // namespace

TEST_CASE("--version and --help teach; unknown commands are usage errors") {
  auto v = run_process({runbook_bin(), "--version"});
  CHECK(v.exit_code == 0);
  CHECK(v.out.find("runbook 0.") == 0);
  auto h = run_process({runbook_bin(), "--help"});
  CHECK(h.exit_code == 0);
  CHECK(h.out.find("Examples:") != std::string::npos);
  CHECK(h.out.find("Exit status") != std::string::npos);
  for (const char* cmd : {"list", "render", "lint"}) {
    auto c = run_process({runbook_bin(), cmd, "--help"});
    CHECK(c.exit_code == 0);
    CHECK(c.out.find("Examples:") != std::string::npos);
  }
  CHECK(run_process({runbook_bin(), "frobnicate"}).exit_code == 2);
  CHECK(run_process({runbook_bin()}).exit_code == 2);
}

TEST_CASE("list finds documents and embedded playbooks, as a table or JSON") {
  auto r = run_process({runbook_bin(), "list", "--json", embedded_seed()});
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.size() == 4);
  CHECK(j[0]["embedded"] == false);
  std::vector<std::string> titles;
  for (std::size_t i = 1; i < j.size(); ++i) {
    CHECK(j[i]["embedded"] == true);
    titles.push_back(j[i]["title"]);
  }
  CHECK(titles == std::vector<std::string>{"Playbook: Critical Service Down", "Playbook: Database Performance Degradation",
                                           "Playbook: Security Incident"});
  CHECK(j[1]["severity"]["label"] == "P0");
  CHECK(j[2]["severity"]["label"] == "P1");
  CHECK(j[1]["alerts"][0] == "ServiceDown");
  CHECK(j[1]["steps"]["checklist"] == 5);
  auto table = run_process({runbook_bin(), "list", (source_root() / "examples").string()});
  CHECK(table.exit_code == 0);
  CHECK(table.out.find("Orders API Down") != std::string::npos);
  CHECK(table.out.find("OrdersApiDown") != std::string::npos);
  CHECK(table.out.find("\x1b[") == std::string::npos);  // not a terminal: no colour
}

TEST_CASE("render selects an embedded playbook by title and never runs anything") {
  auto canary = std::filesystem::temp_directory_path() / ("runbook-canary-" + std::to_string(getpid()));
  std::filesystem::remove(canary);
  auto pb = temp_file("canary.md", "# C\n\n```bash\ntouch " + canary.string() + "\n```\n");
  auto r = run_process({runbook_bin(), "render", pb.string()});
  CHECK(r.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(canary));
  CHECK(r.out.find("touch") != std::string::npos);

  auto sel = run_process({runbook_bin(), "render", embedded_seed(), "--playbook", "database performance", "--format", "json"});
  REQUIRE(sel.exit_code == 0);
  auto j = nlohmann::json::parse(sel.out);
  CHECK(j["title"] == "Playbook: Database Performance Degradation");
  auto none = run_process({runbook_bin(), "render", embedded_seed(), "--playbook", "no such thing"});
  CHECK(none.exit_code == 4);
  CHECK(none.err.find("Playbook: Security Incident") != std::string::npos);
  auto ambiguous = run_process({runbook_bin(), "render", embedded_seed(), "--playbook", "playbook:"});
  CHECK(ambiguous.exit_code == 4);
}

TEST_CASE("render binds --var values shell-quoted") {
  auto pb = temp_file("vars.md", "# V\n\n```bash\nkubectl logs <pod-name> -n prod\n```\n");
  auto r = run_process({runbook_bin(), "render", pb.string(), "--color", "never", "--var", "pod-name=a'; rm -rf / #"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("kubectl logs 'a'\\''; rm -rf / #' -n prod") != std::string::npos);
  CHECK(run_process({runbook_bin(), "render", pb.string(), "--var", "novalue"}).exit_code == 2);
  CHECK(run_process({runbook_bin(), "render", pb.string(), "--format", "pdf"}).exit_code == 2);
}

TEST_CASE("bad input: clear message naming the file, exit 3") {
  auto missing = run_process({runbook_bin(), "render", "/nonexistent/playbook.md"});
  CHECK(missing.exit_code == 3);
  CHECK(missing.err.find("/nonexistent/playbook.md") != std::string::npos);
  auto dir = run_process({runbook_bin(), "render", std::filesystem::temp_directory_path().string()});
  CHECK(dir.exit_code == 3);
  CHECK(dir.err.find("directory") != std::string::npos);
  auto bad = temp_file("bad.md", "# ok\n\nbad \xff\xfe bytes\n");
  auto utf = run_process({runbook_bin(), "lint", bad.string()});
  CHECK(utf.exit_code == 3);
  CHECK(utf.err.find(bad.string() + ":3: invalid UTF-8") != std::string::npos);
  auto nul = temp_file("nul.md", std::string("# x\0y\n", 6));
  auto nr = run_process({runbook_bin(), "list", nul.string()});
  CHECK(nr.exit_code == 3);
  CHECK(nr.err.find("NUL") != std::string::npos);
}

TEST_CASE("lint exits 1 on errors, 0 on warnings only, and speaks JSON") {
  auto broken = temp_file("broken.md", "# B\n\n```bash\nls\n");
  auto r = run_process({runbook_bin(), "lint", broken.string()});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find(broken.string() + ":3: error:") != std::string::npos);
  auto warn = temp_file("warn.md", "# W\n\n## S\n\n```bash\nkubectl delete pod <pod>\n```\n");
  auto w = run_process({runbook_bin(), "lint", "--json", warn.string()});
  CHECK(w.exit_code == 0);
  auto j = nlohmann::json::parse(w.out);
  CHECK(j["errors"] == 0);
  CHECK(j["warnings"].get<int>() >= 2);
  auto ex = run_process({runbook_bin(), "lint", example()});
  CHECK(ex.exit_code == 0);
}
