#!/usr/bin/env bash
# headless_concurrency.sh RUNBOOK [STEPS] [SECONDS]
#
# Time to evidence for a headless run whose section holds STEPS read-only diagnostics that each
# take SECONDS (default 8 x 0.5 s): `runbook run --headless` at concurrency 1 and 4, against plain
# bash running the same commands one after another and all at once (`&` + `wait`), the floor.
# Prints one line per case and `speedup_c4=X` (concurrency 4 against concurrency 1).
set -euo pipefail

[[ $# -ge 1 && -x $1 ]] || { echo "usage: $0 RUNBOOK_BINARY [STEPS] [SECONDS]" >&2; exit 2; }
RUNBOOK=$1
STEPS=${2:-8}
SECS=${3:-0.5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

{
  printf '# Slow diagnostics\n\n## Gather\n'
  for i in $(seq "$STEPS"); do printf '\n```bash\nsleep %s; echo step %s\n```\n' "$SECS" "$i"; done
} >"$WORK/playbook.md"

now_ms() { date +%s%3N; }
time_ms() {  # time_ms CMD...: wall milliseconds of CMD, output discarded
  local t0 t1
  t0=$(now_ms)
  "$@" >/dev/null 2>&1
  t1=$(now_ms)
  echo $((t1 - t0))
}

serial_bash() { for i in $(seq "$STEPS"); do bash -c "sleep $SECS; echo step $i"; done; }
parallel_bash() { for i in $(seq "$STEPS"); do bash -c "sleep $SECS; echo step $i" & done; wait; }
headless() {  # headless CONCURRENCY
  printf 'concurrency: %s\n' "$1" >"$WORK/policy-$1.yaml"
  rm -rf "$WORK/run-$1"
  "$RUNBOOK" run "$WORK/playbook.md" --headless --policy "$WORK/policy-$1.yaml" --evidence "$WORK/run-$1"
}

b_serial=$(time_ms serial_bash)
b_parallel=$(time_ms parallel_bash)
c1=$(time_ms headless 1)
c4=$(time_ms headless 4)
printf 'bash, one after another      %6d ms\n' "$b_serial"
printf 'bash, all at once            %6d ms\n' "$b_parallel"
printf 'runbook headless, conc. 1    %6d ms\n' "$c1"
printf 'runbook headless, conc. 4    %6d ms\n' "$c4"
awk -v a="$c1" -v b="$c4" 'BEGIN { printf "speedup_c4=%.2f\n", a / b }'
