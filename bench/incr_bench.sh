#!/usr/bin/env bash
# Incremental update after a feed (issue 17): the stages of bench/incr_speed
# (urgent-call fast path, incremental analysis, escalation over the persons
# walked), REPEATS times each on a fresh copy of a fed store, wall and CPU
# time, peak RSS; medians last. Resolve is not timed here (the store is
# given resolved, or not, as the case needs).
#
#   bash bench/incr_bench.sh BUILD_DIR WORK_DIR [EVENTS] [REPEATS] [FEED_EVENTS]
#
# WORK_DIR keeps base.db (a county of EVENTS events less its FEED_EVENTS
# latest, ingested, resolved and analysed in full), fed.db (base plus the
# feed, resolved) and call.db (base plus the urgent call of
# tests/data/bundles/feed_call, not resolved: the fast path runs first);
# they are built when absent. Defaults: 1000000 events, 5 repeats, 5000.
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
work=${2:?work dir}
events=${3:-1000000}
reps=${4:-5}
feedn=${5:-5000}
src=$(cd "$(dirname "$0")/.." && pwd)
jd="$build/src/cli/joindots"
speed="$build/bench/incr_speed"
mkdir -p "$work"
cd "$work"
if [ ! -f base.db ]; then
  "$jd" synth --out county --seed 1 --events "$events" >/dev/null
  python3 "$src/bench/cut_feed.py" county base feed "$feedn"
  "$jd" ingest --db base.db --quiet base >/dev/null
  "$jd" resolve --db base.db >/dev/null
  "$jd" analyse --db base.db >/dev/null
fi
if [ ! -f fed.db ]; then
  cp base.db fed.db; [ ! -e base.db-audit ] || cp base.db-audit fed.db-audit
  "$jd" ingest --db fed.db --quiet feed/* >/dev/null
  "$jd" resolve --db fed.db >/dev/null
fi
if [ ! -f call.db ]; then
  cp base.db call.db; [ ! -e base.db-audit ] || cp base.db-audit call.db-audit
  "$jd" ingest --db call.db --quiet "$src/tests/data/bundles/feed_call" >/dev/null
fi
med() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
for kind in call feed; do
  : > "$kind.runs"
  for i in $(seq 1 "$reps"); do
    from=$([ "$kind" = call ] && echo call.db || echo fed.db)
    cp "$from" run.db; [ ! -e "$from-audit" ] || cp "$from-audit" run.db-audit
    /usr/bin/time -f "rss %M" -o run.time "$speed" run.db $([ "$kind" = call ] && echo urgent || echo all) > run.out
    cat run.out run.time | tee -a "$kind.runs" | sed "s/^/  $kind $i: /"
  done
done
rm -f run.db run.db-wal run.db-shm run.db-audit run.db-audit-wal run.db-audit-shm
echo "== medians of $reps"
grep '^open' call.runs | sed 's/.*total \([0-9.]*\) s \[cpu \([0-9.]*\) s\].*/\1 \2/' > call.t
echo "  urgent call (screen, analyse, escalate): wall $(cut -d' ' -f1 call.t | med) s, cpu $(cut -d' ' -f2 call.t | med) s"
grep '^feed' feed.runs | sed 's/.*analyse (all) \([0-9.]*\) s \[cpu \([0-9.]*\) s\]; escalate \([0-9.]*\) s \[cpu \([0-9.]*\) s\].*/\1 \2 \3 \4/' > feed.t
echo "  feed of $feedn events: analyse wall $(cut -d' ' -f1 feed.t | med) s cpu $(cut -d' ' -f2 feed.t | med) s; escalate wall $(cut -d' ' -f3 feed.t | med) s cpu $(cut -d' ' -f4 feed.t | med) s"
echo "  peak RSS (KB): $(grep -h '^rss' call.runs feed.runs | cut -d' ' -f2 | sort -n | tail -1)"
