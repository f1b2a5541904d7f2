#!/usr/bin/env bash
# Issue 17: the whole pipeline on one synthetic county, export included:
# synth -> ingest -> resolve -> analyse (which stores the concern bases,
# graph, hotspots and profiles readers serve) -> export alerts, each step
# timed with /usr/bin/time -v (wall time, peak RSS), then the totals against
# the targets (pipeline <= 45 s and <= 2 GiB, export alerts alone <= 3 s).
# Run from the repository root after building:
#   bash bench/live_bench.sh [BUILD_DIR] [EVENTS] [SEED] [KEEP_DIR]
# EVENTS defaults to 1000000. With KEEP_DIR the store is kept there
# (KEEP_DIR/county.db) for bench/load_bench.sh; otherwise it is removed.
# synth is timed but not counted: it makes the data, it is not the pipeline.
set -euo pipefail
build=${1:-build}
events=${2:-1000000}
seed=${3:-1}
keep=${4:-}
jd="$build/src/cli/joindots"
[ -x "$jd" ] || { echo "no $jd: build first" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-live.XXXXXX")
trap 'rm -rf "$work"' EXIT
db="$work/county.db"
if [ -n "$keep" ]; then mkdir -p "$keep"; db="$keep/county.db"; rm -f "$db" "$db"-*; fi
total=0 peak=0
step() { # LABEL COUNTED(0/1) OUT command...
  local label=$1 counted=$2 out=$3; shift 3
  /usr/bin/time -v -o "$work/$label.time" "$@" >"$out" 2>"$work/$label.err" ||
    { cat "$work/$label.err" >&2; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0;
    for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$work/$label.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$label.time")
  cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {printf "%.2f", u + s}' "$work/$label.time")
  printf '  %-8s wall %7.2f s  cpu %7.2f s  peak RSS %7.0f MiB\n' "$label" "$wall" "$cpu" "$(awk -v r="$rss" 'BEGIN {print r / 1024}')"
  if [ "$counted" = 1 ]; then
    total=$(awk -v a="$total" -v b="$wall" 'BEGIN {print a + b}')
    [ "$rss" -gt "$peak" ] && peak=$rss
  fi
  eval "wall_$label=$wall"
}
echo "== county: seed $seed, about $events events ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
step synth 0 /dev/null "$jd" synth --out "$work/c" --seed "$seed" --events "$events"
step ingest 1 /dev/null "$jd" ingest --db "$db" --quiet "$work/c"
step resolve 1 /dev/null "$jd" resolve --db "$db"
step analyse 1 "$work/analyse.out" "$jd" analyse --db "$db"
sed -n '1,3p' "$work/analyse.out" | sed 's/^/    /'
step export 1 "$work/alerts.jsonl" "$jd" export alerts --db "$db"
sed 's/^/    /' "$work/export.err"
printf '  total    wall %7.2f s  peak RSS %7.0f MiB (ingest, resolve, analyse, export)\n' \
  "$total" "$(awk -v r="$peak" 'BEGIN {print r / 1024}')"
verdict() { if [ "$1" = 1 ]; then echo "meets"; else echo "MISSES"; fi; }
le() { awk -v a="$1" -v b="$2" 'BEGIN {print (a <= b) ? 1 : 0}'; }
echo "  pipeline <= 45 s: $(verdict "$(le "$total" 45)"); <= 2 GiB: $(verdict "$(le "$peak" 2097152)");" \
  "export alerts <= 3 s: $(verdict "$(le "$wall_export" 3)")"
