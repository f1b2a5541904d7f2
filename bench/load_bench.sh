#!/usr/bin/env bash
# Issue 17: the web application under load. `joindots serve` on an analysed
# store (e.g. the county bench/live_bench.sh keeps), then wrk with
# CONNECTIONS connections for SECONDS per route: the child's page as the
# web app loads it (summary, alerts, the newest page of events) and whole
# (GET /api/persons/{id}), the alert queue, search, the dashboard, the
# network and a profile. Prints requests/s, p50, p99 and errors (non-2xx
# answers, socket errors and timeouts) per route, with the load average.
# Loopback only.
#   bash bench/load_bench.sh BUILD_DIR DB [SECONDS] [CONNECTIONS] [FEED_BUNDLE]
# With FEED_BUNDLE (a county bundle, e.g. from `joindots synth`), a feed is
# ingested while the routes are read: bench/feed_slices.py cuts bundles of
# JD_LOAD_FEED_EVENTS (500) new events from it, dropped into the server's
# feed folder one every JD_LOAD_FEED_EVERY (2) seconds, so that ingest,
# resolve, analyse and escalation write to the store the whole time.
# DB is then written to: use a copy.
# Adds two accounts to DB (loadanalyst, loadboard) if missing.
# JD_LOAD_LOG=FILE keeps the server's log (stderr) there.
# JD_LOAD_CONCERN_EVERY=S: the CLI comments on an open concern every S
# seconds meanwhile (the concerns' change counter moves: the server's
# open-concern snapshot is brought up to date at the next queue or dashboard).
set -euo pipefail
build=${1:?BUILD_DIR}
db=${2:?DB}
secs=${3:-30}
conns=${4:-16}
feed=${5:-}
feed_events=${JD_LOAD_FEED_EVENTS:-500}
feed_every=${JD_LOAD_FEED_EVERY:-2}
src=$(cd "$(dirname "$0")/.." && pwd)
jd="$build/src/cli/joindots"
command -v wrk >/dev/null || { echo "wrk is needed (scripts/install-deps.sh)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-load.XXXXXX")
spid= fpid= cpid=
cleanup() {
  # a killed child's `wait` fails: under set -e that ended the trap before the
  # server was stopped and the work folder removed (a server left running)
  set +e
  [ -n "${JD_LOAD_LOG:-}" ] && cp "$work/serve.log" "$JD_LOAD_LOG"
  [ -n "$fpid" ] && kill "$fpid" 2>/dev/null && wait "$fpid" 2>/dev/null
  [ -n "$cpid" ] && kill "$cpid" 2>/dev/null && wait "$cpid" 2>/dev/null
  if [ -n "$spid" ] && kill "$spid" 2>/dev/null; then
    # SIGTERM waits for the live thread's stage in hand (a whole resolve of
    # the county after a feed can take minutes): 10 s, then SIGKILL
    for _ in $(seq 1 100); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
for a in analyst board; do
  echo "load-$a-password-1" | "$jd" user add --db "$db" --role "$a" --password-stdin "load$a" \
    >/dev/null 2>&1 || true
done
# a child with the most records among those at risk, a word of their name to search
pid=$(sqlite3 "$db" "SELECT a.subject FROM alert a JOIN identity i ON i.person_id = a.subject
  JOIN identity_ref r ON r.identity_id = i.id JOIN person_mention m ON m.agency = r.agency
  AND m.person_ref = r.person_ref WHERE a.kind = 'child_at_risk'
  GROUP BY a.subject ORDER BY count(*) DESC LIMIT 1")
word=$(sqlite3 "$db" "SELECT display_name FROM identity WHERE person_id = '$pid'" | awk '{print $NF}')
feed_opts=()
if [ -n "$feed" ]; then
  slices=$(( (secs * 8 + 20) / feed_every + 1 ))
  python3 "$src/bench/feed_slices.py" "$feed" "$work/slices" "$slices" "$feed_events"
  mkdir -p "$work/drop"
  feed_opts=(--feeds "$work/drop" --escalate-every 0)
fi
"$jd" serve --db "$db" --listen 127.0.0.1:0 --port-file "$work/port" --max-per-address $((conns * 2)) \
  "${feed_opts[@]}" 2>"$work/serve.log" &
spid=$!
t0=$(date +%s.%N)
for _ in $(seq 1 6000); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { cat "$work/serve.log" >&2; exit 1; }
B="http://127.0.0.1:$(cat "$work/port")"
started=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
cookie() { # ROLE
  curl -s -c "$work/$1.jar" -H 'Content-Type: application/json' \
    -d "{\"username\":\"load$1\",\"password\":\"load-$1-password-1\"}" "$B/api/login" >/dev/null
  awk '/jd_session/ {print "jd_session=" $NF}' "$work/$1.jar"
}
ca=$(cookie analyst) cb=$(cookie board)
subject=$(curl -s -H "Cookie: $ca" "$B/api/network" | python3 -c '
import json, sys
g = json.load(sys.stdin)
ns = [n["id"] for n in g["nodes"] if n["kind"] == "person"]
print(ns[0] if ns else "")')
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
if [ -n "$feed" ]; then
  ( # one slice every feed_every seconds: the bundle, then its marker
    for d in "$work"/slices/*/; do
      for a in "$d"*; do
        ag=$(basename "$a") name=load$(basename "$d")
        mkdir -p "$work/drop/$ag"; cp -r "$a" "$work/drop/$ag/$name"; touch "$work/drop/$ag/$name.done"
      done
      sleep "$feed_every"
    done ) &
  fpid=$!
fi
if [ -n "${JD_LOAD_CONCERN_EVERY:-}" ]; then
  cid=$(sqlite3 "$db" "SELECT id FROM concern WHERE status != 'closed' ORDER BY id LIMIT 1")
  [ -n "$cid" ] || { echo "JD_LOAD_CONCERN_EVERY: the store has no open concern" >&2; exit 1; }
  ( while :; do
      "$jd" concern comment "$cid" --db "$db" --by loadbench --as team_manager \
        --text "load bench comment" >/dev/null 2>&1
      sleep "$JD_LOAD_CONCERN_EVERY"
    done ) &
  cpid=$!
fi
echo "== $conns connections, $secs s per route ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "   server ready after $started s; child $pid, search \"$word\", profile $subject"
[ -n "$cpid" ] && echo "   with concern $cid commented every $JD_LOAD_CONCERN_EVERY s"
[ -n "$feed" ] && echo "   with a feed: $feed_events new events every $feed_every s (ingest, resolve, analyse, escalation)"
# CPU seconds of the server's request threads (libmicrohttpd's "MHD-..."),
# not of its live thread (the feed's ingest, resolve and analyse)
. "$(dirname "$0")/mhd_cpu.sh"
cpu() { mhd_cpu "$spid"; }
run() { # LABEL COOKIE PATH
  local c0; c0=$(cpu)
  wrk -t2 -c"$conns" -d"${secs}s" --latency -H "Cookie: $2" "$B$3" >"$work/wrk.out" 2>&1 || true
  # the request threads' CPU time per request: on a loaded machine a
  # steadier figure than the latencies
  local cms; cms=$(awk -v a="$c0" -v b="$(cpu)" '/requests in/ {n = $1} END {printf "%.2f", n ? (b - a) * 1000 / n : 0}' "$work/wrk.out")
  awk -v l="$1" '
    /Requests\/sec/ {rps = $2}
    /^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2}
    /requests in/ {n = $1}
    /Non-2xx/ {bad = $NF}
    /Socket errors/ {sock = $0}
    END {printf "  %-16s %8s req/s  p50 %9s  p99 %9s  cpu %6s ms/req  requests %7s  non-2xx %s%s  load %s\n",
         l, rps, p50, p99, cms, n, bad ? bad : 0, sock ? "  (" sock ")" : "", load}' \
    load="$(cut -d' ' -f1 /proc/loadavg)" cms="$cms" "$work/wrk.out"
}
P="/api/persons/$(enc "$pid")"
a0=$(all_cpu "$spid") m0=$(mhd_cpu "$spid") w0=$(date +%s.%N)
run "child summary" "$ca" "$P/summary?reason=load%20test"
run "child alerts" "$ca" "$P/alerts?reason=load%20test"
run "child events" "$ca" "$P/chronology?reason=load%20test&limit=50&order=newest"
run "child (whole)" "$ca" "$P?reason=load%20test"
run "alert queue" "$ca" "/api/alerts"
run "search" "$ca" "/api/search?q=$(enc "$word")"
run "dashboard" "$cb" "/api/dashboard"
run "network" "$ca" "/api/network"
[ -n "$subject" ] && run "profile" "$ca" "/api/profile?subject=$(enc "$subject")&reason=load%20test"
# the server logs each open-concern snapshot it builds (none logged before this bench's change)
grep -q 'the concerns snapshot:' "$work/serve.log" && awk '/the concerns snapshot:/ {gsub(/[()]/, ""); n++; s += $(NF - 4); c += $(NF - 1)}
  END {printf "   open-concern snapshots built: %d, concerns simulated %d, cpu %.2f s\n", n, s, c}' "$work/serve.log"
# the rest of the server's CPU: the live thread and its background lane
# (a feed's ingest, resolve, analysis; serve --feed-nice) and the daemon
kill -0 "$spid" 2>/dev/null && awk -v a0="$a0" -v a="$(all_cpu "$spid")" -v m0="$m0" -v m="$(mhd_cpu "$spid")" \
  -v w="$(awk -v a="$w0" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')" \
  'BEGIN {printf "   over the routes (%.0f s): request threads %.1f cpu-s (%.3f a second), the other threads (live updates) %.1f cpu-s (%.3f a second)\n",
          w, m - m0, (m - m0) / w, (a - a0) - (m - m0), ((a - a0) - (m - m0)) / w}'
kill -0 "$spid" 2>/dev/null || { echo "   THE SERVER EXITED; its log ends:"; tail -5 "$work/serve.log" | sed 's/^/   /'; }
if [ -n "$feed" ]; then
  echo "   feeds ingested during the run: $(grep -c 'ingested in' "$work/serve.log"), updates after feeds:" \
    "$(grep -c 'updated after feeds' "$work/serve.log"), reloads: $(grep -c 'reloaded' "$work/serve.log")"
  # none is the good case: not an error of the script (set -e, pipefail)
  { grep -E 'audit write failed|failed' "$work/serve.log" || true; } | sort | uniq -c | head -5 | sed 's/^/   /'
fi
exit 0
