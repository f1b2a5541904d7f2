#!/usr/bin/env bash
# The whole pipeline on synthetic counties: synth -> ingest -> resolve ->
# analyse (indicators, risk, alerts, networks) -> export -> score, timing each
# step (wall time and peak RSS). Several seeds show that accuracy is not one
# county's luck. Run from the repository root after building:
#   bash bench/pipeline_bench.sh [BUILD_DIR] [SEEDS] [EVENTS]
# SEEDS is a space-separated list (default "1 2 3"); EVENTS, when given,
# sizes each county by events (e.g. 1000000) instead of the default county.
set -euo pipefail
build=${1:-build}
seeds=${2:-1 2 3}
events=${3:-}
jd="$build/src/cli/joindots"
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-pipeline.XXXXXX")
trap 'rm -rf "$work"' EXIT
step() { # label command...
  local label=$1; shift
  /usr/bin/time -f "  $label: wall %e s, peak RSS %M KiB" "$@"
}
for seed in $seeds; do
  d="$work/s$seed"
  echo "== seed $seed${events:+, about $events events}"
  step synth "$jd" synth --out "$d" --seed "$seed" ${events:+--events "$events"} >/dev/null
  echo "  events: $(($(cat "$d"/events*.csv | wc -l) - $(ls "$d"/events*.csv | wc -l))), person rows: $(($(cat "$d"/persons*.csv | wc -l) - $(ls "$d"/persons*.csv | wc -l)))"
  step ingest "$jd" ingest --db "$d.db" --quiet "$d" | tail -1 | sed 's/^/  /'
  step resolve "$jd" resolve --db "$d.db" | sed 's/^/  /'
  step analyse "$jd" analyse --db "$d.db" | sed 's/^/  /'
  "$jd" export identities --db "$d.db" > "$d.ids.jsonl"
  "$jd" export alerts --db "$d.db" > "$d.alerts.jsonl"
  "$jd" score --truth "$d/truth.json" --identities "$d.ids.jsonl" --alerts "$d.alerts.jsonl" | sed 's/^/  /'
  rm -rf "$d" "$d.db"*
done
