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
# Each stage runs under /usr/bin/time -v (wall, user+system CPU, peak RSS of
# joindots); every 5 s a sampler sums the RSS and the PSS of the PostgreSQL
# server's processes (PSS counts shared_buffers once) and stops a stage
# whose joindots process passes RSS_LIMIT_MB (default 10240: a shared
# machine). KEEP=DIR keeps the stores and the cluster's logs in DIR.
# ANALYSE_ARGS adds to analyse's arguments (10M: "--partitions auto
# --memory-mb 6144"). PG_KEEP_RUNNING=1 leaves the cluster running at the
# end (its folder is printed) so that a stage can be run again on it.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
events=${2:-1000000}
seed=${3:-7}
backends=${4:-sqlite postgres}
jd="$PWD/$build/src/cli/joindots"
limit_kb=$((${RSS_LIMIT_MB:-10240} * 1024))
if [ -n "${KEEP:-}" ]; then
  mkdir -p "$KEEP"; work=$(cd "$KEEP" && pwd)
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/jd-pgbench.XXXXXX")
fi
pgdir=""
cleanup() {
  if [ -n "$pgdir" ] && [ -n "${PG_KEEP_RUNNING:-}" ]; then
    echo "cluster left running: $pgdir ($(scripts/pg-cluster.sh url "$pgdir"))" >&2
  elif [ -n "$pgdir" ]; then
    scripts/pg-cluster.sh stop "$pgdir"
  fi
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
county=${COUNTY:-}
if [ -z "$county" ]; then
  county="$work/county"
  "$jd" synth --seed "$seed" --events "$events" --out "$county" >/dev/null
fi
rows=$(($(cat "$county"/*.csv | wc -l) - $(ls "$county"/*.csv | wc -l)))
echo "county: $county, $rows data rows"
server_kb() { # -> "rss pss" summed over the cluster's processes, in KiB
  local pm pids
  [ -n "$pgdir" ] && [ -f "$pgdir/data/postmaster.pid" ] || { echo "0 0"; return; }
  pm=$(head -1 "$pgdir/data/postmaster.pid")
  pids="$pm $(pgrep -P "$pm" | tr '\n' ' ' || true)"
  for p in $pids; do cat "/proc/$p/smaps_rollup" 2>/dev/null; done |
    awk '$1 == "Rss:" { r += $2 } $1 == "Pss:" { p += $2 } END { printf "%d %d\n", r, p }'
}
sample() { # LABEL TIMEPID: peak server memory in $work/LABEL.srv; RSS guard
  local label=$1 tp=$2 peak_r=0 peak_p=0 r p jp jr
  while kill -0 "$tp" 2>/dev/null; do
    read -r r p <<<"$(server_kb)"
    [ "$r" -gt "$peak_r" ] && peak_r=$r
    [ "$p" -gt "$peak_p" ] && peak_p=$p
    for jp in $(pgrep -P "$tp" || true); do
      jr=$(awk '/^VmRSS:/ { print $2 }' "/proc/$jp/status" 2>/dev/null || echo 0)
      if [ "${jr:-0}" -gt "$limit_kb" ]; then
        echo "$label: joindots RSS ${jr} KiB over the limit, stopped" | tee -a "$work/limit.log" >&2
        kill "$jp"
      fi
    done
    echo "$(date -u +%T) $label server_rss=$r server_pss=$p" >>"$work/memory.log"
    sleep 5
  done
  echo "$((peak_r / 1024)) $((peak_p / 1024))" >"$work/$label.srv"
}
step() { # LABEL OUTFILE command... -> "wall rss cpu" in $work/LABEL.t
  local label=$1 out=$2 tp rc=0; shift 2
  /usr/bin/time -v -o "$work/$label.v" "$@" >"$out" 2>"$work/$label.err" &
  tp=$!
  sample "$label" "$tp" &
  wait "$tp" || rc=$?
  wait
  awk -F': ' '/Elapsed/ { n = split($2, a, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + a[i] }
    /User time/ { c += $2 } /System time/ { c += $2 } /Maximum resident/ { m = $2 }
    END { printf "%.1f %d %.1f\n", w, m, c }' "$work/$label.v" >"$work/$label.t"
  [ "$rc" -eq 0 ] || { echo "$label failed ($rc):"; tail -5 "$work/$label.err"; exit 1; }
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
  step "$b.analyse" "$work/$b.analyse.out" "$jd" analyse --db "$db" ${ANALYSE_ARGS:-}
  step "$b.export" "$work/$b.alerts" "$jd" export alerts --db "$db"
  for s in ingest resolve analyse export; do res[$b.$s]=$(cat "$work/$b.$s.t"); done
  res[$b.total]=$(cat "$work/$b.ingest.out" "$work/$b.ingest.err" | grep -v '^$' | tail -1 || true)
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
    read -r wall rss cpu <<<"${res[$b.$s]}"
    extra=""
    if [ "$s" = ingest ]; then extra=", $(awk -v r="$rows" -v w="$wall" 'BEGIN{printf "%.0f rows/s", r / w}')"; fi
    read -r srss spss <<<"$(cat "$work/$b.$s.srv")"
    srv=""; [ "$b" = postgres ] && srv=", server $srss MiB RSS / $spss MiB PSS"
    printf ' %s s (cpu %s s), %s MiB%s%s |' "$wall" "$cpu" "$((rss / 1024))" "$srv" "$extra"
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
