#!/usr/bin/env bash
# render_vs_cmark.sh RUNBOOK [FILE...]
#
# Times the whole `RUNBOOK render FILE --format text` process (start-up, reading, parsing,
# safety classification, graph, rendering) against the `cmark-gfm` command-line tool turning the
# same file into HTML (`cmark-gfm -e table -e tasklist FILE`), output discarded in both cases.
# Without FILEs: the largest seed playbook and the largest corpus file under the shared
# playbooks (RUNBOOK_SHARED_PLAYBOOKS, default ../shared/playbooks next to the repository).
# Uses hyperfine (--warmup 3, --export-json) when installed, else a bash loop on `date +%s%N`.
# Prints a line per file and `ratio_render_<n>=X` lines; target: at most 2x.
set -euo pipefail

usage() { echo "usage: $0 RUNBOOK_BINARY [FILE...]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
RUNBOOK=$1; shift
[[ -x $RUNBOOK ]] || { echo "render_vs_cmark: $RUNBOOK is not an executable" >&2; exit 2; }
command -v cmark-gfm >/dev/null || { echo "render_vs_cmark: cmark-gfm not found (apt-get install cmark-gfm)" >&2; exit 2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=${RUNBOOK_SHARED_PLAYBOOKS:-$ROOT/../shared/playbooks}
TARGET=2.0
RUNS=${RENDER_BENCH_RUNS:-30}
# RENDER_BENCH_NO_HYPERFINE=1 forces the bash loop even when hyperfine is installed.
have_hyperfine() { [[ -z ${RENDER_BENCH_NO_HYPERFINE:-} ]] && command -v hyperfine >/dev/null; }

# shellcheck source=render_files.sh
source "$ROOT/bench/render_files.sh"
render_files "$SHARED" "$@"
((${#FILES[@]})) || { echo "render_vs_cmark: no input files (is $SHARED there?)" >&2; exit 2; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Checks both commands succeed before timing them, so a failure is not timed as a fast run.
check() {
  local f=$1
  if ! "$RUNBOOK" render "$f" --format text >/dev/null 2>"$TMP/err"; then
    echo "render_vs_cmark: '$RUNBOOK render $f' failed:" >&2; cat "$TMP/err" >&2; exit 1
  fi
  cmark-gfm -e table -e tasklist "$f" >/dev/null
}

# Median seconds of each of two commands, by hyperfine: prints "ours cmark".
time_hyperfine() {
  local f=$1 json=$TMP/out.json ours theirs
  ours="$(printf '%q' "$RUNBOOK") render $(printf '%q' "$f") --format text"
  theirs="cmark-gfm -e table -e tasklist $(printf '%q' "$f")"
  hyperfine --warmup 3 --runs "$RUNS" -N --style none --export-json "$json" \
    --command-name runbook "$ours" --command-name cmark-gfm "$theirs" >/dev/null
  python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(r[0]["median"], r[1]["median"])
PY
}

# The same with a plain loop: 3 warm-up runs, then the median of RUNS runs.
time_loop() {
  local f=$1 i t0 t1
  local -a a b
  for ((i = 0; i < 3; ++i)); do
    "$RUNBOOK" render "$f" --format text >/dev/null; cmark-gfm -e table -e tasklist "$f" >/dev/null
  done
  for ((i = 0; i < RUNS; ++i)); do
    t0=$(date +%s%N); "$RUNBOOK" render "$f" --format text >/dev/null; t1=$(date +%s%N); a+=($((t1 - t0)))
    t0=$(date +%s%N); cmark-gfm -e table -e tasklist "$f" >/dev/null; t1=$(date +%s%N); b+=($((t1 - t0)))
  done
  local ma mb
  ma=$(printf '%s\n' "${a[@]}" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)] / 1e9}')
  mb=$(printf '%s\n' "${b[@]}" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)] / 1e9}')
  echo "$ma $mb"
}

if have_hyperfine; then
  tool="hyperfine --warmup 3 --runs $RUNS -N (median)"
else
  tool="bash loop, date +%s%N, 3 warm-up + $RUNS runs (median)"
fi
echo "render_vs_cmark: '$RUNBOOK render FILE --format text' vs 'cmark-gfm -e table -e tasklist FILE'; $tool"

n=0
worst=0
for f in "${FILES[@]}"; do
  n=$((n + 1))
  check "$f"
  if have_hyperfine; then read -r ours theirs < <(time_hyperfine "$f")
  else read -r ours theirs < <(time_loop "$f"); fi
  ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN {printf "%.2f", a / b}')
  worst=$(awk -v a="$ratio" -v b="$worst" 'BEGIN {print (a > b) ? a : b}')
  printf '  [%d] %s (%s bytes)\n      runbook %.2f ms, cmark-gfm %.2f ms, ratio %sx (target <= %sx)\n' \
    "$n" "$f" "$(stat -c %s "$f")" "$(awk -v s="$ours" 'BEGIN {print s * 1000}')" \
    "$(awk -v s="$theirs" 'BEGIN {print s * 1000}')" "$ratio" "$TARGET"
  echo "render_file_$n=$f"
  echo "runbook_ms_$n=$(awk -v s="$ours" 'BEGIN {printf "%.3f", s * 1000}')"
  echo "cmark_ms_$n=$(awk -v s="$theirs" 'BEGIN {printf "%.3f", s * 1000}')"
  echo "ratio_render_$n=$ratio"
done
echo "ratio_render_max=$worst"
echo "target_ratio_render=$TARGET"
