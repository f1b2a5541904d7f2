#!/usr/bin/env bash
# Hardening of `joindots serve` from the red-team run (issue 19): the web
# audit fails closed (items 2, 3); the board never receives a person id (4);
# need-to-know on current identities (5); slowloris (6); throttling instead
# of lock-out (7); raising a concern only from a visible alert (9); rate
# limit slots that never collide (12); Host and Content-Type checks (13);
# network alerts redacted to what an agency knows; 404 for both unknown and
# not-allowed persons. Loopback only (127.0.0.x source addresses); every
# attack loop is bounded and stops itself.
# Usage: test_serve_sec.sh JOINDOTS SOURCE_ROOT
JD=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
scratch

"$JD" demo --dir "$SCRATCH/demo" >/dev/null 2>&1
DB=$(store_adopt "$SCRATCH/demo/joindots.db" s)
python3 "$SRC/tests/integration/make_web_bundle.py" "$SCRATCH/zq" 50
"$JD" ingest --db "$DB" --quiet "$SCRATCH/zq" >/dev/null 2>&1
"$JD" resolve --db "$DB" >/dev/null 2>&1 && "$JD" analyse --db "$DB" >/dev/null 2>&1 &&
  "$JD" concern run --db "$DB" >/dev/null 2>&1
is $? 0 "data: demo, resolve, analyse, concern run"
add() { echo "password-of-$1-1" | "$JD" user add --db "$DB" --role "$2" ${3:+--agency "$3"} --password-stdin "$1" 2>/dev/null; }
add practitioner practitioner csc; add analyst analyst; add manager manager csc; add board board
add auditor auditor; add admin admin; add schoolp practitioner school; add outsider practitioner nowhere

start() { # extra serve options...
  rm -f "$SCRATCH/port"
  "$JD" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$SCRATCH/port" "$@" 2>>"$SCRATCH/serve.log" &
  SPID=$!
  PORT=$(wait_port "$SCRATCH/port" "$SPID"); B="http://127.0.0.1:$PORT"
}
stop() { kill -TERM "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }
# JD_LIVE_TEST_HOLD_SWAP: the convoy's swap is held built until the search waits (below)
JD_LIVE_TEST_HOLD_SWAP="$SCRATCH/swaphold" start --request-deadline 3
[ -n "$PORT" ]; is $? 0 "serve starts"

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
J='Content-Type: application/json'
login() { # USER [ADDR] -> $SCRATCH/USER.jar and .csrf
  curl -s --interface "${2:-127.0.0.1}" -c "$SCRATCH/$1.jar" -H "$J" \
    -d "{\"username\":\"$1\",\"password\":\"password-of-$1-1\"}" "$B/api/login" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])' > "$SCRATCH/$1.csrf" 2>/dev/null
}
as() { local u=$1; shift; curl -s -b "$SCRATCH/$u.jar" "$@"; }
asc() { local u=$1; shift; curl -s -o /dev/null -w '%{http_code}' -b "$SCRATCH/$u.jar" "$@"; }
jpost() { local u=$1 p=$2 d=$3; curl -s -b "$SCRATCH/$u.jar" -H "$J" -H "X-CSRF-Token: $(cat "$SCRATCH/$u.csrf")" -d "$d" "$B$p"; }
post() { local u=$1 p=$2 d=$3; curl -s -o /dev/null -w '%{http_code}' -b "$SCRATCH/$u.jar" -H "$J" \
  -H "X-CSRF-Token: $(cat "$SCRATCH/$u.csrf")" -d "$d" "$B$p"; }
for u in practitioner analyst manager board auditor admin schoolp outsider; do login $u; done
[ -s "$SCRATCH/board.csrf" ] && [ -s "$SCRATCH/schoolp.csrf" ]; is $? 0 "every account logs in"
ZQ=$(as analyst "$B/api/search?q=Zara%20Quill" | python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["person_id"])')
ZREC=$(db_query "$DB" "SELECT record_id FROM person_mention WHERE agency = 'csc' AND person_ref = 'C-ZQ1' LIMIT 1")
RECS="\"records\":[{\"agency\":\"csc\",\"record_id\":\"$ZREC\"}]"
long() { python3 -c "import sys; print('x' * int(sys.argv[1]))" "$1"; }
rows() { audit_query "$DB" "SELECT count(*) FROM audit_log WHERE $1"; }

# ---- item 13: Host header and strict Content-Type ----
is "$(code -H 'Host: evil.example' "$B/api/me")" 421 "Host: evil.example is refused (421)"
is "$(code -H 'Host: evil.example' -H 'Origin: http://evil.example' -H "$J" \
  -d '{"username":"analyst","password":"password-of-analyst-1"}' "$B/api/login")" 421 \
  "a login through a rebound DNS name (Host and Origin evil.example) is refused (421)"
is "$(code -H 'Host: evil.example' "$B/")" 421 "static pages too"
is "$(code -H "Host: localhost:$PORT" "$B/api/me")" 401 "Host: localhost:PORT is this server (401: log in)"
is "$(code -H "Host: 127.0.0.1:1" "$B/api/me")" 421 "the right host with another port is refused"
is "$(code -H 'Content-Type: application/jsonfoo' -d '{"username":"analyst","password":"password-of-analyst-1"}' "$B/api/login")" 415 \
  "Content-Type application/jsonfoo is refused (415)"
is "$(code -H 'Content-Type: application/json; charset=latin1' -d '{"username":"analyst","password":"password-of-analyst-1"}' "$B/api/login")" 415 \
  "application/json; charset=latin1 is refused (415)"
is "$(code -H 'Content-Type: application/json; charset=UTF-8' -d '{"username":"analyst","password":"password-of-analyst-1"}' "$B/api/login")" 200 \
  "application/json; charset=UTF-8 is accepted"

# ---- item 2: the audit fails closed; long texts are audited in full ----
CID=$(jpost practitioner /api/concerns "{\"kind\":\"child\",\"subject\":\"$ZQ\",\"title\":\"t\",$RECS,\"why\":\"$(long 3000)\"}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
[ -n "$CID" ]; is $? 0 "a concern raised with a 3,000-byte reason"
is "$(rows "action = 'concern.raise' AND ok = 1 AND length(reason) = 3000")" 1 "its audit row holds the whole reason"
is "$(post practitioner "/api/concerns/$CID/comment" "{\"text\":\"$(long 4000)\"}")" 200 "a 4,000-byte comment"
is "$(rows "action = 'concern.comment' AND ok = 1 AND length(reason) = 4000 AND target = 'concern:$CID'")" 1 \
  "is audited in full"
is "$(post practitioner "/api/concerns/$CID/comment" "{\"text\":\"$(long 4001)\"}")" 400 "a 4,001-byte comment is refused first (400)"
is "$(rows "action = 'concern.comment' AND length(reason) > 4000")" 0 "and neither stored nor audited"
is "$(post practitioner "/api/concerns/$CID/close" "{\"reason_code\":\"safe\",\"text\":\"$(long 2500)\"}")" 200 "a close with a 2,500-byte note"
is "$(rows "action = 'concern.close' AND ok = 1 AND length(reason) = 2500")" 1 "is audited in full"
# The database locked beyond the busy timeout: nothing is shown. (A fresh
# session: its once-a-minute touch is not what fails.)
login practitioner
# A writer's hold on the audit log (or the store) is waited for and ended by
# events, not by fixed sleeps, so that a slow machine changes no outcome:
# MARKER exists exactly while the lock is held (made once it is taken,
# removed before it is let go), so `[ -e MARKER ]` read right after an
# observation says the lock was held when it was made.
hold_store() { # CAP MARKER [FILE]: a writer holds FILE (LPID) until release_store MARKER,
  # or CAP seconds of wall time at most; FILE is the audit log's on SQLite
  # (STORE-audit) unless given: the store itself
  rm -f "$2" "$2.release"
  if on_pg; then # the audit head locked as a writer would hold it
    printf 'BEGIN;\nLOCK TABLE audit_head IN EXCLUSIVE MODE;\n\\! touch %s\n\\! timeout %s sh -c %s\n\\! rm -f %s\nROLLBACK;\n' \
      "$2" "$1" "'until [ -e $2.release ]; do sleep 0.05; done'" "$2" | psql -X -q -d "$DB" -f - >/dev/null &
  else
    python3 - "${3:-$DB-audit}" "$2" "$1" <<'PY' &
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
c.execute('BEGIN IMMEDIATE')
open(sys.argv[2], 'w').close()
end = time.monotonic() + float(sys.argv[3])
while time.monotonic() < end and not os.path.exists(sys.argv[2] + '.release'):
    time.sleep(0.05)
os.unlink(sys.argv[2])
c.execute('ROLLBACK')
PY
  fi
  LPID=$!
  # the lock taken (at most 60 s), or the holder gone
  for _ in $(seq 1 600); do [ -e "$2" ] || ! kill -0 "$LPID" 2>/dev/null && break; sleep 0.1; done
}
release_store() { touch "$1.release"; wait "$LPID"; } # MARKER
# Held until the answer (at most 60 s), however long the server takes to give up.
hold_store 60 "$SCRATCH/locked"
as practitioner --max-time 50 -w '\n%{http_code}' "$B/api/persons/$ZQ?reason=locked%20store" > "$SCRATCH/locked.out"
[ -e "$SCRATCH/locked" ]; held=$?
release_store "$SCRATCH/locked"
is $held 0 "(the audit log was held until the answer came)"
is "$(tail -1 "$SCRATCH/locked.out")" 503 "with the audit log locked past its busy timeout a chronology is refused (503)"
grep -q '"events"' "$SCRATCH/locked.out"; is $? 1 "and no event is sent"
grep -q 'audit_unavailable' "$SCRATCH/locked.out"; is $? 0 "the error says the audit log is unavailable"
is "$(asc practitioner "$B/api/persons/$ZQ?reason=after%20the%20lock")" 200 "once the lock is gone it is served again"

# ---- the audit's group commit (issue 17): no answer before its row is committed ----
# A writer holds the audit log (let go 2 s after the searches are sent, at
# most 9 s after it took it: under the 10 s busy timeout): 8 searches sent
# meanwhile wait, one request writing the rows waiting and the others
# queued behind it; none is answered while no row can be committed, then
# all are, each with its own row, the chain intact.
hold_store 9 "$SCRATCH/glocked"
GPIDS=()
for i in 1 2 3 4 5 6 7 8; do
  as analyst -o /dev/null -w '%{http_code}' "$B/api/search?q=Groupcommit$i" > "$SCRATCH/g$i.code" &
  GPIDS+=($!)
done
sleep 2
got=$(cat "$SCRATCH"/g?.code | tr -d '\n'); [ -e "$SCRATCH/glocked" ]; held=$?
is $held 0 "(the audit log was still held when their answers were read)"
is "$got" "" "no search is answered while its audit row cannot be committed"
release_store "$SCRATCH/glocked"
wait "${GPIDS[@]}"
is "$(cat "$SCRATCH"/g?.code | tr -d '\n')" 200200200200200200200200 "once the writer is gone all 8 are answered"
is "$(rows "action = 'search' AND ok = 1 AND target LIKE 'query:Groupcommit_'")" 8 "each with its own row"
"$JD" audit verify --db "$DB" >"$SCRATCH/g.verify" 2>&1
is $? 0 "the chain is intact after the rows written together"

# ---- issue 17: a read beside a long write on the store is served and audited ----
# A feed's ingest or save holds the store's one writer for seconds; a read's
# audit row goes to the audit log's own file (SQLite, store/sqlite_audit.c),
# so it neither waits for that writer nor is refused (503) after the busy
# limit. (PostgreSQL: its rows lock audit_head, not the store; not held here.)
if ! on_pg; then
  hold_store 60 "$SCRATCH/flocked" "$DB" # until the answers (at most 60 s)
  FPIDS=()
  for i in 1 2 3 4; do
    as analyst --max-time 50 -o /dev/null -w '%{http_code}' "$B/api/search?q=Beside$i" > "$SCRATCH/f$i.code" &
    FPIDS+=($!)
  done
  wait "${FPIDS[@]}"
  [ -e "$SCRATCH/flocked" ]; is $? 0 "(the store's writer still holds it)"
  is "$(cat "$SCRATCH"/f?.code | tr -d '\n')" 200200200200 "4 searches are answered while a writer holds the store"
  is "$(rows "action = 'search' AND ok = 1 AND target LIKE 'query:Beside_'")" 4 "each with its audit row"
  release_store "$SCRATCH/flocked"
  "$JD" audit verify --db "$DB" >"$SCRATCH/f.verify" 2>&1
  is $? 0 "the chain is intact ($(cat "$SCRATCH/f.verify"))"
fi

# ---- issue 17: a read waiting for its audit commit holds no swap (the convoy) ----
# A search whose audit row cannot be committed yet (the audit log held)
# must not hold idx_lock meanwhile: the live thread's swap after a
# resolve, and every request behind it, would wait for it (the lock prefers
# writers). Base: the swap waits for the search until the hold ends, and
# /api/me behind it. The resolve and the new index's build come first, the
# swap held built (JD_LIVE_TEST_HOLD_SWAP) until the search waits: inside
# the hold there is only the swap, however slow the machine. The hold ends
# at most 9 s after it began: under the audit file's 10 s busy timeout.
touch "$SCRATCH/swaphold"
nheld=$(grep -c 'test: held before the swap' "$SCRATCH/serve.log")
nswap=$(grep -c 'joindots serve: reloaded' "$SCRATCH/serve.log")
"$JD" resolve --db "$DB" >/dev/null 2>&1
for _ in $(seq 1 1200); do # its check every second, then the build (at most 120 s)
  [ "$(grep -c 'test: held before the swap' "$SCRATCH/serve.log")" -gt "$nheld" ] && break; sleep 0.1
done
[ "$(grep -c 'test: held before the swap' "$SCRATCH/serve.log")" -gt "$nheld" ]
is $? 0 "(after a resolve the live thread has built its new index and waits to swap it in)"
hold_store 9 "$SCRATCH/clocked"
as analyst -o /dev/null -w '%{http_code}' "$B/api/search?q=Convoyread" > "$SCRATCH/c1.code" &
CPID=$!
sleep 1 # the search reaches its audit commit
rm -f "$SCRATCH/swaphold"
swapped() { [ "$(grep -c 'joindots serve: reloaded' "$SCRATCH/serve.log")" -gt "$nswap" ]; }
# the swap done (it takes the lock and moves pointers), or 2-3 s: then (base)
# it waits for the search, and /api/me behind it until its 3 s limit, all
# within the hold
end=$((SECONDS + 3))
while ! swapped && [ -e "$SCRATCH/clocked" ] && [ $SECONDS -lt $end ]; do sleep 0.05; done
swapped; sw=$?
me=$(asc analyst -m 3 "$B/api/me")
c1=$(cat "$SCRATCH/c1.code")
[ -e "$SCRATCH/clocked" ]; held=$?
is $held 0 "(the audit log was still held when the swap, the request and the search were seen)"
is $sw 0 "the live thread swaps its index while a search waits for its audit commit"
is "$me" 200 "and another request is answered meanwhile"
is "$c1" "" "the search is not answered before its audit row is committed"
release_store "$SCRATCH/clocked"; wait $CPID
is "$(cat "$SCRATCH/c1.code")" 200 "once the audit log is free the search is answered"
is "$(rows "action = 'search' AND ok = 1 AND target = 'query:Convoyread'")" 1 "with its audit row"

# ---- item 3: invalid UTF-8 never hides an audit row ----
is "$(asc practitioner "$B/api/persons/$ZQ?reason=%ff%fereview")" 200 "a reason with invalid UTF-8"
SEQ=$(audit_query "$DB" "SELECT max(seq) FROM audit_log")
as auditor "$B/api/audit?after=$((SEQ - 20))" > "$SCRATCH/audit.json"
python3 - "$SCRATCH/audit.json" "$SEQ" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))['entries']
seqs = [x['seq'] for x in e]
assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), 'a row is missing'
assert seqs[-1] >= int(sys.argv[2]), seqs[-1]
assert any(x['reason'] == '\ufffd\ufffdreview' for x in e), [x['reason'] for x in e]
PY
is $? 0 "the auditor sees every row, the bad bytes shown as U+FFFD"

# ---- item 4: the board never receives a person id ----
as analyst "$B/api/agenda" | grep -q 'auto:network:exploitation_network:N'
is $? 0 "the agenda holds an item whose concern id names a person (precondition)"
BID=$(as board "$B/api/agenda" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
{
  as board "$B/api/me"; as board "$B/api/dashboard"; as board "$B/api/agenda"
  jpost board "/api/concerns/$BID/decide" '{"decision":"x"}'
  jpost board "/api/concerns/auto:child:$ZQ/decide" '{"decision":"x","decision_maker":"y","text":"z"}'
  jpost board "/api/concerns/B-00000000000000000000000000000000/decide" '{"decision":"x","decision_maker":"y","text":"z"}'
  for p in /api/alerts /api/search?q=a "/api/persons/$ZQ?reason=x" /api/concerns /api/network; do as board "$B$p"; done
  jpost board "/api/concerns/$BID/decide" '{"decision":"problem profile","decision_maker":"Chair","text":"reasons"}'
  as board "$B/api/agenda"
} > "$SCRATCH/board.txt"
grep -oE 'P[0-9]{6}|auto:[a-z_:]+' "$SCRATCH/board.txt" | head -3 | sed 's/^/# leaked: /'
grep -qE 'P[0-9]{6}|auto:' "$SCRATCH/board.txt"
is $? 1 "no board-reachable response holds a person id or a concern id ($(wc -c <"$SCRATCH/board.txt") bytes scanned)"
grep -q '"ok":true' "$SCRATCH/board.txt"; is $? 0 "the board still decides on its item by its opaque id"
is "$(post board "/api/concerns/auto:child:$ZQ/decide" '{"decision":"x","decision_maker":"y","text":"z"}')" 404 \
  "a concern id instead of a board id is not found (404)"

# ---- item 5: need-to-know on current identities ----
# A second server whose live thread waits 10 minutes between checks keeps
# the index it loaded (stale after the resolve below): its requests must
# decide need-to-know from the store's identities as they are now.
B1=$B SPID1=$SPID PORT1=$PORT
JD_LIVE_CHECK_MS=600000 start --request-deadline 3
BS=$B SPIDS=$SPID B=$B1 SPID=$SPID1 PORT=$PORT1
[ -n "$BS" ] && [ "$BS" != "$B" ]; is $? 0 "a second server (stale index) starts"
SREF=$(db_query "$DB" "SELECT r.person_ref FROM identity_ref r JOIN identity i ON i.id = r.identity_id WHERE i.person_id = 'P000005' AND r.agency = 'school' LIMIT 1")
is "$(asc schoolp "$B/api/persons/P000005?reason=pastoral")" 200 "the school practitioner opens P000005 (school ref $SREF)"
is "$(asc schoolp "$BS/api/persons/P000005?reason=pastoral")" 200 "so does the second server"
as schoolp "$BS/api/search?q=P000005" | grep -q '"P000005"'
is $? 0 "and finds it in a search there"
db_query "$DB" "SELECT r.agency || ' ' || r.person_ref FROM identity_ref r JOIN identity i ON i.id = r.identity_id WHERE i.person_id = 'P000005' AND r.agency <> 'school'" |
while read -r ag ref; do
  "$JD" link reject --db "$DB" --reason "not the same child" --user tester "school:$SREF" "$ag:$ref" >/dev/null 2>&1
done
"$JD" resolve --db "$DB" >/dev/null 2>&1
is "$(db_query "$DB" "SELECT i.person_id FROM identity_ref r JOIN identity i ON i.id = r.identity_id WHERE r.agency = 'school' AND r.person_ref = '$SREF'")" \
  "$(db_query "$DB" "SELECT i.person_id FROM identity_ref r JOIN identity i ON i.id = r.identity_id WHERE r.agency = 'school' AND r.person_ref = '$SREF' AND i.person_id <> 'P000005'")" \
  "after link reject and resolve the school's ref is no longer P000005's (precondition)"
is "$(asc schoolp "$B/api/persons/P000005?reason=pastoral")" 404 "the school practitioner is refused P000005 without a restart"
as schoolp "$B/api/search?q=P000005" | grep -q '"P000005"'
is $? 1 "nor finds it in a search"
is "$(asc practitioner "$B/api/persons/P000005?reason=case%20work")" 200 "csc, which still knows P000005, opens it"
NEWP=$(db_query "$DB" "SELECT i.person_id FROM identity_ref r JOIN identity i ON i.id = r.identity_id WHERE r.agency = 'school' AND r.person_ref = '$SREF'")
# the stale server: its index still gives P000005 the school ref and knows no $NEWP
as analyst "$BS/api/search?q=$NEWP" | grep -q "\"$NEWP\""
is $? 1 "the second server's index is stale: no $NEWP in its search (precondition)"
is "$(asc schoolp "$BS/api/persons/P000005?reason=pastoral")" 404 "stale index: the school practitioner is refused P000005"
as schoolp "$BS/api/persons/P000005/summary?reason=pastoral" -w ' %{http_code}' | grep -q ' 404$'
is $? 0 "and its summary"
as schoolp "$BS/api/search?q=P000005" | grep -q '"P000005"'
is $? 1 "nor finds it in a search"
as schoolp "$BS/api/search?q=school:$SREF" | grep -q '"P000005"'
is $? 1 "nor by the school's own ref (matched in the stale index)"
is "$(asc practitioner "$BS/api/persons/P000005?reason=case%20work")" 200 "stale index: csc, which still knows P000005, opens it"
as practitioner "$BS/api/persons/P000005?reason=case%20work" | python3 -c '
import json, sys
refs = [(r["agency"], r["person_ref"]) for r in json.load(sys.stdin)["refs"]]
sys.exit(0 if refs and ("school", sys.argv[1]) not in refs else 1)' "$SREF"
is $? 0 "with its current refs (no school ref $SREF)"
is "$(asc schoolp "$BS/api/persons/$NEWP?reason=pastoral")" 200 "stale index: the school practitioner opens $NEWP, which holds its ref now"
is "$(asc schoolp "$BS/api/persons/school:$SREF?reason=pastoral")" 200 "and by its ref"
is "$(asc outsider "$BS/api/persons/$NEWP?reason=x")" 404 "stale index: another agency is refused $NEWP"
is "$(asc schoolp "$BS/api/persons/P999999?reason=x")" 404 "stale index: an unknown id is 404"
is "$(asc schoolp "$BS/api/persons/U:school:nosuchref?reason=x")" 404 "stale index: an unknown unresolved id is 404"
kill -TERM "$SPIDS" 2>/dev/null; wait "$SPIDS" 2>/dev/null

# ---- smaller: 404 either way; network alerts redacted ----
as practitioner -w ' %{http_code}' "$B/api/persons/P999999?reason=guess" > "$SCRATCH/nf.txt"
VV=$(as analyst "$B/api/search?q=Victor%20Vole" | python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["person_id"])')
as practitioner -w ' %{http_code}' "$B/api/persons/$VV?reason=guess" > "$SCRATCH/na.txt"
cmp -s "$SCRATCH/nf.txt" "$SCRATCH/na.txt" && grep -q ' 404$' "$SCRATCH/nf.txt"
is $? 0 "an unknown person id and one not known to the agency get the same 404"
as practitioner "$B/api/alerts?kind=exploitation_network" > "$SCRATCH/net.json"
python3 - "$SCRATCH/net.json" <<'PY'
import json, sys
al = json.load(open(sys.argv[1]))['alerts']
assert al, 'no network alert for csc (precondition)'
for a in al:
    for m in a['members']:
        if 'person_id' in m:
            assert any(r['agency'] == 'csc' for r in m['refs']), m['person_id']
        else:
            assert m.get('known_to_your_agency') is False and 'refs' not in m, m
    assert all(r['agency'] == 'csc' for r in a.get('records', [])), 'records of other agencies'
    assert any('person_id' not in m for m in a['members']), 'nothing redacted (precondition)'
PY
is $? 0 "a network alert shows a csc practitioner only members and records csc knows"

# ---- item 9: a concern only from an alert the caller may see ----
NA=$(as analyst "$B/api/alerts?kind=exploitation_network" | python3 -c 'import json,sys; print(json.load(sys.stdin)["alerts"][0]["id"])')
as outsider -w ' %{http_code}' -H "$J" -H "X-CSRF-Token: $(cat "$SCRATCH/outsider.csrf")" \
  -d "{\"from_alert\":\"$NA\",\"kind\":\"pattern\",\"subject\":\"x\"}" "$B/api/concerns" > "$SCRATCH/fa1.txt"
as outsider -w ' %{http_code}' -H "$J" -H "X-CSRF-Token: $(cat "$SCRATCH/outsider.csrf")" \
  -d '{"from_alert":"no-such-alert","kind":"pattern","subject":"x"}' "$B/api/concerns" > "$SCRATCH/fa2.txt"
grep -q ' 404$' "$SCRATCH/fa1.txt"; is $? 0 "raising a concern from an alert the caller may not see is refused (404)"
cmp -s "$SCRATCH/fa1.txt" "$SCRATCH/fa2.txt"; is $? 0 "with the same answer as for an alert that does not exist"
is "$(rows "action = 'concern.raise' AND ok = 1 AND actor = 'outsider'")" 0 "and nothing was raised"

# ---- item 12: rate-limit entries keyed by the full address ----
read -r A1 A2 < <(python3 - <<'PY'
def fnv(s):
    h = 2166136261
    for ch in s.encode():
        h = ((h ^ ch) * 16777619) & 0xffffffff
    return h % 256
seen = {}
for i in range(10, 250):
    a = '127.0.0.%d' % i
    if fnv(a) in seen:
        print(seen[fnv(a)], a); break
    seen[fnv(a)] = a
PY
)
# 20 failures a minute per address; up to 45 rounds (90 logins) so that a
# minute turning over part-way still reaches the limit; stops at the first 429.
got=0 n=0
for i in $(seq 1 45); do
  for a in $A1 $A2; do
    n=$((n + 1))
    c=$(code --interface "$a" -H "$J" -d "{\"username\":\"nobody$i\",\"password\":\"whatever-it-is\"}" "$B/api/login")
    [ "$c" = 429 ] && got=1
  done
  [ $got = 1 ] && break
done
is $got 1 "failed logins alternating from $A1 and $A2 (one slot before) reach 429 (after $n)"

# ---- item 7: throttling, never a lock-out ----
C2=$(jpost practitioner /api/concerns "{\"kind\":\"child\",\"subject\":\"$ZQ\",\"level\":\"high\",\"title\":\"t\",$RECS}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
n=0
for i in 1 2 3 4 5 6; do
  n=$i
  c=$(post practitioner "/api/concerns/$C2/close" '{"reason_code":"safe","text":"x","signoff_username":"manager","signoff_password":"not-the-password"}')
  [ "$c" = 429 ] && break
done
is "$(post practitioner "/api/concerns/$C2/close" '{"reason_code":"safe","text":"x","signoff_username":"manager","signoff_password":"password-of-manager-1"}')" 429 \
  "after three wrong sign-off passwords (429 at try $n) even the right one waits, from that address (429)"
is "$(code --interface 127.0.0.3 -H "$J" -d '{"username":"manager","password":"password-of-manager-1"}' "$B/api/login")" 200 \
  "the manager still logs in from their own address (no lock-out)"
is "$(db_query "$DB" "SELECT locked_until FROM account WHERE username = 'manager'")" 0 "the account was never locked"
as admin "$B/api/throttle" | python3 -c 'import json,sys; e=json.load(sys.stdin)["entries"]; sys.exit(0 if any(x["username"]=="manager" and x["address"]=="127.0.0.1" and x["failures"]>=3 for x in e) else 1)'
is $? 0 "an admin sees the throttle on manager@127.0.0.1"
is "$(asc practitioner "$B/api/throttle")" 403 "a practitioner does not"
login manager 127.0.0.3
jpost manager /api/throttle/clear '{"username":"manager","why":"my own sign-off was blocked"}' | grep -q '"cleared":[1-9]'
is $? 0 "a manager clears it"
is "$(rows "action = 'throttle.clear' AND actor = 'manager'")" 1 "the clearing is audited"
is "$(post practitioner "/api/concerns/$C2/close" '{"reason_code":"safe","text":"placed with her aunt","signoff_username":"manager","signoff_password":"password-of-manager-1"}')" 200 \
  "then the sign-off from that address works"
: > "$SCRATCH/base.txt"
for i in 1 2 3; do
  curl -s --interface 127.0.0.4 -o /dev/null -w '%{http_code} %{time_total}\n' -H "$J" \
    -d '{"username":"manager","password":"password-of-manager-1"}' "$B/api/login" >> "$SCRATCH/base.txt"
done
# Rerun of the attack: wrong passwords for the manager from one address,
# as fast as curl goes, while the manager logs in from another.
N_BAD0=$(rows "action = 'login' AND target = 'account:manager' AND detail LIKE 'denied: bad password%'")
python3 - "$PORT" > "$SCRATCH/attack.txt" <<'PY' &
import http.client, json, sys, time
c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=10)
codes = {}
t0 = time.time()
for i in range(300):  # bounded: 300 guesses over one keep-alive connection
    c.request('POST', '/api/login', json.dumps({'username': 'manager', 'password': 'wrong-password-%d' % i}),
              {'Content-Type': 'application/json'})
    r = c.getresponse(); r.read()
    codes[r.status] = codes.get(r.status, 0) + 1
print(' '.join('%d:%d' % kv for kv in sorted(codes.items())), 'in %.1f s' % (time.time() - t0))
PY
APID=$!
sleep 0.5
: > "$SCRATCH/lat.txt"
for i in 1 2 3 4 5; do
  curl -s --interface 127.0.0.4 -o /dev/null -w '%{http_code} %{time_total}\n' -H "$J" \
    -d '{"username":"manager","password":"password-of-manager-1"}' "$B/api/login" >> "$SCRATCH/lat.txt"
  curl -s --interface 127.0.0.4 -o /dev/null -w 'me %{time_total}\n' -b "$SCRATCH/analyst.jar" "$B/api/me" >> "$SCRATCH/lat.txt"
done
wait $APID
echo "# the attack (status:count): $(cat "$SCRATCH/attack.txt")"
sed 's/^/# during the login attack: /' "$SCRATCH/lat.txt"
N_BAD=$(( $(rows "action = 'login' AND target = 'account:manager' AND detail LIKE 'denied: bad password%'") - N_BAD0 ))
[ "$N_BAD" -le 5 ]; is $? 0 "of the attacker's guesses only $N_BAD had their password checked; the rest were throttled (429)"
python3 - "$SCRATCH/lat.txt" "$SCRATCH/base.txt" <<'PY'
import sys
ls = [l.split() for l in open(sys.argv[1])]
base = [float(t) for c, t in (l.split() for l in open(sys.argv[2])) if c == '200']
logins = [float(t) for c, t in ls if c == '200']
me = [float(t) for c, t in ls if c == 'me']
print('# idle: manager login (argon2id) best %.0f ms; during the attack: logins %d/5, max %.0f ms,'
      ' /api/me max %.0f ms' % (min(base) * 1000, len(logins), max(logins) * 1000, max(me) * 1000))
# A login costs one argon2id hash (64 MiB) whatever happens: its time on a
# shared machine is reported, not tested; the attacker's hashes are counted below.
# JD_TEST_TIME_FACTOR: sanitizer builds run slower (scripts/test-tsan.sh)
factor = float(__import__('os').environ.get('JD_TEST_TIME_FACTOR', '1'))
# Under 1 s, not 100 ms: a starved server makes a request wait for the attack
# (seconds, or curl's 3 s limit); a CI machine running two test processes and
# the sanitizer builds on two cores can take 100 ms for any request.
sys.exit(0 if len(logins) == 5 and max(me) < 1.0 * factor else 1)
PY
is $? 0 "during the attack the manager logs in every time and a normal request takes under 1 s"

# ---- item 6: slowloris ----
# The connections over the limit are counted once the server has refused
# them (its log line each), not after a fixed pause: a slow server may not
# have accepted them all in 0.5 s (still open, counted accepted). A server
# that lets them all in logs no refusal: they are counted after at most
# 10 s, before their 3 s deadline can have closed them only if the server
# accepts them late (then the refusals count fails it).
python3 - "$PORT" "$SCRATCH/serve.log" > "$SCRATCH/slow.txt" <<'PY'
import socket, subprocess, sys, time
port = int(sys.argv[1])
def refused():
    with open(sys.argv[2], errors='replace') as f:
        return sum('refused a connection from 127.0.0.1 at the per-address' in l for l in f)
refused0 = refused()
def is_open(s):
    s.settimeout(0.05)
    try:
        return s.recv(1) != b''
    except socket.timeout:
        return True
    except OSError:
        return False
conns = []
for i in range(70):  # 70 slow clients from one address
    s = socket.socket()
    try:
        s.settimeout(2); s.bind(('127.0.0.1', 0)); s.connect(('127.0.0.1', port))
        s.sendall(b'GET /api/me HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n' % port)
        conns.append(s)
    except OSError:
        pass
end = time.time() + 10
while time.time() < end and refused() - refused0 < len(conns) - 8:
    time.sleep(0.05)
nrefused = refused() - refused0
time.sleep(0.1)  # the refused sockets are closed just after their log line
accepted = sum(is_open(s) for s in conns)
lat = []
start = time.time()
while time.time() - start < 6:  # bounded: 6 s of trickling, a header line every 0.5 s
    for s in conns:
        try:
            s.sendall(b'X-a: b\r\n')
        except OSError:
            pass
    r = subprocess.run(['curl', '-s', '--max-time', '3', '--interface', '127.0.0.2', '-o', '/dev/null',
                        '-w', '%{http_code} %{time_total}', 'http://127.0.0.1:%d/api/me' % port],
                       capture_output=True, text=True, timeout=10)
    code, t = r.stdout.split()
    lat.append((code, float(t)))
    time.sleep(0.5)
# the server has closed the trickling connections at its deadline (3 s here)
open_ = sum(is_open(s) for s in conns)
for s in conns:
    s.close()
print('accepted', accepted, 'open_after_6s', open_, 'requests', len(lat),
      'ok', sum(c == '401' for c, _ in lat), 'max_ms', int(max(t for _, t in lat) * 1000),
      'refused', nrefused, 'connected', len(conns))
PY
cat "$SCRATCH/slow.txt" | sed 's/^/# slowloris, 70 slow connections from 127.0.0.1: /'
read -r _ acc _ open_ _ nreq _ nok _ maxms _ nref _ ncon < "$SCRATCH/slow.txt"
[ "${acc:-99}" -le 8 ] && [ "${nref:-0}" -ge $((${ncon:-70} - 8)) ]
is $? 0 "one address holds at most 8 connections ($acc of $ncon accepted, $nref refused)"
# Under 1 s (a blocked server would hit curl's 3 s limit): see the login attack above.
[ "${nok:-0}" = "${nreq:-x}" ] && [ "${maxms:-9999}" -lt $((1000 * ${JD_TEST_TIME_FACTOR:-1})) ]
is $? 0 "meanwhile every normal request from another address is answered in under 1 s ($nok of $nreq, max ${maxms} ms)"
is "${open_:-x}" 0 "trickling connections are closed at the request deadline"

stop

# ---- issue 17: an answered read is in the log after a kill -9 of the server ----
# The group commit answers a read only once its row is committed and, on
# SQLite, fsynced (synchronous = FULL on the audit file; its WAL checkpoint
# runs after the group is answered, jd_audit_checkpoint). SIGKILL right after
# each answer: the row is there, the chain intact, the server starts again.
for i in 1 2 3; do
  start
  c=$(asc analyst "$B/api/search?q=Killnine$i")
  kill -KILL "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null
  is "$c" 200 "search $i answered (then the server is killed with SIGKILL)"
  is "$(rows "action = 'search' AND ok = 1 AND target = 'query:Killnine$i'")" 1 "its audit row is in the log after the kill"
  "$JD" audit verify --db "$DB" >"$SCRATCH/k$i.verify" 2>&1
  is $? 0 "the chain is intact after the kill ($(cat "$SCRATCH/k$i.verify"))"
done
grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$SCRATCH/serve.log" | head -3 | sed 's/^/# /'
grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$SCRATCH/serve.log"
is $? 1 "no memory error reported by the server"
done_testing
