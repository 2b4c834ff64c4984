#include <doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "shell/quote.h"
#include "shell/words.h"

using runbook::shell::quote;

namespace {

// Runs `/bin/sh -c 'printf %s <quoted>'` and returns what it printed.
std::string sh_printf(const std::string& value) {
  std::string script = "printf %s " + quote(value);
  int out[2];
  REQUIRE(pipe(out) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string got;
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0) got.append(buf, static_cast<std::size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  return got;
}

}  // namespace

TEST_CASE("quote: bare words, empty string and single quotes") {
  CHECK(quote("") == "''");
  CHECK(quote("deploy/api-v2") == "deploy/api-v2");
  CHECK(quote("user@host:8080,x=y%z+1") == "user@host:8080,x=y%z+1");
  CHECK(quote("two words") == "'two words'");
  CHECK(quote("it's") == "'it'\\''s'");
  CHECK(quote("'") == "''\\'''");
  CHECK(quote("$HOME") == "'$HOME'");
  CHECK(quote("~root") == "'~root'");
  CHECK(quote("*") == "'*'");
}

TEST_CASE("quote: the result is exactly one word with the original value") {
  for (std::string v : {"a b", "it's", "x\ny", "$(date)", "\"q\"", ""}) {
    auto words = runbook::shell::split_words(quote(v));
    REQUIRE(words.size() == 1);
    CHECK(words[0].text == v);
  }
}

TEST_CASE("quote: /bin/sh prints hostile values byte for byte and executes nothing") {
  auto canary = std::filesystem::temp_directory_path() / ("runbook-quote-canary-" + std::to_string(getpid()));
  std::filesystem::remove(canary);
  const std::string c = canary.string();
  std::vector<std::string> values = {
      "$(touch " + c + ")",
      "`touch " + c + "`",
      "; touch " + c,
      "' ; touch " + c + " ; '",
      "'\"'\"'$(touch " + c + ")",
      "a\nb\n\ntouch " + c,
      "&& touch " + c + " || true",
      "| tee " + c,
      "> " + c,
      "${IFS}$((1+1))\\$HOME\\\\",
      "\\'",
      "-n",
      "--",
      "%s %d %%",
      "*?[a-z]~",
      "héllo wörld ✓ 日本語",
      "tab\there\rcr",
      "''''",
      "\"\"\"",
      "#comment",
      " leading and trailing ",
  };
  std::mt19937 rng(12345);
  const std::string alphabet = "ab '\"`$(){};&|<>\\\n\t*?~#!%=-";
  for (int i = 0; i < 150; ++i) {
    std::string v;
    std::size_t len = rng() % 24;
    for (std::size_t k = 0; k < len; ++k) v += alphabet[rng() % alphabet.size()];
    values.push_back(v);
  }
  for (const std::string& v : values) {
    CAPTURE(v);
    CHECK(sh_printf(v) == v);
  }
  CHECK_FALSE(std::filesystem::exists(canary));
  std::filesystem::remove(canary);
}
