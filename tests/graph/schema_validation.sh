#!/usr/bin/env bash
# Renders every shared playbook with `runbook render FILE --format json` and validates the output
# against schemas/playbook-graph.schema.json. Env: RUNBOOK_BIN, RUNBOOK_SOURCE_ROOT,
# RUNBOOK_SHARED_PLAYBOOKS (all set by tests/meson.build).
set -u
bin=${RUNBOOK_BIN:?RUNBOOK_BIN not set}
root=${RUNBOOK_SOURCE_ROOT:?RUNBOOK_SOURCE_ROOT not set}
shared=${RUNBOOK_SHARED_PLAYBOOKS:?RUNBOOK_SHARED_PLAYBOOKS not set}
schema=$root/schemas/playbook-graph.schema.json
validator=$root/tests/graph/validate_json.py

/usr/bin/python3 -c 'import jsonschema' || { echo "python3-jsonschema is missing"; exit 1; }
[ -d "$shared" ] || { echo "no shared playbooks at $shared"; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

count=0
failures=0
while IFS= read -r -d '' file; do
  count=$((count + 1))
  json=$out/$count.json
  if ! "$bin" render "$file" --format json >"$json" 2>"$out/$count.err"; then
    echo "FAIL (exit $?): $bin render $file --format json"
    head -c 2000 "$out/$count.err"
    failures=$((failures + 1))
    continue
  fi
  if ! /usr/bin/python3 "$validator" "$schema" "$json" >"$out/$count.msg"; then
    echo "FAIL (schema): $file"
    head -n 40 "$out/$count.msg"
    failures=$((failures + 1))
  fi
done < <(find "$shared" -type f -name '*.md' -print0 | sort -z)

[ "$count" -gt 0 ] || { echo "no markdown files under $shared"; exit 1; }
echo "$((count - failures))/$count playbooks render JSON that matches the schema"
[ "$failures" -eq 0 ]
