#include <doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "shell/parser.h"
#include "shell/words.h"

using runbook::shell::simple_commands;
using runbook::shell::SimpleCommand;
using runbook::shell::split_words;
using runbook::shell::Word;

namespace {

std::vector<std::string> texts(const std::vector<Word>& words) {
  std::vector<std::string> out;
  for (const auto& w : words) out.push_back(w.text);
  return out;
}

std::vector<std::string> programs(const std::vector<SimpleCommand>& cmds) {
  std::vector<std::string> out;
  for (const auto& c : cmds) out.push_back(c.words.at(0).text);
  return out;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("simple_commands: kubectl exec wrapping psql keeps every word, quotes removed") {
  auto cmds = simple_commands("kubectl exec -n ns pod -- psql -U postgres -c \"DELETE FROM t\"");
  REQUIRE(cmds.size() == 1);
  CHECK(texts(cmds[0].words) ==
        Strings{"kubectl", "exec", "-n", "ns", "pod", "--", "psql", "-U", "postgres", "-c", "DELETE FROM t"});
  CHECK(cmds[0].words[10].raw == "\"DELETE FROM t\"");
  CHECK(cmds[0].words[10].quoted);
  CHECK_FALSE(cmds[0].words[0].quoted);
}

TEST_CASE("simple_commands: a multi-line continued command is one simple command") {
  auto cmds = simple_commands(
      "kubectl exec -n data deploy/postgres -- \\\n"
      "  psql -U postgres -c \"SELECT pid FROM pg_locks\n"
      "  WHERE NOT granted;\"");
  REQUIRE(cmds.size() == 1);
  CHECK(cmds[0].words.size() == 11);
  CHECK(cmds[0].words.back().text == "SELECT pid FROM pg_locks\n  WHERE NOT granted;");
}

TEST_CASE("simple_commands: wrapped strings stay one word") {
  auto cmds = simple_commands("watch -n 5 'curl -s x | jq'");
  REQUIRE(cmds.size() == 1);
  CHECK(texts(cmds[0].words) == Strings{"watch", "-n", "5", "curl -s x | jq"});
  auto inner = simple_commands(cmds[0].words[3].text);
  CHECK(programs(inner) == Strings{"curl", "jq"});
}

TEST_CASE("simple_commands: pipelines, lists, subshells, groups and substitutions") {
  auto cmds = simple_commands(
      "(cd /srv && git pull) | tee /tmp/log; { date; } || echo \"$(hostname -f)\" `uname -r` > /dev/null 2>&1");
  CHECK(programs(cmds) == Strings{"cd", "git", "tee", "date", "echo", "hostname", "uname"});
  CHECK(texts(cmds[4].words) == Strings{"echo", "$(hostname -f)", "`uname -r`"});
  CHECK(texts(cmds[5].words) == Strings{"hostname", "-f"});
}

TEST_CASE("simple_commands: keywords are not commands; bodies and conditions are") {
  auto cmds = simple_commands(
      "for pod in $(kubectl get pods -o name); do\n"
      "  if kubectl logs \"$pod\" | grep -q OOM; then\n"
      "    kubectl delete \"$pod\"\n"
      "  elif [[ -n $FORCE && $pod == *api* ]]; then echo skip\n"
      "  else :; fi\n"
      "done\n"
      "while read -r line; do echo \"$line\"; done < /tmp/list\n"
      "case $MODE in\n"
      "  drain) kubectl drain node-1 ;;\n"
      "  *) echo no ;;\n"
      "esac\n"
      "for ((i = 0; i < 3; i++)); do sleep 1; done\n"
      "((count++))\n"
      "! systemctl is-active --quiet nginx\n");
  CHECK(programs(cmds) == Strings{"kubectl", "kubectl", "grep", "kubectl", "echo", ":", "read", "echo",
                                  "kubectl", "echo", "sleep", "systemctl"});
  CHECK(texts(cmds[3].words) == Strings{"kubectl", "delete", "$pod"});
}

TEST_CASE("simple_commands: function definitions run their bodies, not their names") {
  auto cmds = simple_commands("restart_api() { kubectl rollout restart deploy/api; }\nfunction f { ls; }");
  CHECK(programs(cmds) == Strings{"kubectl", "ls"});
}

TEST_CASE("simple_commands: assignments, redirections and heredocs") {
  auto cmds = simple_commands(
      "PGPASSWORD=secret LC_ALL=C psql -h db >/tmp/out 2>&1 <<'SQL'\n"
      "SELECT 1;\n"
      "SQL\n"
      "NOW=$(date +%s)\n"
      "kubectl apply -f - <<-EOF\n"
      "\tkind: Namespace\n"
      "\tmetadata: {name: $(whoami)}\n"
      "\tEOF\n");
  REQUIRE(cmds.size() == 4);
  CHECK(cmds[0].assignments == Strings{"PGPASSWORD=secret", "LC_ALL=C"});
  CHECK(texts(cmds[0].words) == Strings{"psql", "-h", "db"});
  CHECK(cmds[0].heredoc == "SELECT 1;\n");
  CHECK(texts(cmds[1].words) == Strings{"date", "+%s"});
  CHECK(texts(cmds[2].words) == Strings{"kubectl", "apply", "-f", "-"});
  CHECK(cmds[2].heredoc == "kind: Namespace\nmetadata: {name: $(whoami)}\n");
  CHECK(texts(cmds[3].words) == Strings{"whoami"});
}

TEST_CASE("simple_commands: quoted heredoc bodies and single quotes run nothing") {
  auto cmds = simple_commands("cat <<'EOF'\n$(rm -rf /)\nEOF\necho '$(reboot)' \"\\$(halt)\"");
  CHECK(programs(cmds) == Strings{"cat", "echo"});
}

TEST_CASE("split_words: quote removal without expansion") {
  auto words = split_words(R"sh(a'b c'd "x \"y\" \$z $HOME" $'tab\there' ${X:-"d e"} \ sp "$(echo "in")")sh");
  CHECK(texts(words) ==
        Strings{"ab cd", "x \"y\" $z $HOME", "tab\there", "${X:-\"d e\"}", " sp", "$(echo \"in\")"});
  CHECK(words[0].raw == "a'b c'd");
  CHECK(words[0].quoted);
  CHECK_FALSE(words[3].quoted);
  CHECK(texts(split_words("grep -v x > out 2>&1")) == Strings{"grep", "-v", "x"});
  CHECK(split_words("").empty());
}

TEST_CASE("parse_script: one-line commands of plain words parse as the lexer would parse them") {
  // The fast path for plain one-line commands must agree with the lexer and walker, which a
  // trailing ` ;` forces (it ends the command and adds nothing).
  const std::vector<std::string> vocabulary = {
      "kubectl", "get", "pods", "-n", "prod", "--namespace=prod", "-o", "json", "psql", "-c", "SELECT",
      "a=b", "X=1", "if", "then", "fi", "for", "in", "do", "done", "case", "esac", "while", "until",
      "function", "select", "time", "!", "{", "}", "[[", "]]", "{a,b}", "~/x", "*.log", "a#b", "#",
      "-f", "./run.sh", "café", "", "$X", "${X}", "$1", "$", "$?", "|", "||", "|&", "a|b", "x|", "|y", "$(date)",
      "'q s'", "\"$X\"", "2>&1", "${X:-a b}", "${X%% *}",
  };
  std::uint32_t seed = 12345;
  auto next = [&seed] { return seed = seed * 1664525u + 1013904223u; };
  auto words_of = [](const runbook::shell::ParsedScript& p) {
    std::vector<std::vector<std::string>> out;
    for (const auto& c : p.commands) {
      std::vector<std::string> w = c.assignments;
      w.push_back("|");
      for (const auto& word : c.words) w.push_back(word.raw + "\x1f" + word.text + (word.quoted ? "q" : ""));
      out.push_back(w);
    }
    return out;
  };
  for (int n = 0; n < 5000; ++n) {
    std::string text;
    const int count = static_cast<int>(next() >> 29);  // 0..7 words
    for (int i = 0; i < count; ++i) {
      text += (next() >> 31) ? " " : (next() >> 31) ? "\t" : "  ";
      text += vocabulary[(next() >> 8) % vocabulary.size()];
    }
    const auto fast = runbook::shell::parse_script(text);
    const auto walked = runbook::shell::parse_script(text + " ;");
    INFO("text: [" << text << "]");
    CHECK(words_of(fast) == words_of(walked));
    CHECK(fast.loop_names == walked.loop_names);
  }
}
