#!/usr/bin/env bash
# Golden tests: `runbook render` of the seed playbooks, compared with the reviewed outputs here.
# UPDATE=1 rewrites the expected files (then review the diff before committing).
set -euo pipefail
bin=${RUNBOOK_BIN:?}
seeds=${RUNBOOK_SHARED_PLAYBOOKS:?}/seeds
here=$(cd "$(dirname "$0")" && pwd)
example=${RUNBOOK_SOURCE_ROOT:?}/examples/service-down/playbook.md
status=0

# name | file | extra arguments
cases=(
  "runbook-text|$seeds/incident-response-runbook.md|--format text"
  "phase26-markdown|$seeds/incident-response-phase26.md|--format markdown"
  "embedded-service-down-text|$seeds/oncall-playbooks-embedded.md|--format text --playbook Critical Service Down"
  "embedded-database-markdown|$seeds/oncall-playbooks-embedded.md|--format markdown --playbook Database Performance"
  "embedded-security-dot|$seeds/oncall-playbooks-embedded.md|--format dot --playbook Security Incident"
  "example-text-vars|$example|--format text --var pod-name=orders-0"
)

for c in "${cases[@]}"; do
  IFS='|' read -r name file args <<<"$c"
  # --playbook takes a title with spaces: split on the first two words only.
  read -r -a argv <<<"$args"
  if [[ $args == *--playbook* ]]; then
    title=${args#*--playbook }
    argv=(${args%% --playbook*} --playbook "$title")
  fi
  # Paths in the output are made relative so the files do not depend on the checkout location.
  actual=$(cd "$(dirname "$file")" && NO_COLOR=1 "$bin" render "$(basename "$file")" --color never "${argv[@]}")
  expected=$here/$name.expected
  if [[ ${UPDATE:-} == 1 ]]; then
    printf '%s\n' "$actual" >"$expected"
    echo "updated $name"
    continue
  fi
  if ! diff -u "$expected" <(printf '%s\n' "$actual") >"/tmp/golden-$name.diff"; then
    echo "FAIL $name: render output differs from tests/golden/$name.expected"
    head -n 60 "/tmp/golden-$name.diff"
    status=1
  else
    echo "ok   $name"
  fi
done
exit $status
