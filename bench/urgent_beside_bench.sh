#!/usr/bin/env bash
# Issue 17: an urgent call ("held against her will", tests/data/bundles/
# feed_call) landing while a 5,000-event feed's update is in hand. On a
# fresh copy of a base store (JD_LIVE_BASE=DIR: DIR/base.db and DIR/feed/,
# as bench/feed_bench.sh keeps them), `joindots serve --feeds DROP` is
# started, the feed dropped, and once its bundles are ingested and the
# update has run DELAY seconds (default 5: the resolve computing), the call
# is dropped. Printed per run: seconds from the call's marker until its
# critical alert is served by GET /api/alerts and its concern by
# GET /api/concerns, whether the feed's update had finished by then, and
# the server's CPU (all threads, /proc) over the same span. With MODE=alone
# the call is dropped into an idle server (no feed).
#
#   JD_LIVE_BASE=DIR bash bench/urgent_beside_bench.sh [BUILD_DIR] [RUNS] [MODE] [DELAY]
#
# Runs alternate nothing: call it once per build, in turns (A/B), and say
# the load (printed). Each run copies the base store (about 1.1 GB at 1M).
set -euo pipefail
build=${1:-build}
runs=${2:-1}
mode=${3:-beside}
delay=${4:-5}
base=${JD_LIVE_BASE:?set JD_LIVE_BASE to a directory with base.db and feed/}
src=$(cd "$(dirname "$0")/.." && pwd)
jd="$build/src/cli/joindots"
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-urgent.XXXXXX")
spid=""
cleanup() { [ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
now() { date +%s.%N; }
proc_cpu() { awk -v t="$(getconf CLK_TCK)" '{print ($14 + $15) / t}' "/proc/$1/stat" 2>/dev/null || echo 0; }
echo "== $jd, mode $mode, load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
  r="$work/run"; rm -rf "$r"; mkdir -p "$r/drop/call_handling"
  cp "$base/base.db" "$r/s.db"; [ ! -e "$base/base.db-audit" ] || cp "$base/base.db-audit" "$r/s.db-audit"
  "$jd" serve --db "$r/s.db" --listen 127.0.0.1:0 --port-file "$r/port" --feeds "$r/drop" \
    --escalate-every 0 2>"$r/log" &
  spid=$!
  for _ in $(seq 1 12000); do [ -s "$r/port" ] && break; sleep 0.05; done
  b="http://127.0.0.1:$(cat "$r/port")"
  curl -s -c "$r/jar" -H 'Content-Type: application/json' \
    -d '{"username":"analyst","password":"password-of-analyst-1"}' "$b/api/login" >/dev/null
  if [ "$mode" = beside ]; then
    n=0
    for a in "$base/feed"/*; do
      mkdir -p "$r/drop/$(basename "$a")"; cp -r "$a" "$r/drop/$(basename "$a")/feed"; n=$((n + 1))
    done
    for a in "$base/feed"/*; do touch "$r/drop/$(basename "$a")/feed.done"; done
    for _ in $(seq 1 12000); do [ "$(grep -c 'ingested in' "$r/log")" -ge "$n" ] && break; sleep 0.05; done
    sleep "$delay"
  fi
  cp -r "$src/tests/data/bundles/feed_call" "$r/drop/call_handling/call"
  c0=$(proc_cpu "$spid"); t0=$(now)
  touch "$r/drop/call_handling/call.done"
  alert="" concern=""
  for _ in $(seq 1 60000); do
    if [ -z "$alert" ] && curl -s -b "$r/jar" "$b/api/alerts?kind=child_at_risk&level=critical" | grep -q CHLIVE1; then
      alert=$(echo "$(now) - $t0" | bc); calert=$(echo "$(proc_cpu "$spid") - $c0" | bc)
      upd_at_alert=$(grep -c 'updated after feeds' "$r/log" || true)
    fi
    if [ -n "$alert" ] && [ -z "$concern" ]; then
      pid=$(curl -s -b "$r/jar" "$b/api/alerts?kind=child_at_risk&level=critical" | python3 -c 'import json,sys; print([a["subject"]["person_id"] for a in json.load(sys.stdin)["alerts"] if "CHLIVE1" in json.dumps(a)][0])') || pid=""
      [ -n "$pid" ] && curl -s -b "$r/jar" "$b/api/concerns?all=1" | grep -q "\"$pid\"" && concern=$(echo "$(now) - $t0" | bc)
    fi
    [ -n "$concern" ] && break
    sleep 0.05
  done
  printf '  run %d: critical alert served %.2f s, concern %.2f s after the marker; server cpu to the alert %.2f s; feed updates finished by then: %s; load %s\n' \
    "$i" "$alert" "$concern" "$calert" "$upd_at_alert" "$(cut -d' ' -f1 /proc/loadavg)"
  # the lane's line follows its reload and the board's equality monitoring
  for _ in $(seq 1 1200); do grep -q 'beside the update in hand\|urgent calls first: .*persons.*after the scan' "$r/log" && break; sleep 0.05; done
  grep -o 'urgent calls first.*\|reloaded .*' "$r/log" | sed 's/^/    /' || true
  kill -KILL "$spid"; wait "$spid" 2>/dev/null || true; spid=""
  grep -o 'updated after feeds.*' "$r/log" | sed 's/^/    /' || true
done
