#!/usr/bin/env bash
# Issue 17: the web application under load. `joindots serve` on an analysed
# store (e.g. the county bench/live_bench.sh keeps), then wrk with
# CONNECTIONS connections for SECONDS per route: the child's page, the
# alert queue, search, the dashboard, the network and a profile. Prints
# requests/s, p50, p99 and non-2xx answers per route. Loopback only.
#   bash bench/load_bench.sh BUILD_DIR DB [SECONDS] [CONNECTIONS]
# Adds two accounts to DB (loadanalyst, loadboard) if missing.
set -euo pipefail
build=${1:?BUILD_DIR}
db=${2:?DB}
secs=${3:-30}
conns=${4:-16}
jd="$build/src/cli/joindots"
command -v wrk >/dev/null || { echo "wrk is needed (scripts/install-deps.sh)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-load.XXXXXX")
spid=
cleanup() { [ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null; rm -rf "$work"; }
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
"$jd" serve --db "$db" --listen 127.0.0.1:0 --port-file "$work/port" --max-per-address $((conns * 2)) \
  2>"$work/serve.log" &
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
echo "== $conns connections, $secs s per route ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "   server ready after $started s; child $pid, search \"$word\", profile $subject"
run() { # LABEL COOKIE PATH
  wrk -t2 -c"$conns" -d"${secs}s" --latency -H "Cookie: $2" "$B$3" >"$work/wrk.out" 2>&1 || true
  awk -v l="$1" '
    /Requests\/sec/ {rps = $2}
    /^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2}
    /requests in/ {n = $1}
    /Non-2xx/ {bad = $NF}
    /Socket errors/ {sock = $0}
    END {printf "  %-14s %8s req/s  p50 %9s  p99 %9s  requests %7s  non-2xx %s%s\n",
         l, rps, p50, p99, n, bad ? bad : 0, sock ? "  (" sock ")" : ""}' "$work/wrk.out"
}
run "child page" "$ca" "/api/persons/$(enc "$pid")?reason=load%20test"
run "alert queue" "$ca" "/api/alerts"
run "search" "$ca" "/api/search?q=$(enc "$word")"
run "dashboard" "$cb" "/api/dashboard"
run "network" "$ca" "/api/network"
[ -n "$subject" ] && run "profile" "$ca" "/api/profile?subject=$(enc "$subject")&reason=load%20test"
exit 0
