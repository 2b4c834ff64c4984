#!/usr/bin/env bash
# Writes a sample evidence log with the real code (evidence_sample, argument 1) and validates every
# record against schemas/evidence-record.schema.json, and the captured-output fields of each
# command-finished record against its $defs/captured_output; then checks that the schema rejects
# records with a broken envelope. Env: RUNBOOK_SOURCE_ROOT (set by tests/meson.build).
set -u
sample=${1:?usage: schema_validation.sh EVIDENCE_SAMPLE}
root=${RUNBOOK_SOURCE_ROOT:?RUNBOOK_SOURCE_ROOT not set}
schema=$root/schemas/evidence-record.schema.json
validator=$root/tests/graph/validate_json.py

/usr/bin/python3 -c 'import jsonschema' || { echo "python3-jsonschema is missing"; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dir=$out/run

"$sample" "$dir" || { echo "FAIL: $sample $dir"; exit 1; }
log=$dir/evidence.jsonl
records=$(wc -l <"$log")
[ "$records" -ge 7 ] || { echo "FAIL: expected at least 7 records, found $records"; exit 1; }
[ -s "$dir/evidence.jsonl.torn" ] || { echo "FAIL: the torn line was not kept"; exit 1; }
grep -q 'sample-secret-value' "$log" "$dir"/outputs/* && { echo "FAIL: a secret reached the evidence directory"; exit 1; }

failures=0
if ! /usr/bin/python3 "$validator" "$schema" "$log"; then
  echo "FAIL: records do not match the schema"
  failures=$((failures + 1))
fi

# The captured-output fields, against $defs/captured_output; and the files they name.
if ! /usr/bin/python3 - "$schema" "$log" "$dir" <<'PY'
import hashlib, json, os, sys
import jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
sub = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/captured_output"}
validator = jsonschema.Draft202012Validator(sub)
checked = spilled = 0
failed = False
for n, line in enumerate(open(sys.argv[2], encoding="utf-8"), 1):
    record = json.loads(line)
    if record["type"] != "command-finished":
        continue
    checked += 1
    for e in validator.iter_errors(record):
        print(f"line {n}: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}")
        failed = True
    for stream in ("stdout", "stderr"):
        s = record[stream]
        if "file" in s:
            spilled += 1
            data = open(os.path.join(sys.argv[3], s["file"]), "rb").read()
            if hashlib.sha256(data).hexdigest() != s["sha256"] or len(data) != s["bytes"]:
                print(f"line {n}: {stream} file does not match its sha256/bytes")
                failed = True
            if not data.startswith(s["text"].encode()):
                print(f"line {n}: {stream} text is not a prefix of the file")
                failed = True
if checked < 2 or spilled < 1:
    print(f"expected command records with spilled output, found {checked} records, {spilled} files")
    failed = True
sys.exit(1 if failed else 0)
PY
then
  echo "FAIL: captured output does not match \$defs/captured_output or its files"
  failures=$((failures + 1))
fi

# The schema must reject broken envelopes (so that the check above means something).
first=$(head -n 1 "$log")
bad=0
while IFS= read -r expr; do
  doc=$out/bad-$bad.json
  /usr/bin/python3 -c 'import json,sys; r=json.loads(sys.argv[1]); exec(sys.argv[2]); print(json.dumps(r))' "$first" "$expr" >"$doc"
  if /usr/bin/python3 "$validator" "$schema" "$doc" >/dev/null; then
    echo "FAIL: the schema accepts a record after: $expr"
    failures=$((failures + 1))
  fi
  bad=$((bad + 1))
done <<'CASES'
r["seq"] = 0
r["seq"] = "1"
del r["seq"]
r["ts"] = "2026-11-24T03:58:10Z"
r["ts"] = "2026-11-24 03:58:10.123Z"
r["ts"] = "2026-11-24T03:58:10.123+01:00"
del r["ts"]
r["type"] = ""
del r["type"]
r["prev"] = "0" * 63
r["prev"] = "A" * 64
del r["prev"]
CASES

echo "$records records checked against $(basename "$schema"); $bad broken envelopes rejected as expected unless reported above"
[ "$failures" -eq 0 ]
