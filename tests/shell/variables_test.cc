#include <doctest.h>

#include <set>
#include <string>
#include <vector>

#include "shell/variables.h"

using runbook::shell::assigned_names;
using runbook::shell::referenced_variables;
using runbook::shell::VarRef;

namespace {

std::vector<std::string> names(const std::vector<VarRef>& refs) {
  std::vector<std::string> out;
  for (const auto& r : refs) out.push_back(r.name);
  return out;
}

using Strings = std::vector<std::string>;
using NameSet = std::set<std::string>;

}  // namespace

TEST_CASE("assigned_names: loops, export, read, plain assignments and declarations") {
  CHECK(assigned_names("for pod in $(kubectl get pods -o name); do kubectl logs $pod; done") == NameSet{"pod"});
  CHECK(assigned_names("export NS=prod") == NameSet{"NS"});
  CHECK(assigned_names("read -r -p \"x\" ANSWER") == NameSet{"ANSWER"});
  CHECK(assigned_names("read -rp 'Ticket? ' -t 30 TICKET REASON") == NameSet{"REASON", "TICKET"});
  CHECK(assigned_names("read -ra PODS <<< \"$LIST\"") == NameSet{"PODS"});
  CHECK(assigned_names("read") == NameSet{"REPLY"});
  CHECK(assigned_names(
            "LEADER=$(etcdctl member list | head -1)\n"
            "COUNT+=1 ARR[0]=x\n"
            "local tmp; declare -A MAP; readonly LIMIT=5; export -n OLD\n"
            "select choice in yes no; do break; done\n"
            "mapfile -t LINES < /tmp/f; printf -v STAMP '%(%s)T' -1\n"
            "f() { RESULT=$(date); }\n") ==
        NameSet{"ARR", "COUNT", "LEADER", "LIMIT", "LINES", "MAP", "OLD", "RESULT", "STAMP", "choice", "tmp"});
  CHECK(assigned_names("echo NS=prod; kubectl get pods $NS").empty());
}

TEST_CASE("referenced_variables: what counts as a reference") {
  auto refs = referenced_variables("echo \"${INCIDENT_ID}\" $NS $((1+2)) $(date) $? $1 $@ $# $$ $! $- $0 \\$HOME ${#} ${1:-x}");
  CHECK(names(refs) == Strings{"INCIDENT_ID", "NS"});
  CHECK(refs[0].written == "${INCIDENT_ID}");
  CHECK(refs[1].written == "$NS");
  CHECK_FALSE(refs[0].has_default);
}

TEST_CASE("referenced_variables: defaults, length and subscripts") {
  auto refs = referenced_variables("echo ${VAR:-default} ${B-x} ${C:=y} ${D=z} ${E:+alt} ${F:?missing} ${#LEN} ${ARR[0]} ${!IND}");
  CHECK(names(refs) == Strings{"VAR", "B", "C", "D", "E", "F", "LEN", "ARR", "IND"});
  std::vector<bool> defaults;
  for (const auto& r : refs) defaults.push_back(r.has_default);
  CHECK(defaults == std::vector<bool>{true, true, true, true, false, false, false, false, false});
  CHECK(refs[0].written == "${VAR:-default}");
  CHECK(refs[6].written == "${#LEN}");
  CHECK(refs[7].written == "${ARR[0]}");
}

TEST_CASE("referenced_variables: single quotes keep only upper-case names") {
  CHECK(referenced_variables("awk '{print $1}' f | jq '.items[] | $foo'").empty());
  auto refs = referenced_variables("bash -c 'curl -H \"Authorization: Bearer $STATUS_PAGE_TOKEN\" ${API_URL:-x}'");
  CHECK(names(refs) == Strings{"STATUS_PAGE_TOKEN", "API_URL"});
  CHECK(refs[1].has_default);
  CHECK(refs[1].written == "${API_URL:-x}");
  CHECK(referenced_variables("echo $'\\n$NOT_A_REF'").empty());
}

TEST_CASE("referenced_variables: nested expansions, substitutions, heredocs and lines") {
  std::string script =
      "# $IN_COMMENT is ignored\n"
      "NS=${NAMESPACE:-default}\n"
      "kubectl -n \"$NS\" logs $(kubectl get pods -l app=$APP -o name | head -1) \\\n"
      "  --since=${WINDOW:-$DEFAULT_WINDOW}\n"
      "cat <<EOF\n"
      "cluster: $CLUSTER\n"
      "EOF\n"
      "cat <<'EOF'\n"
      "lower $ignored upper $LITERAL_UPPER\n"
      "EOF\n"
      "echo `echo $IN_BACKTICKS`\n";
  auto refs = referenced_variables(script);
  CHECK(names(refs) == Strings{"NAMESPACE", "NS", "APP", "WINDOW", "DEFAULT_WINDOW", "CLUSTER", "LITERAL_UPPER",
                               "IN_BACKTICKS"});
  std::vector<int> lines;
  for (const auto& r : refs) lines.push_back(r.line);
  CHECK(lines == std::vector<int>{1, 2, 2, 3, 3, 5, 8, 10});
  CHECK(refs[3].written == "${WINDOW:-$DEFAULT_WINDOW}");
  CHECK(refs[3].has_default);
}

TEST_CASE("variables: a playbook's inputs are its references minus its own assignments") {
  std::string script =
      "read -r -p \"Incident id? \" INCIDENT_ID\n"
      "for node in $(kubectl get nodes -o name); do\n"
      "  kubectl describe \"$node\" > \"/tmp/${INCIDENT_ID}-${node#node/}.txt\"\n"
      "done\n"
      "curl -X POST \"$SLACK_WEBHOOK\" -d \"{\\\"text\\\": \\\"$INCIDENT_ID\\\"}\"\n";
  std::set<std::string> inputs;
  auto assigned = assigned_names(script);
  for (const auto& r : referenced_variables(script))
    if (!assigned.count(r.name)) inputs.insert(r.name);
  CHECK(inputs == NameSet{"SLACK_WEBHOOK"});
}
