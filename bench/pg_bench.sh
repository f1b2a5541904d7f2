#!/usr/bin/env bash
# SQLite and PostgreSQL side by side on one synthetic county: ingest,
# resolve, analyse and export alerts, each timed (wall time, peak RSS of the
# joindots process; the PostgreSQL server's own memory is its shared_buffers
# plus work_mem per sort, set below). PostgreSQL runs on this machine in a
# throwaway cluster (scripts/pg-cluster.sh), fsync on.
#   bash bench/pg_bench.sh [BUILD_DIR] [EVENTS] [SEED] [BACKENDS]
# EVENTS default 1000000, SEED 7, BACKENDS "sqlite postgres". COUNTY=DIR
# reuses a county written before (joindots synth --seed S --events N).
# Prints one markdown table; exported alerts are compared between backends.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
events=${2:-1000000}
seed=${3:-7}
backends=${4:-sqlite postgres}
jd="$PWD/$build/src/cli/joindots"
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-pgbench.XXXXXX")
pgdir=""
cleanup() {
  [ -n "$pgdir" ] && scripts/pg-cluster.sh stop "$pgdir"
  rm -rf "$work"
}
trap cleanup EXIT
county=${COUNTY:-}
if [ -z "$county" ]; then
  county="$work/county"
  "$jd" synth --seed "$seed" --events "$events" --out "$county" >/dev/null
fi
rows=$(($(cat "$county"/*.csv | wc -l) - $(ls "$county"/*.csv | wc -l)))
echo "county: $county, $rows data rows"
step() { # LABEL OUTFILE command... -> "wall rss" in $work/LABEL.t
  local label=$1 out=$2; shift 2
  /usr/bin/time -f "%e %M" -o "$work/$label.t" "$@" >"$out" 2>&1
}
declare -A res
for b in $backends; do
  if [ "$b" = postgres ]; then
    pgdir=$(JD_PG_SETTINGS="-c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min -c work_mem=64MB -c maintenance_work_mem=512MB" \
      scripts/pg-cluster.sh start)
    admin=$(scripts/pg-cluster.sh url "$pgdir")
    psql "$admin" -qAtc "CREATE DATABASE bench" >/dev/null
    db=${admin/:\/\/\/postgres?/:\/\/\/bench?}
  else
    db="$work/bench.db"
  fi
  step "$b.ingest" "$work/$b.ingest.out" "$jd" ingest --db "$db" --quiet "$county"
  step "$b.resolve" "$work/$b.resolve.out" "$jd" resolve --db "$db"
  step "$b.analyse" "$work/$b.analyse.out" "$jd" analyse --db "$db"
  step "$b.export" "$work/$b.alerts" "$jd" export alerts --db "$db"
  for s in ingest resolve analyse export; do res[$b.$s]=$(cat "$work/$b.$s.t"); done
  res[$b.total]=$(tail -1 "$work/$b.ingest.out")
  if [ "$b" = postgres ]; then
    res[$b.size]=$(psql "$db" -qAtc "SELECT pg_size_pretty(pg_database_size(current_database()))")
  else
    res[$b.size]=$(du -sh "$work/bench.db" | cut -f1)
  fi
done
printf '\n| stage | %s |\n|---|%s\n' "$(echo $backends | sed 's/ / | /g')" "$(for _ in $backends; do printf -- '---|'; done)"
for s in ingest resolve analyse export; do
  printf '| %s |' "$s"
  for b in $backends; do
    read -r wall rss <<<"${res[$b.$s]}"
    extra=""
    if [ "$s" = ingest ]; then extra=", $(awk -v r="$rows" -v w="$wall" 'BEGIN{printf "%.0f rows/s", r / w}')"; fi
    printf ' %s s, %s MiB%s |' "$wall" "$((rss / 1024))" "$extra"
  done
  echo
done
printf '| store size |'; for b in $backends; do printf ' %s |' "${res[$b.size]}"; done; echo
for b in $backends; do echo "$b ingest: ${res[$b.total]}"; done
set -- $backends
if [ $# -eq 2 ]; then
  cmp -s "$work/$1.alerts" "$work/$2.alerts" && echo "exported alerts: identical on both backends" ||
    echo "exported alerts: DIFFER between backends"
fi
