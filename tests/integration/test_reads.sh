#!/usr/bin/env bash
# Fast reads (issue 17 item 4) give the same answers as before, and reads do
# not fail while the store is written (item 5 of the brief "reads"):
#  - the server starts from the counts the last analysis stored, and the
#    board's figures equal those of a full count (`analyse --no-save`);
#  - the alert queue, paged, sorted and filtered on the server, walks every
#    alert exactly once in its order, its totals equal to counts in the store;
#  - search by a prefix of a surname, by a person id in lower case, by a ref;
#  - while another process holds a write transaction for 3 s (a feed being
#    stored), the queue, a child's page and search still answer 200, and
#    their views are in the audit log afterwards.
# Usage: test_reads.sh JOINDOTS SOURCE_ROOT
JD=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
scratch
DB="$SCRATCH/w.db"
"$JD" demo --dir "$SCRATCH/demo" --no-serve >/dev/null 2>&1
mv "$SCRATCH/demo/joindots.db" "$DB"; mv "$SCRATCH/demo/joindots.db-audit" "$DB-audit"
for u in analyst:analyst board:board; do
  IFS=: read -r name role <<< "$u"
  echo "password-of-$name-1" | "$JD" user add --db "$DB" --role "$role" --password-stdin "$name" 2>/dev/null
done
# the busiest child (Ava Wilson): the most events
PID=$(sqlite3 "$DB" "SELECT i.person_id FROM identity i JOIN identity_ref r ON r.identity_id = i.id
  JOIN person_mention m ON m.agency = r.agency AND m.person_ref = r.person_ref WHERE i.is_child = 1
  AND i.display_name = 'Ava Wilson' GROUP BY i.id ORDER BY count(DISTINCT m.event_id) DESC LIMIT 1")
ok $([ -n "$PID" ]; echo $?) "the demo has Ava Wilson ($PID)"
ok $([ "$(sqlite3 "$DB" "SELECT count(*) FROM analysis_doc WHERE name = 'analysis:stats'")" = 1 ]; echo $?) \
  "the analysis stored its counts with its run"

"$JD" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$SCRATCH/port" 2>"$SCRATCH/serve.log" &
SPID=$!
trap 'kill -TERM $SPID 2>/dev/null; wait $SPID 2>/dev/null; rm -rf "$SCRATCH"' EXIT
for _ in $(seq 1 200); do [ -s "$SCRATCH/port" ] && break; sleep 0.1; done
B="http://127.0.0.1:$(cat "$SCRATCH/port")"
login() {
  curl -s -c "$SCRATCH/$1.jar" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"password-of-$1-1\"}" "$B/api/login" >/dev/null
}
as() { local r=$1; shift; curl -s -b "$SCRATCH/$r.jar" "$@"; }
login analyst; login board

# ---- the board's counts: stored by the run, equal to a full count ----
"$JD" analyse --db "$DB" --no-save > "$SCRATCH/full.txt" 2>&1
read -r due held < <(sed -n 's/.*returns from missing: \([0-9]*\) due an interview, \([0-9]*\) interviewed.*/\1 \2/p' "$SCRATCH/full.txt")
read -r disclosed recorded < <(sed -n 's/.*offences disclosed: \([0-9]*\), with a crime recorded: \([0-9]*\).*/\1 \2/p' "$SCRATCH/full.txt")
as board "$B/api/dashboard" > "$SCRATCH/dash.json"
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
r=d["return_interviews"]; c=d["disclosed_vs_recorded"]
print(r["returns"], r["within_72_hours"], c["offences_disclosed"], c["crimes_recorded"])' "$SCRATCH/dash.json")
is "$got" "$due $held $disclosed $recorded" "the dashboard's returns and crimes equal a full count ($got)"
ok $([ "${due:-0}" -gt 0 ]; echo $?) "the demo has returns from missing to count ($due)"

# ---- the alert queue: every alert once, in order, totals as stored ----
python3 - "$B" "$SCRATCH/analyst.jar" "$DB" > "$SCRATCH/queue.txt" <<'PY'
import http.cookiejar, json, sqlite3, sys, urllib.request
base, jar, db = sys.argv[1], sys.argv[2], sys.argv[3]
cj = http.cookiejar.MozillaCookieJar(jar); cj.load(ignore_discard=True, ignore_expires=True)
op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cj))
def get(q): return json.load(op.open(base + '/api/alerts?' + q))
con = sqlite3.connect(db)
stored = con.execute('SELECT count(*) FROM alert').fetchone()[0]
rank = {'low': 1, 'medium': 2, 'high': 3, 'critical': 4}
for sort in ('newest', 'oldest', 'level', 'name'):
    seen, off, total = [], 0, None
    while True:
        page = get('sort=%s&limit=37&offset=%d' % (sort, off))
        total = page['total']
        seen += page['alerts']
        off += 37
        if off >= total: break
    ids = [a['id'] for a in seen]
    ok = len(ids) == total == stored and len(set(ids)) == len(ids)
    if sort == 'newest': ok = ok and all(ids and seen[i]['raised_at'] >= seen[i + 1]['raised_at'] for i in range(len(seen) - 1))
    if sort == 'oldest': ok = ok and all(seen[i]['raised_at'] <= seen[i + 1]['raised_at'] for i in range(len(seen) - 1))
    if sort == 'level': ok = ok and all(rank.get(seen[i]['level'], 0) >= rank.get(seen[i + 1]['level'], 0) for i in range(len(seen) - 1))
    if sort == 'name': ok = ok and all(seen[i]['subject_name'].lower() <= seen[i + 1]['subject_name'].lower() for i in range(len(seen) - 1) if seen[i]['subject_name'] and seen[i + 1]['subject_name'])
    print('queue', sort, 'ok' if ok else 'bad', len(ids), total, stored)
for kind, level in con.execute('SELECT kind, level FROM alert GROUP BY kind, level'):
    n = con.execute('SELECT count(*) FROM alert WHERE kind = ? AND level = ?', (kind, level)).fetchone()[0]
    t = get('kind=%s&level=%s&limit=1' % (kind, level))['total']
    print('filter', kind, level, 'ok' if n == t else 'bad', n, t)
beyond = get('offset=100000')
print('beyond', 'ok' if beyond['alerts'] == [] and beyond['total'] == stored else 'bad')
PY
while read -r what a b c rest; do
  case $what in
    queue) is "$b" ok "the alert queue sorted by $a walks every alert once, in order ($c $rest)";;
    filter) is "$c" ok "kind $a, level $b: the queue's total is the store's count ($rest)";;
    beyond) is "$a" ok "a page past the end is empty, with the total";;
  esac
done < "$SCRATCH/queue.txt"
ok $([ "$(grep -c '^queue' "$SCRATCH/queue.txt")" = 4 ]; echo $?) "the queue was read in its 4 orders"

# ---- search: a prefix, an id in lower case, a ref ----
hit() { as analyst "$B/api/search?q=$1" | python3 -c 'import json,sys; print(" ".join(r["person_id"] for r in json.load(sys.stdin)["results"]))'; }
ok $(hit "Wils" | grep -qw "$PID"; echo $?) "search by the prefix 'Wils' finds Ava Wilson"
ok $(hit "ava%20wil" | grep -qw "$PID"; echo $?) "search by 'ava wil' finds her"
lower=$(echo "$PID" | tr 'A-Z' 'a-z')
is "$(hit "$lower" | cut -d' ' -f1)" "$PID" "search by her id in lower case finds her first"
REF=$(sqlite3 "$DB" "SELECT r.agency || ':' || r.person_ref FROM identity_ref r JOIN identity i ON i.id = r.identity_id WHERE i.person_id = '$PID' LIMIT 1")
is "$(hit "$REF" | cut -d' ' -f1)" "$PID" "search by her ref $REF finds her first"

# ---- reads while another process holds a write transaction ----
before=$(sqlite3 "$DB-audit" "SELECT count(*) FROM audit_log WHERE action IN ('view', 'search')")
python3 - "$DB" "$SCRATCH/locked" <<'PY' &
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
con.execute('BEGIN IMMEDIATE')
con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('test_reads_lock', 'held')")
open(sys.argv[2], 'w').close()
time.sleep(3)
con.execute('COMMIT')
PY
WPID=$!
for _ in $(seq 1 100); do [ -e "$SCRATCH/locked" ] && break; sleep 0.05; done
ok $([ -e "$SCRATCH/locked" ]; echo $?) "another process holds a write transaction"
for u in "/api/alerts?limit=5" "/api/persons/$PID/summary?reason=under%20a%20write" \
         "/api/persons/$PID/chronology?reason=under%20a%20write&limit=50&order=newest" "/api/search?q=Wilson"; do
  code=$(as analyst -o /dev/null -w '%{http_code}' "$B$u")
  is "$code" 200 "GET ${u%%\?*} answers 200 while the store is being written"
done
wait $WPID
after=$(sqlite3 "$DB-audit" "SELECT count(*) FROM audit_log WHERE action IN ('view', 'search')")
is "$((after - before))" 4 "the 4 views made during the write are in the audit log"
done_testing
