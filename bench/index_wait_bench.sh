#!/usr/bin/env bash
# Issue 17: what a request waits for while the server's person index is
# rebuilt after a resolve. One client asks, one request at a time, for a
# person's alerts and a search (need-to-know on both); a resolve run's row
# moves the store's identity generation as a resolve's commit does; the
# window is WINDOW seconds from there (default 20: past the rebuild, which
# the live thread logs as "reloaded the persons"; on a base where requests
# build the index themselves, nothing is logged). Prints each request's
# wall time in that window and the request threads' CPU there.
# Run from the repository root after building:
#   bash bench/index_wait_bench.sh [BUILD_DIR] DB [PERSON_ID] [WINDOW]
# DB is copied (sqlite3 .backup) and left as it was.
set -euo pipefail
build=${1:-build}
src_db=$2
person=${3:-P000005}
window=${4:-20}
jd="$build/src/cli/joindots"
[ -x "$jd" ] || { echo "no $jd: build first" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-idxwait.XXXXXX")
spid=
trap '[ -n "$spid" ] && kill -TERM "$spid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
db="$work/county.db"
sqlite3 "$src_db" ".backup '$db'"
q() { sqlite3 "$db" "$1"; }
agency=$(q "SELECT r.agency FROM identity_ref r JOIN identity i ON i.id = r.identity_id WHERE i.person_id = '$person' LIMIT 1")
name=$(q "SELECT display_name FROM identity WHERE person_id = '$person'")
word=${name%% *}
echo "pw-bench-practitioner-1" | "$jd" user add --db "$db" --role practitioner --agency "$agency" \
  --password-stdin benchp >/dev/null 2>&1
"$jd" serve --db "$db" --listen 127.0.0.1:0 --port-file "$work/port" 2>"$work/serve.log" &
spid=$!
for _ in $(seq 1 1200); do [ -s "$work/port" ] && break; sleep 0.1; done
B="http://127.0.0.1:$(cat "$work/port")"
curl -s -c "$work/jar" -H 'Content-Type: application/json' \
  -d '{"username":"benchp","password":"pw-bench-practitioner-1"}' "$B/api/login" >/dev/null
. "$(dirname "$0")/mhd_cpu.sh"
cpu() { mhd_cpu "$spid"; }
echo "== $person ($agency), search \"$word\" ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
for _ in 1 2 3; do # warm: the requests' pages and the store's cache
  curl -s -o /dev/null -b "$work/jar" "$B/api/persons/$person/alerts?reason=bench"
  curl -s -o /dev/null -b "$work/jar" "$B/api/search?q=$word"
done
# A resolve run's row moves the identity generation as a resolve's commit
# does (the identities left as they are): the index must be rebuilt.
sqlite3 "$db" >/dev/null "PRAGMA busy_timeout = 60000; INSERT INTO resolve_run(started_at, finished_at, mode)
  VALUES (strftime('%s', 'now'), strftime('%s', 'now'), 'bench')"
c0=$(cpu) t0=$(date +%s.%N) n=0
: >"$work/lat"
while :; do
  for p in "/api/persons/$person/alerts?reason=bench" "/api/search?q=$word"; do
    r=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -b "$work/jar" --max-time 120 "$B$p")
    echo "${p%%\?*} $r" >>"$work/lat"
    n=$((n + 1))
  done
  [ "$(awk -v a="$t0" -v b="$(date +%s.%N)" -v w="$window" 'BEGIN {print (b - a > w)}')" = 1 ] && break
done
c1=$(cpu) t1=$(date +%s.%N)
sed -n '/reloaded.*persons/p' "$work/serve.log" | sed 's/^/   server: /'
sed 's/^/   /' "$work/lat"
awk -v n="$n" -v cpu="$(awk -v a="$c0" -v b="$c1" 'BEGIN {print b - a}')" \
  -v wall="$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" '
  {t = $3 * 1000; s += t; if (t > mx) mx = t; codes[$2]++}
  END {printf "   window %.2f s: %d requests, wall mean %.1f ms, max %.1f ms;", wall, n, n ? s / n : 0, mx;
       printf " request threads cpu %.3f s (%.1f ms/request); codes:", cpu, n ? cpu * 1000 / n : 0;
       for (c in codes) printf " %s x%d", c, codes[c]; print ""}' "$work/lat"
