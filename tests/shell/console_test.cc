#include <doctest.h>

#include <string>

#include "shell/splitter.h"

using runbook::shell::split_commands;
using runbook::shell::strip_console_prompts;

TEST_CASE("strip_console_prompts: prompts become commands, output lines become empty") {
  std::string console =
      "$ kubectl get pods -n web\n"
      "NAME        READY   STATUS\n"
      "web-7d9f    1/1     Running\n"
      "root@db-1:~# systemctl status postgresql\n"
      "# not a prompt: bare root output\n"
      "[ops@bastion ~]$ uptime\n"
      " 10:01:02 up 3 days\n"
      "(venv) dev@laptop:~/src$ make \\\n"
      "  -j4\n"
      "$ cat <<EOF > /tmp/x\n"
      "> hello\n"
      "> EOF\n";
  std::string script = strip_console_prompts(console);
  CHECK(script ==
        "kubectl get pods -n web\n"
        "\n"
        "\n"
        "systemctl status postgresql\n"
        "\n"
        "uptime\n"
        "\n"
        "make \\\n"
        "  -j4\n"
        "cat <<EOF > /tmp/x\n"
        "hello\n"
        "EOF\n");
  auto cmds = split_commands(script);
  REQUIRE(cmds.size() == 5);
  CHECK(cmds[0].first_line == 0);
  CHECK(cmds[1].first_line == 3);
  CHECK(cmds[2].first_line == 5);
  CHECK(cmds[3].text == "make \\\n  -j4");
  CHECK(cmds[4].first_line == 9);
  CHECK(cmds[4].last_line == 11);
}

TEST_CASE("strip_console_prompts: output starting with > is not a continuation") {
  CHECK(strip_console_prompts("> quoted mail\n$ ls\nfile\n> not continued\n") == "\nls\n\n\n");
  CHECK(strip_console_prompts("user@host $ nope\n$\n") == "\n\n");
}
