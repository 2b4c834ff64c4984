#include <doctest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "graph/schema_check.h"
#include "render/render.h"
#include "render/render_test_util.h"

using nlohmann::json;
using runbook::render::Format;
using runbook::render::Options;
using runbook::testing::render_as;
using runbook::testing::sample_playbook;

namespace {

/// Runs a shell command line in a fresh temporary directory; returns its stdout.
std::string run_in_temp_dir(const std::string& command, std::filesystem::path& dir) {
  dir = std::filesystem::temp_directory_path() / ("runbook-quote-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto script = dir / "cmd.sh";
  {
    FILE* f = std::fopen(script.c_str(), "w");
    std::fputs(command.c_str(), f);
    std::fclose(f);
  }
  const std::string cmd = "cd '" + dir.string() + "' && /bin/sh ./cmd.sh";
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

}  // namespace

TEST_CASE("json: the graph document plus filled commands") {
  Options options;
  options.vars["POD_NAME"] = "web-1";
  options.vars["API_TOKEN"] = "s3cr3t-value";
  const std::string out = render_as(sample_playbook(), Format::Json, options);
  const auto j = json::parse(out);
  CHECK(j["schema_version"] == 1);
  CHECK(j["steps"][0]["filled"]["text"] == "kubectl logs web-1 -n <namespace>");
  CHECK(j["steps"][0]["filled"]["parts"] == json{"kubectl logs web-1 -n <namespace>"});
  CHECK(j["steps"][0]["filled"]["unresolved"] == json{"<namespace>"});
  CHECK(j["steps"][4]["filled"]["text"] == "Status: [Status] for incident ${INCIDENT_ID} (token ********)");
  CHECK(j["dry_run"]["executed"] == false);
  CHECK(j["dry_run"]["bound"] == json{"POD_NAME", "API_TOKEN"});
  CHECK(j["dry_run"]["unresolved"][0] == json{{"key", "NAMESPACE"}, {"written", "<namespace>"}, {"secret", false}});
  CHECK(out.find("s3cr3t-value") == std::string::npos);
  CHECK(out.back() == '\n');
  if (runbook::testing::have_jsonschema()) CHECK(runbook::testing::matches_schema(out));
}

TEST_CASE("json: render_all gives an array that matches the schema") {
  runbook::testing::PlaybookBuilder empty("Empty");
  const std::string out = runbook::render::render_all({sample_playbook(), empty.pb}, Format::Json, {});
  const auto j = json::parse(out);
  REQUIRE(j.is_array());
  CHECK(j.size() == 2);
  CHECK(j[1]["title"] == "Empty");
  if (runbook::testing::have_jsonschema()) CHECK(runbook::testing::matches_schema(out));
}

TEST_CASE("json: invalid UTF-8 in the playbook still gives valid JSON") {
  runbook::testing::PlaybookBuilder b("Bad \xff bytes");
  b.command("x", "echo \xc3\x28");
  const std::string out = render_as(b.pb, Format::Json);
  const bool parsed = json::accept(out);
  CHECK(parsed);
}

TEST_CASE("json: hostile values come out of the shell as the same single word") {
  for (const std::string& value : {std::string("'; touch x"), std::string("$(touch y)"), std::string("`touch z`"),
                                  std::string("a b\n\"c\" \\ $HOME *"), std::string("")}) {
    CAPTURE(value);
    runbook::testing::PlaybookBuilder b;
    {
      auto& s = b.command("print", "printf '[%s]' <value>");
      runbook::testing::PlaybookBuilder::var(s, "<value>", "value");
    }
    Options options;
    options.vars["VALUE"] = value;
    const auto j = json::parse(render_as(b.pb, Format::Json, options));
    const std::string filled = j["steps"][0]["filled"]["text"];
    std::filesystem::path dir;
    const std::string printed = run_in_temp_dir(filled, dir);
    CHECK(printed == "[" + value + "]");
    CHECK_FALSE(std::filesystem::exists(dir / "x"));
    CHECK_FALSE(std::filesystem::exists(dir / "y"));
    CHECK_FALSE(std::filesystem::exists(dir / "z"));
    std::filesystem::remove_all(dir);
  }
}
