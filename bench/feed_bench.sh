#!/usr/bin/env bash
# Live operation (issue 17): how long from a feed landing in the drop folder
# of a running `joindots serve` to its results being visible, per stage.
#
#   bash bench/feed_bench.sh [BUILD_DIR] [EVENTS] [REPEATS] [FEED_EVENTS]
#
# Defaults: build, 1000000 events, 5 repeats, 5000 feed events. A synthetic
# county of EVENTS events is cut in two: the FEED_EVENTS events that
# occurred last (one bundle per agency) and the rest, which is ingested,
# resolved, analysed and escalated as the base. Then, REPEATS times on a
# fresh copy of the base store: start `joindots serve --feeds DROP`, drop
# the feed (the bundles, then their .done markers), and time each stage from
# the server's log (ingest of each agency's bundle, resolve, analyse,
# escalation, reload of alerts, board and person index) and the wall time
# from the markers to the reload. Then the same for one urgent call ("held
# against her will", tests/data/bundles/feed_call): the time until the
# critical alert is served by GET /api/alerts and the concern the
# escalation engine opened by GET /api/concerns. Medians are printed last;
# each run also prints (stderr) the live thread's CPU for resolve, analyse,
# escalation and the person index's rebuild, which the load does not inflate,
# and the resolve's CPU by phase from the server's log.
# The machine should be otherwise idle; the figures include its load.
# JD_LIVE_BASE=DIR reuses DIR/base.db and DIR/feed/ from an earlier run
# (kept there by JD_LIVE_KEEP=DIR) instead of building them again;
# JD_LIVE_ONLY=feed or call runs only that half. JD_LIVE_SERVE_ARGS adds
# options to `joindots serve` (e.g. --full: serve is incremental by default
# since the twelfth session); with --resident the feed is dropped once the
# server's start has read the county (its log's "kept N mentions"). Each
# run prints (stderr) the server's peak RSS. A stage a run did not reach is "-" (the
# urgent lane makes the call visible before the feed's update ends).
set -euo pipefail
build=${1:-build}
events=${2:-1000000}
repeats=${3:-5}
feed_events=${4:-5000}
src=$(cd "$(dirname "$0")/.." && pwd)
jd="$build/src/cli/joindots"
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-live.XXXXXX")
spid=""
cleanup() { [ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
now() { date +%s.%N; }
step() { local label=$1; shift; /usr/bin/time -f "  $label: wall %e s, peak RSS %M KiB" "$@"; }

if [ -n "${JD_LIVE_BASE:-}" ]; then
  echo "== base: $JD_LIVE_BASE"
  cp "$JD_LIVE_BASE/base.db" "$work/base.db"; [ ! -e "$JD_LIVE_BASE/base.db-audit" ] || cp "$JD_LIVE_BASE/base.db-audit" "$work/"; cp -r "$JD_LIVE_BASE/feed" "$work/feed"
else
echo "== base: a county of about $events events, the last $feed_events cut off as the feed"
step synth "$jd" synth --out "$work/county" --events "$events" --seed 1 >/dev/null
step cut python3 "$src/bench/cut_feed.py" "$work/county" "$work/base" "$work/feed" "$feed_events"
rm -rf "$work/county"
step ingest "$jd" ingest --db "$work/base.db" --quiet "$work/base" | tail -1
step resolve "$jd" resolve --db "$work/base.db" >/dev/null
step analyse "$jd" analyse --db "$work/base.db" >/dev/null
step escalate "$jd" concern run --db "$work/base.db" >/dev/null
echo "password-of-analyst-1" | "$jd" user add --db "$work/base.db" --role analyst --password-stdin analyst 2>/dev/null
rm -rf "$work/base"
if [ -n "${JD_LIVE_KEEP:-}" ]; then mkdir -p "$JD_LIVE_KEEP"; cp "$work/base.db"* "$JD_LIVE_KEEP/"; cp -r "$work/feed" "$JD_LIVE_KEEP/"; fi
fi

# the server's CPU so far (all its threads, user + system), in seconds
proc_cpu() { awk -v t="$(getconf CLK_TCK)" '{print ($14 + $15) / t}' "/proc/$1/stat" 2>/dev/null || echo ""; }
# the first number after PATTERN in the last line of FILE matching LINE
last_num() { { grep "$2" "$1" || true; } | tail -1 | sed -n "s/.*$3 \([0-9.]*\).*/\1/p"; }

# run LABEL BUNDLES_DIR: one repeat; prints one line of seconds, the
# columns of $cols ("-" for a stage the run did not reach)
run() {
  local label=$1 bundles=$2 r="$work/run"
  rm -rf "$r"; mkdir -p "$r/drop"
  cp "$work/base.db" "$r/s.db"; [ ! -e "$work/base.db-audit" ] || cp "$work/base.db-audit" "$r/s.db-audit"
  local t0; t0=$(now)
  "$jd" serve --db "$r/s.db" --listen 127.0.0.1:0 --port-file "$r/port" --feeds "$r/drop" \
    --escalate-every 0 ${JD_LIVE_SERVE_ARGS:-} 2>"$r/log" &
  spid=$!
  for _ in $(seq 1 6000); do [ -s "$r/port" ] && break; sleep 0.05; done
  # --resident: the feed lands once the start's read of the county is over
  # (the server's steady state), not into it
  case " ${JD_LIVE_SERVE_ARGS:-} " in *" --resident "*)
    for _ in $(seq 1 12000); do grep -q 'joindots serve: kept [0-9]* mentions' "$r/log" && break; sleep 0.05; done ;;
  esac
  local start; start=$(printf %.2f "$(echo "$(now) - $t0" | bc)")
  local b="http://127.0.0.1:$(cat "$r/port")"
  curl -s -c "$r/jar" -H 'Content-Type: application/json' \
    -d '{"username":"analyst","password":"password-of-analyst-1"}' "$b/api/login" >/dev/null
  for a in "$bundles"/*; do mkdir -p "$r/drop/$(basename "$a")"; cp -r "$a" "$r/drop/$(basename "$a")/feed"; done
  local c1; c1=$(proc_cpu "$spid")
  local t1; t1=$(now)
  for a in "$bundles"/*; do touch "$r/drop/$(basename "$a")/feed.done"; done
  local visible="" vcpu="" alert="" concern="" cpid=""
  for _ in $(seq 1 60000); do
    if [ -z "$visible" ] && grep -q "reloaded the alerts" "$r/log"; then
      visible=$(printf %.2f "$(echo "$(now) - $t1" | bc)"); vcpu=$(echo "$(proc_cpu "$spid") - $c1" | bc)
    fi
    # the concern is looked for right after the alert, with the alert's
    # subject read from the same reply (jq: no second request, no python
    # start in the figure)
    if [ "$label" = call ] && [ -z "$alert" ] &&
       curl -s -b "$r/jar" "$b/api/alerts?kind=child_at_risk&level=critical" >"$r/alerts.json" &&
       grep -q CHLIVE1 "$r/alerts.json"; then
      alert=$(echo "$(now) - $t1" | bc)
      cpid=$(jq -r '[.alerts[] | select(tostring | contains("CHLIVE1")) | .subject.person_id][0] // empty' "$r/alerts.json") || cpid=""
    fi
    if [ "$label" = call ] && [ -n "$alert" ] && [ -z "$concern" ] && [ -n "$cpid" ] &&
       curl -s -b "$r/jar" "$b/api/concerns?all=1" | grep -q "\"$cpid\""; then
      concern=$(echo "$(now) - $t1" | bc)
    fi
    [ -n "$visible" ] && { [ "$label" != call ] || [ -n "$concern" ]; } && break
    sleep 0.05
  done
  local hwm; hwm=$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$spid/status" 2>/dev/null || true)
  kill "$spid"; wait "$spid" 2>/dev/null || true; spid=""
  echo "    $label: server peak RSS ${hwm:-?}" >&2
  local ingest icpu upd res ana esc rcpu acpu ecpu rel relc pat patc
  ingest=$(sed -n 's/.*ingested in \([0-9.]*\) s.*/\1/p' "$r/log" | paste -sd+ | bc)
  icpu=$(sed -n 's/.*ingested in [0-9.]* s (cpu \([0-9.]*\) s).*/\1/p' "$r/log" | paste -sd+ | bc)
  upd=$(grep 'updated after feeds' "$r/log" | tail -1 || true)
  res=$(echo "$upd" | sed -n 's/.*resolve \([0-9.]*\) s.*/\1/p')
  ana=$(echo "$upd" | sed -n 's/.*analyse \([0-9.]*\) s.*/\1/p')
  esc=$(echo "$upd" | sed -n 's/.*escalation \([0-9.]*\) s.*/\1/p')
  # the live thread's CPU for resolve, analyse and escalation (analyse's
  # worker threads are not in it: see process_cpu)
  read -r rcpu acpu ecpu < <(echo "$upd" | sed -n "s/.*the live thread's cpu for these three: \([0-9.]*\), \([0-9.]*\), \([0-9.]*\) s.*/\1 \2 \3/p"; echo)
  rel=$(last_num "$r/log" 'reloaded the alerts' ' in')
  relc=$(last_num "$r/log" 'reloaded the alerts' '(cpu')
  pat=$(last_num "$r/log" 'reloaded the persons' ' in')
  patc=$(last_num "$r/log" 'reloaded the persons' '(cpu')
  # the urgent lane's line (serve's default) when a call took it
  grep -o 'urgent calls first.*' "$r/log" | head -1 | sed "s/^/    $label: /" >&2 || true
  # the resolve's CPU by phase (serve logs it after each feed's resolve) and,
  # with --resident, what the kept mentions read
  grep -o 'resolve cpu by phase.*\|resident mentions: .*' "$r/log" | tail -2 | sed "s/^/    $label: /" >&2 || true
  echo "${start:--} ${ingest:--} ${icpu:--} ${res:--} ${rcpu:--} ${pat:--} ${patc:--}" \
    "${ana:--} ${acpu:--} ${esc:--} ${ecpu:--} ${rel:--} ${relc:--} ${visible:--} ${vcpu:--}" \
    "${alert:--} ${concern:--}"
}

median() { grep -v '^-$' | sort -n | awk '{a[NR]=$1} END {print (NR == 0 ? "-" : NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
report() { # FILE NAMES...
  local f=$1; shift; local i=1
  for n in "$@"; do
    printf '  %-34s median %8s s  (%s)\n' "$n" "$(cut -d' ' -f$i "$f" | median)" "$(cut -d' ' -f$i "$f" | paste -sd' ')"
    i=$((i + 1))
  done
}
# wall and CPU per stage: the ingest's and the live thread's CPU from the
# server's log, process_cpu the server's (all threads) from landing to visible
names="server_start ingest(all_agencies) ingest_cpu resolve resolve_cpu person_index person_index_cpu"
names="$names analyse analyse_cpu(live_thread) escalation escalation_cpu reload reload_cpu"
names="$names landing_to_visible process_cpu(landing_to_visible)"
if [ "${JD_LIVE_ONLY:-feed}" = feed ]; then
echo "== a feed of $(($(cat "$work"/feed/*/events.csv | wc -l) - $(ls "$work"/feed/*/events.csv | wc -l))) events in $(ls "$work/feed" | wc -l) agency bundles, $repeats repeats"
: > "$work/feed.txt"
for i in $(seq 1 "$repeats"); do run feed "$work/feed" | tee -a "$work/feed.txt" | sed "s/^/  run $i: /"; done
report "$work/feed.txt" $names
fi
[ "${JD_LIVE_ONLY:-call}" = call ] || exit 0
echo "== one urgent call (held against her will), $repeats repeats"
mkdir -p "$work/call"; cp -r "$src/tests/data/bundles/feed_call" "$work/call/call_handling"
: > "$work/call.txt"
for i in $(seq 1 "$repeats"); do run call "$work/call" | tee -a "$work/call.txt" | sed "s/^/  run $i: /"; done
report "$work/call.txt" $names critical_alert_served concern_served
