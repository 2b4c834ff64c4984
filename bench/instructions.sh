#!/usr/bin/env bash
# instructions.sh BUILD_DIR [FILE...]
#
# The load-independent companion of bench_parse and render_vs_cmark.sh. Wall-clock figures on a
# shared 2-core VM move by 30% between runs; instruction counts (valgrind --tool=callgrind) and
# page faults do not. Prints, as `key=value` lines and a table:
#
#   parse:  instructions of bench_parse's runbook side (load_source + StepGraph::build) and of its
#           cmark-gfm side over every playbook under the shared playbooks, and their ratio. Under
#           valgrind the CPU's SHA extensions are hidden, so the source fingerprint takes the
#           portable path there; the ratio is also given without it (the hardware path costs
#           about 1/20 of it).
#   render: instructions and minor page faults of the whole `runbook render FILE` process and of
#           `cmark-gfm -e table -e tasklist FILE` (the files render_vs_cmark.sh uses by default).
#
# Needs valgrind and GNU time (apt-get install valgrind time).
set -euo pipefail

usage() { echo "usage: $0 BUILD_DIR [FILE...]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
BUILD=$1; shift
RUNBOOK=$BUILD/runbook
BENCH=$BUILD/bench/bench_parse
for tool in valgrind callgrind_annotate cmark-gfm /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "instructions: $tool not found (apt-get install valgrind time cmark-gfm)" >&2; exit 2; }
done
[[ -x $RUNBOOK && -x $BENCH ]] || { echo "instructions: build $RUNBOOK and $BENCH first (ninja -C $BUILD runbook bench/bench_parse)" >&2; exit 2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=${RUNBOOK_SHARED_PLAYBOOKS:-$ROOT/../shared/playbooks}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

total() { callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done {gsub(",", "", $1); print $1; done = 1}'; }
inclusive() {  # inclusive instructions of the first function whose name contains $2
  callgrind_annotate --inclusive=yes "$1" 2>/dev/null | awk -v f="$2" 'index($0, f) && !done {gsub(",", "", $1); print $1; done = 1}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

# --- parse ----------------------------------------------------------------------------------
# bench_parse runs one untimed warm-up pass and then the rounds; with --rounds 1 each side is
# counted over two passes, alike.
for side in runbook_full cmark_only; do
  valgrind --tool=callgrind --toggle-collect="*${side}*" --callgrind-out-file="$TMP/$side.out" \
    "$BENCH" "$SHARED" --rounds 1 >/dev/null 2>"$TMP/$side.err" ||
    { cat "$TMP/$side.err" >&2; exit 1; }
done
ours=$(total "$TMP/runbook_full.out")
theirs=$(total "$TMP/cmark_only.out")
sha=$(inclusive "$TMP/runbook_full.out" "util::sha256_hex")
sha=${sha:-0}
echo "parse: runbook $ours instructions, cmark-gfm $theirs, ratio $(ratio "$ours" "$theirs")x" \
  "($(ratio "$((ours - sha))" "$theirs")x without the portable SHA-256 fingerprint, $sha instructions)"
echo "instructions_parse_runbook=$ours"
echo "instructions_parse_cmark=$theirs"
echo "instructions_parse_sha256_portable=$sha"
echo "instructions_ratio_parse=$(ratio "$ours" "$theirs")"
echo "instructions_ratio_parse_without_sha=$(ratio "$((ours - sha))" "$theirs")"

# --- render ---------------------------------------------------------------------------------
# shellcheck source=render_files.sh
source "$ROOT/bench/render_files.sh"
render_files "$SHARED" "$@"
((${#FILES[@]})) || { echo "instructions: no input files (is $SHARED there?)" >&2; exit 2; }

count() {  # instructions of a whole process
  valgrind --tool=callgrind --callgrind-out-file="$TMP/p.out" "$@" >/dev/null 2>"$TMP/p.err" || { cat "$TMP/p.err" >&2; exit 1; }
  total "$TMP/p.out"
}
faults() {  # minor page faults of a whole process (the median of 5 runs)
  local i
  for ((i = 0; i < 5; ++i)); do /usr/bin/time -f '%R' -o "$TMP/t" "$@" >/dev/null 2>&1; cat "$TMP/t"; done |
    sort -n | sed -n 3p
}

n=0
for f in "${FILES[@]}"; do
  n=$((n + 1))
  oi=$(count "$RUNBOOK" render "$f" --format text)
  ci=$(count cmark-gfm -e table -e tasklist "$f")
  of=$(faults "$RUNBOOK" render "$f" --format text)
  cf=$(faults cmark-gfm -e table -e tasklist "$f")
  echo "render [$n] $f ($(stat -c %s "$f") bytes): runbook $oi instructions / $of page faults," \
    "cmark-gfm $ci / $cf, ratios $(ratio "$oi" "$ci")x / $(ratio "$of" "$cf")x"
  echo "instructions_render_runbook_$n=$oi"
  echo "instructions_render_cmark_$n=$ci"
  echo "page_faults_render_runbook_$n=$of"
  echo "page_faults_render_cmark_$n=$cf"
done
si=$(count "$RUNBOOK" --version)
sf=$(faults "$RUNBOOK" --version)
echo "start-up (runbook --version): $si instructions, $sf page faults"
echo "instructions_startup=$si"
echo "page_faults_startup=$sf"
