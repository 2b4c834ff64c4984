#include <doctest.h>

#include <string>
#include <vector>

#include "shell/splitter.h"

using runbook::shell::Command;
using runbook::shell::split_commands;

namespace {

std::vector<std::string> texts(const std::vector<Command>& cmds) {
  std::vector<std::string> out;
  for (const auto& c : cmds) out.push_back(c.text);
  return out;
}

}  // namespace

TEST_CASE("split_commands: one command per line, labels from comments directly above") {
  auto cmds = split_commands(
      "\n"
      "# Check cluster health\n"
      "kubectl get nodes\n"
      "kubectl get pods -A | grep -v Running\n"
      "\n"
      "# Recent events\n"
      "# (newest last)\n"
      "kubectl get events -A --sort-by='.lastTimestamp' | tail -20\n");
  REQUIRE(cmds.size() == 3);
  CHECK(cmds[0].text == "kubectl get nodes");
  CHECK(cmds[0].label == "Check cluster health");
  CHECK(cmds[0].first_line == 2);
  CHECK(cmds[1].label == "");
  CHECK(cmds[1].first_line == 3);
  CHECK(cmds[2].label == "Recent events\n(newest last)");
  CHECK(cmds[2].first_line == 7);
  CHECK(cmds[2].last_line == 7);
}

TEST_CASE("split_commands: a blank line breaks the label; comment-only groups are dropped") {
  auto cmds = split_commands("# stale note\n\nuptime\n# Check error rate\n# If > 1%, escalate\n");
  REQUIRE(cmds.size() == 1);
  CHECK(cmds[0].text == "uptime");
  CHECK(cmds[0].label.empty());
  CHECK(split_commands("# only\n# comments\n\n").empty());
  CHECK(split_commands("").empty());
}

TEST_CASE("split_commands: kubectl exec continued onto a psql line with a multi-line query") {
  std::string script =
      "# Connections by state\n"
      "kubectl exec -n data deploy/postgres -- \\\n"
      "  psql -U postgres -c \"\n"
      "    SELECT state, count(*)\n"
      "    FROM pg_stat_activity GROUP BY state;\n"
      "  \"\n"
      "kubectl get pods -n data\n";
  auto cmds = split_commands(script);
  REQUIRE(cmds.size() == 2);
  CHECK(cmds[0].label == "Connections by state");
  CHECK(cmds[0].first_line == 1);
  CHECK(cmds[0].last_line == 5);
  CHECK(cmds[0].text.starts_with("kubectl exec -n data"));
  CHECK(cmds[0].text.ends_with("GROUP BY state;\n  \""));
  CHECK(cmds[1].first_line == 6);
}

TEST_CASE("split_commands: curl with a single-quoted JSON body spanning lines") {
  auto cmds = split_commands(
      "curl -X POST https://status.example.com/api/incidents \\\n"
      "  -H \"Authorization: Bearer $STATUS_TOKEN\" \\\n"
      "  -d '{\n"
      "    \"name\": \"Checkout # degraded\",\n"
      "    \"status\": \"investigating\"\n"
      "  }'\n"
      "echo posted\n");
  REQUIRE(cmds.size() == 2);
  CHECK(cmds[0].first_line == 0);
  CHECK(cmds[0].last_line == 5);
  CHECK(cmds[0].text.ends_with("}'"));
  CHECK(cmds[1].text == "echo posted");
}

TEST_CASE("split_commands: heredocs belong to their command") {
  auto cmds = split_commands(
      "# Apply the hotfix config\n"
      "kubectl apply -f - <<EOF\n"
      "apiVersion: v1\n"
      "kind: ConfigMap\n"
      "# inside the body, not a label\n"
      "data:\n"
      "  mode: \"degraded\"\n"
      "EOF\n"
      "kubectl rollout status deploy/api\n");
  REQUIRE(cmds.size() == 2);
  CHECK(cmds[0].label == "Apply the hotfix config");
  CHECK(cmds[0].last_line == 7);
  CHECK(cmds[0].text.ends_with("\nEOF"));
  CHECK(cmds[1].label.empty());
  CHECK(cmds[1].first_line == 8);
}

TEST_CASE("split_commands: heredoc variants and several heredocs on one line") {
  auto cmds = split_commands(
      "cat <<'END' <<-\"TABS\" | sort\n"
      "b $NOT_EXPANDED\n"
      "END\n"
      "\tz\n"
      "\tTABS\n"
      "psql <<SQL\n"
      "SELECT 1;\n"
      "SQL\n");
  REQUIRE(cmds.size() == 2);
  CHECK(cmds[0].last_line == 4);
  CHECK(cmds[1].text == "psql <<SQL\nSELECT 1;\nSQL");
}

TEST_CASE("split_commands: ; after a heredoc operator does not cut the body off its command") {
  auto cmds = split_commands("cat <<EOF; echo sent\nhello\nEOF\nls\n");
  REQUIRE(cmds.size() == 2);
  CHECK(cmds[0].text == "cat <<EOF; echo sent\nhello\nEOF");
  CHECK(cmds[1].text == "ls");
}

TEST_CASE("split_commands: unterminated heredoc or quote runs to the end") {
  auto cmds = split_commands("cat <<EOF\nline\nnever closed\n");
  REQUIRE(cmds.size() == 1);
  CHECK(cmds[0].last_line == 2);
  cmds = split_commands("echo 'open\nstill open\n\nls\n");
  REQUIRE(cmds.size() == 1);
  CHECK(cmds[0].last_line == 3);
}

TEST_CASE("split_commands: pipelines and && / || chains continue after the operator") {
  auto cmds = split_commands(
      "kubectl get pods -A |\n"
      "  grep CrashLoop |\n"
      "  awk '{print $2}'\n"
      "systemctl is-active nginx ||\n"
      "  systemctl restart nginx\n"
      "make build &&\n"
      "  make deploy\n");
  CHECK(texts(cmds) == std::vector<std::string>{
                           "kubectl get pods -A |\n  grep CrashLoop |\n  awk '{print $2}'",
                           "systemctl is-active nginx ||\n  systemctl restart nginx",
                           "make build &&\n  make deploy"});
}

TEST_CASE("split_commands: compound commands stay whole") {
  std::string script =
      "# Restart crashing pods\n"
      "for pod in $(kubectl get pods -o name | grep api); do\n"
      "  kubectl delete \"$pod\"; sleep 5\n"
      "done\n"
      "if curl -fs http://localhost/health; then\n"
      "  echo healthy\n"
      "elif [ -f /tmp/maint ]; then\n"
      "  echo maintenance\n"
      "else\n"
      "  echo down; exit 1\n"
      "fi\n"
      "while ! pg_isready -h db\n"
      "do\n"
      "  sleep 2\n"
      "done\n"
      "until false; do break; done\n"
      "case \"$ENV\" in\n"
      "  prod|production) echo careful ;;\n"
      "  (staging) echo ok ;;\n"
      "  *) echo unknown\n"
      "esac\n";
  auto cmds = split_commands(script);
  REQUIRE(cmds.size() == 5);
  CHECK(cmds[0].label == "Restart crashing pods");
  CHECK(cmds[0].first_line == 1);
  CHECK(cmds[0].last_line == 3);
  CHECK(cmds[1].first_line == 4);
  CHECK(cmds[1].last_line == 10);
  CHECK(cmds[2].first_line == 11);
  CHECK(cmds[2].last_line == 14);
  CHECK(cmds[3].text == "until false; do break; done");
  CHECK(cmds[4].first_line == 16);
  CHECK(cmds[4].last_line == 20);
}

TEST_CASE("split_commands: functions, subshells, groups and $( ) spanning lines") {
  std::string script =
      "drain_node() {\n"
      "  kubectl cordon \"$1\"\n"
      "  kubectl drain \"$1\" --ignore-daemonsets\n"
      "}\n"
      "function backup\n"
      "{\n"
      "  pg_dump app > /tmp/app.sql\n"
      "}\n"
      "cleanup()\n"
      "{ rm -f /tmp/lock; }\n"
      "(\n"
      "  cd /srv/app\n"
      "  git log -1\n"
      ")\n"
      "{ date; uptime; } > /tmp/snapshot\n"
      "LEADER=$(\n"
      "  etcdctl endpoint status --write-out=json |\n"
      "  jq -r '.[0].Status.leader'\n"
      ")\n";
  auto cmds = split_commands(script);
  REQUIRE(cmds.size() == 6);
  CHECK(cmds[0].last_line == 3);
  CHECK(cmds[1].first_line == 4);
  CHECK(cmds[1].last_line == 7);
  CHECK(cmds[2].text == "cleanup()\n{ rm -f /tmp/lock; }");
  CHECK(cmds[3].first_line == 10);
  CHECK(cmds[3].last_line == 13);
  CHECK(cmds[4].text == "{ date; uptime; } > /tmp/snapshot");
  CHECK(cmds[5].first_line == 15);
  CHECK(cmds[5].last_line == 18);
}

TEST_CASE("split_commands: ; and & separate commands on one line, not inside compounds") {
  auto cmds = split_commands("cd /var/log; ls -1t | head -3\nsleep 30 & wait\nif true; then a; b; fi; echo done\n");
  CHECK(texts(cmds) == std::vector<std::string>{"cd /var/log", "ls -1t | head -3", "sleep 30 &", "wait",
                                                "if true; then a; b; fi", "echo done"});
  CHECK(cmds[1].first_line == 0);
  CHECK(cmds[3].first_line == 1);
}

TEST_CASE("split_commands: trailing comments and # inside words") {
  auto cmds = split_commands(
      "df -h # disk usage, not a label for the next line\n"
      "echo a#b ${#PATH} '# quoted' \"#x\" # note\n"
      "uptime\n");
  REQUIRE(cmds.size() == 3);
  CHECK(cmds[0].text == "df -h");
  CHECK(cmds[1].text == "echo a#b ${#PATH} '# quoted' \"#x\"");
  CHECK(cmds[2].label.empty());
}

TEST_CASE("split_commands: CRLF line endings and indentation") {
  auto cmds = split_commands("# Check\r\n  kubectl top nodes\r\n\r\n  kubectl top pods\r\n");
  REQUIRE(cmds.size() == 2);
  CHECK(cmds[0].text == "kubectl top nodes");
  CHECK(cmds[0].label == "Check");
  CHECK(cmds[1].first_line == 3);
}
