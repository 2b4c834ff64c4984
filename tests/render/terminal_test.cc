#include <doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "render/render.h"
#include "render/terminal.h"

namespace {

/// Sets environment variables for one test and restores them afterwards.
class EnvGuard {
 public:
  EnvGuard() {
    for (const char* name : kNames) {
      const char* v = std::getenv(name);
      saved_[index(name)] = v ? std::optional<std::string>(v) : std::nullopt;
      ::unsetenv(name);
    }
  }
  ~EnvGuard() {
    for (const char* name : kNames) {
      const auto& v = saved_[index(name)];
      if (v)
        ::setenv(name, v->c_str(), 1);
      else
        ::unsetenv(name);
    }
  }
  void set(const char* name, const char* value) { ::setenv(name, value, 1); }

 private:
  static constexpr const char* kNames[] = {"NO_COLOR", "CLICOLOR_FORCE", "CLICOLOR", "TERM"};
  static std::size_t index(const char* name) {
    for (std::size_t i = 0; i < 4; ++i)
      if (std::string(kNames[i]) == name) return i;
    return 0;
  }
  std::optional<std::string> saved_[4];
};

}  // namespace

TEST_CASE("should_color: not a terminal means no colour") {
  EnvGuard env;
  env.set("TERM", "xterm-256color");
  const int fd = ::open("/dev/null", O_WRONLY);
  REQUIRE(fd >= 0);
  CHECK_FALSE(runbook::render::should_color(fd));
  CHECK_FALSE(runbook::render::should_color(-1));
  ::close(fd);
}

TEST_CASE("should_color: CLICOLOR_FORCE forces, NO_COLOR wins") {
  EnvGuard env;
  const int fd = ::open("/dev/null", O_WRONLY);
  REQUIRE(fd >= 0);
  env.set("CLICOLOR_FORCE", "1");
  CHECK(runbook::render::should_color(fd));
  env.set("TERM", "dumb");
  CHECK(runbook::render::should_color(fd));  // forced beats TERM=dumb
  env.set("NO_COLOR", "1");
  CHECK_FALSE(runbook::render::should_color(fd));
  env.set("NO_COLOR", "");  // empty NO_COLOR does not count
  CHECK(runbook::render::should_color(fd));
  env.set("CLICOLOR_FORCE", "0");
  CHECK_FALSE(runbook::render::should_color(fd));
  ::close(fd);
}

TEST_CASE("should_color: TERM=dumb and CLICOLOR=0 turn colour off") {
  EnvGuard env;
  env.set("TERM", "dumb");
  CHECK_FALSE(runbook::render::should_color(STDOUT_FILENO));
  env.set("TERM", "xterm");
  env.set("CLICOLOR", "0");
  CHECK_FALSE(runbook::render::should_color(STDOUT_FILENO));
}

TEST_CASE("styled wraps only when colour is on") {
  using runbook::render::Style;
  CHECK(runbook::render::styled("x", Style::Red, false) == "x");
  CHECK(runbook::render::styled("x", Style::Red, true) == "\x1b[1;31mx\x1b[0m");
  CHECK(runbook::render::styled("", Style::Red, true).empty());
}

TEST_CASE("parse_format and format_name") {
  using runbook::render::Format;
  CHECK(runbook::render::parse_format("text") == Format::Text);
  CHECK(runbook::render::parse_format("Markdown") == Format::Markdown);
  CHECK(runbook::render::parse_format("md") == Format::Markdown);
  CHECK(runbook::render::parse_format("JSON") == Format::Json);
  CHECK(runbook::render::parse_format("dot") == Format::Dot);
  CHECK(runbook::render::parse_format("graphviz") == Format::Dot);
  CHECK_FALSE(runbook::render::parse_format("yaml").has_value());
  CHECK_FALSE(runbook::render::parse_format("").has_value());
  for (auto f : {Format::Text, Format::Markdown, Format::Json, Format::Dot})
    CHECK(runbook::render::parse_format(runbook::render::format_name(f)) == f);
}
