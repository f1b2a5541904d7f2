#!/usr/bin/env bash
# The child's page routes on the demo's busiest girl (Ava Wilson, 495
# events): median and worst of N requests each to the summary, a page of 50
# events (oldest and newest first, significant only), and the PDF of her
# significant events (its pages and size), over loopback with curl, plus
# the server's peak RSS. The browser's own draw time against the 500 ms
# target: JD_TIMING=1 meson test -C BUILD browser_child (the test alone asserts
# 3 s, which a loaded CI machine can keep).
# Run from the repository root after building: bash bench/child_page_bench.sh [BUILD_DIR] [N]
set -euo pipefail
build=${1:-build}
n=${2:-20}
jd="$build/src/cli/joindots"
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-child.XXXXXX")
"$jd" demo --dir "$work/demo" --no-serve >/dev/null 2>&1
db="$work/demo/joindots.db"
echo "password-of-bench-1" | "$jd" user add --db "$db" --role analyst --password-stdin bench >/dev/null 2>&1
pid=$(sqlite3 "$db" "SELECT i.person_id FROM identity i JOIN identity_ref r ON r.identity_id = i.id
  JOIN person_mention m ON m.agency = r.agency AND m.person_ref = r.person_ref WHERE i.is_child = 1
  GROUP BY i.id ORDER BY count(DISTINCT m.event_id) DESC LIMIT 1")
/usr/bin/time -f "%M" -o "$work/rss" "$jd" serve --db "$db" --listen 127.0.0.1:0 --port-file "$work/port" 2>/dev/null &
spid=$!
trap 'kill -TERM $spid 2>/dev/null; wait $spid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
b="http://127.0.0.1:$(cat "$work/port")"
curl -s -c "$work/jar" -H 'Content-Type: application/json' \
  -d '{"username":"bench","password":"password-of-bench-1"}' "$b/api/login" >/dev/null
p="$b/api/persons/$pid"
r="reason=benchmark"
measure() { # label url
  local times
  times=$(for _ in $(seq 1 "$n"); do curl -s -o /dev/null -w '%{time_total}\n' -b "$work/jar" "$2"; done | sort -n)
  printf '%-34s median %6.1f ms   worst %6.1f ms   (n=%d)\n' "$1" \
    "$(echo "$times" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]*1000}')" \
    "$(echo "$times" | tail -1 | awk '{print $1*1000}')" "$n"
}
echo "child: $pid ($(sqlite3 "$db" "SELECT display_name FROM identity WHERE person_id = '$pid'"))"
measure "summary" "$p/summary?$r"
measure "alerts" "$p/alerts?$r"
measure "chronology, 50, oldest first" "$p/chronology?$r&limit=50"
measure "chronology, 50, newest first" "$p/chronology?$r&limit=50&order=newest"
measure "chronology, 50, significant, newest" "$p/chronology?$r&limit=50&order=newest&significant=1"
measure "chronology, text 'takeaway'" "$p/chronology?$r&limit=50&q=takeaway"
measure "PDF, significant, redacted" "$p/chronology/pdf?$r&significant=1&redact_all=1"
measure "PDF, every event" "$p/chronology/pdf?$r"
curl -s -b "$work/jar" -o "$work/sig.pdf" "$p/chronology/pdf?$r&significant=1&redact_all=1"
curl -s -b "$work/jar" -o "$work/all.pdf" "$p/chronology/pdf?$r"
echo "PDF significant: $(grep -ac '/Type /Page\b' "$work/sig.pdf") pages, $(wc -c <"$work/sig.pdf") bytes;" \
  "every event: $(grep -ac '/Type /Page\b' "$work/all.pdf") pages, $(wc -c <"$work/all.pdf") bytes"
kill -TERM "$(pgrep -P $spid)"; wait $spid 2>/dev/null || true  # the server, not time(1)
echo "serve peak RSS: $(cat "$work/rss") KiB"
