#!/usr/bin/env bash
# One PostgreSQL ingest into a new database of a running cluster, measured in
# CPU (wall time is the machine's queue when it is shared):
#   bash bench/pg_ingest_cpu.sh BUILD_DIR CLUSTER_DIR COUNTY LABEL [OUT_DIR]
# CLUSTER_DIR is a folder of scripts/pg-cluster.sh (start it with the
# settings of bench/pg_bench.sh for comparable figures). Prints one line:
#   LABEL rows client_cpu backend_cpu server_cpu client_rss_kib wall
# client_cpu is joindots' user+system (/usr/bin/time -v); backend_cpu the
# ingest's own backend (its /proc stat, sampled every 0.1 s until it exits:
# up to 0.1 s short); server_cpu the whole cluster's: the postmaster's own
# and reaped children's time plus its live children's, after minus before
# (so parallel index-build workers, autovacuum, the WAL writer and the
# checkpointer count). PERF=1 records the backend with `perf record -g`
# into OUT_DIR/LABEL.perf.data. DUMP=1 writes OUT_DIR/LABEL.dump: every
# ingest table sorted and hashed, and the index and constraint definitions.
# The database is dropped at the end unless KEEP_DB=1.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1 pgdir=$2 county=$3 label=$4 out=${5:-${TMPDIR:-/tmp}}
mkdir -p "$out"
jd="$build/src/cli/joindots"
admin=$(scripts/pg-cluster.sh url "$pgdir")
psql_admin() { psql -X -q -t -A "$admin" "$@"; }
db="jd_$(echo "$label" | tr -c 'a-zA-Z0-9_\n' _)_$$"
psql_admin -c "CREATE DATABASE $db" >/dev/null
url="postgresql:///$db?host=$pgdir&user=jd"
tick=$(getconf CLK_TCK)
pm=$(head -1 "$pgdir/data/postmaster.pid")
server_ticks() { # the postmaster's utime+stime+cutime+cstime and its live children's
  local t c
  t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat")
  for c in $(pgrep -P "$pm" || true); do
    t=$((t + $(awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}
before=$(server_ticks)
rows=$(($(cat "$county"/*.csv | wc -l) - $(ls "$county"/*.csv | wc -l)))
/usr/bin/time -v -o "$out/$label.time" "$jd" ingest --db "$url" --quiet "$county" \
  >"$out/$label.out" 2>"$out/$label.err" &
tp=$!
# the ingest's backend: the one connection to the new database
bpid=""
while kill -0 "$tp" 2>/dev/null && [ -z "$bpid" ]; do
  bpid=$(psql_admin -c "SELECT pid FROM pg_stat_activity WHERE datname = '$db' LIMIT 1" || true)
  [ -n "$bpid" ] || sleep 0.05
done
perfpid=""
if [ -n "${PERF:-}" ] && [ -n "$bpid" ]; then
  perf record -g -o "$out/$label.perf.data" -p "$bpid" >/dev/null 2>&1 &
  perfpid=$!
fi
bt=0
while [ -n "$bpid" ] && [ -r "/proc/$bpid/stat" ]; do
  v=$(awk '{ print $14 + $15 }' "/proc/$bpid/stat" 2>/dev/null || true)
  [ -n "$v" ] && bt=$v
  sleep 0.1
done
rc=0
wait "$tp" || rc=$?
[ -z "$perfpid" ] || wait "$perfpid" || true
sleep 1 # let the postmaster reap the backend
after=$(server_ticks)
[ "$rc" -eq 0 ] || { echo "$label: ingest failed ($rc): $(tail -3 "$out/$label.err")" >&2; exit 1; }
cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.2f", u + s }' "$out/$label.time")
rss=$(awk -F': ' '/Maximum resident/ { print $2 }' "$out/$label.time")
wall=$(awk -F': ' '/Elapsed/ { print $2 }' "$out/$label.time")
if [ -n "${DUMP:-}" ]; then
  {
    for t in location event person_mention object_mention problem event_history \
      person_mention_history object_mention_history source_file; do
      # source_file and problem keep their paths: the county is the same folder
      printf '%s %s\n' "$t" "$(psql -X -q -t -A "$url" -c "COPY (SELECT * FROM $t ORDER BY 1) TO STDOUT" | sha256sum | cut -c1-16)"
    done
    psql -X -q -t -A "$url" -c "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1, 2"
    psql -X -q -t -A "$url" -c "SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2"
  } >"$out/$label.dump"
fi
[ -n "${KEEP_DB:-}" ] || psql_admin -c "DROP DATABASE $db" >/dev/null
awk -v l="$label" -v r="$rows" -v c="$cpu" -v b="$bt" -v s="$((after - before))" -v k="$tick" \
  -v m="$rss" -v w="$wall" 'BEGIN { printf "%s rows=%d client=%.2fs backend=%.2fs server=%.2fs rss=%dKiB wall=%s\n", l, r, c, b / k, s / k, m, w }'
