#!/usr/bin/env bash
# The whole pipeline on synthetic counties: synth -> ingest -> resolve ->
# analyse (indicators, risk, alerts, networks) -> export -> score, timing each
# step (wall time, CPU user+sys and peak RSS; on a shared machine the CPU
# time is the steadier figure). `export alerts` is timed too (issue 17: it
# streams what analyse stored, in constant memory), and the total of the
# steps from ingest to export alerts is printed. Several seeds show that
# accuracy is not one county's luck. Run from the repository root after
# building:
#   bash bench/pipeline_bench.sh [BUILD_DIR] [SEEDS] [EVENTS]
# SEEDS is a space-separated list (default "1 2 3"); EVENTS, when given,
# sizes each county by events (e.g. 1000000) instead of the default county.
# With JD_PIPELINE_KEEP=DIR the bundle and the analysed store of each seed
# are kept as DIR/sSEED and DIR/sSEED.db (for bench/load_bench.sh, or to
# time one step again).
set -euo pipefail
build=${1:-build}
seeds=${2:-1 2 3}
events=${3:-}
jd="$build/src/cli/joindots"
keep=${JD_PIPELINE_KEEP:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-pipeline.XXXXXX")
trap 'rm -rf "$work"' EXIT
step() { # label command...: the command's output, then its figures
  local label=$1; shift
  /usr/bin/time -o "$work/time" -f "%e %U %S %M" "$@"
  [ "$label" = synth ] || cat "$work/time" >> "$work/steps"
  awk -v l="$label" '{ printf "  %s: wall %.2f s, cpu %.2f s (user %.2f + sys %.2f), peak RSS %d KiB\n",
    l, $1, $2 + $3, $2, $3, $4 }' "$work/time" >&2
}
for seed in $seeds; do
  d="$work/s$seed"
  [ -n "$keep" ] && { mkdir -p "$keep"; d="$keep/s$seed"; rm -rf "$d" "$d.db"*; }
  : > "$work/steps"
  echo "== seed $seed${events:+, about $events events}"
  step synth "$jd" synth --out "$d" --seed "$seed" ${events:+--events "$events"} >/dev/null
  echo "  events: $(($(cat "$d"/events*.csv | wc -l) - $(ls "$d"/events*.csv | wc -l))), person rows: $(($(cat "$d"/persons*.csv | wc -l) - $(ls "$d"/persons*.csv | wc -l)))"
  step ingest "$jd" ingest --db "$d.db" --quiet "$d" | tail -1 | sed 's/^/  /'
  step resolve "$jd" resolve --db "$d.db" | sed 's/^/  /'
  step analyse "$jd" analyse --db "$d.db" | sed 's/^/  /'
  "$jd" export identities --db "$d.db" > "$d.ids.jsonl"
  step "export alerts" "$jd" export alerts --db "$d.db" > "$d.alerts.jsonl"
  echo "  alerts exported: $(wc -l < "$d.alerts.jsonl"), $(wc -c < "$d.alerts.jsonl") bytes"
  awk '{ w += $1; c += $2 + $3; if ($4 > m) m = $4 } END {
    printf "  ingest to export alerts: wall %.2f s, cpu %.2f s, largest peak RSS %d KiB\n", w, c, m }' \
    "$work/steps"
  "$jd" score --truth "$d/truth.json" --identities "$d.ids.jsonl" --alerts "$d.alerts.jsonl" | sed 's/^/  /'
  [ -n "$keep" ] || rm -rf "$d" "$d.db"*
  rm -f "$d.ids.jsonl" "$d.alerts.jsonl"
done
