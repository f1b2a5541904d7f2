#!/usr/bin/env bash
# The PostgreSQL store beside the SQLite one (issue 20), on a throwaway
# cluster whose admin location is in JD_TEST_DB (scripts/test-postgres.sh
# starts one; without it this test is skipped, as in a build without a
# PostgreSQL server). Each part works in a database of its own.
#  1. the pipeline (ingest, re-ingest, a corrected row, resolve, analyse,
#     exports, rejects) gives byte-identical output on both backends;
#     1b. issue 19 hygiene: repeated and conflicting keys of one file, a dob
#     after its event, a key corrected by a later file: same counts, same
#     rejects and warnings, same rows as SQLite;
#  2. a password in the location is refused;
#  3. the audit log's guards are triggers (UPDATE, DELETE, TRUNCATE refused);
#  4. two ingests of different feeds at once: no lost row, no duplicate;
#  5. two `joindots serve` processes on one database while an ingest runs;
#     one concern updated through both at once: one wins, the other gets
#     409, the retry succeeds, both comments are in the history;
#  6. `joindots migrate` copies a whole store; `audit verify` passes on both
#     ends; the copy refuses a destination that holds data; a store with an
#     audit key copies with the key configured and its MACs verify (and
#     catch a stripped one) on PostgreSQL.
# Usage: test_postgres.sh JOINDOTS SOURCE_ROOT
JD=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
if [ -z "${JD_TEST_DB:-}" ]; then
  echo "1..0 # SKIP JD_TEST_DB is not set: run scripts/test-postgres.sh"
  exit 0
fi
if ! "$JD" rejects --db "postgresql:///x?host=/nonexistent" 2>&1 | grep -q "connect"; then
  echo "1..0 # SKIP this build has no PostgreSQL backend"
  exit 0
fi
scratch
: >"$SCRATCH/dbs"
command -v psql >/dev/null || { echo "1..0 # SKIP psql missing"; exit 0; }
newdb() { # -> a fresh database's location on the test cluster (names kept in $SCRATCH/dbs)
  local name
  name="jdit_$$_$(wc -l <"$SCRATCH/dbs" | tr -d ' ')"
  echo "$name" >>"$SCRATCH/dbs"
  psql "$JD_TEST_DB" -qAtc "CREATE DATABASE $name" >/dev/null || return 1
  echo "$JD_TEST_DB" | sed "s#:///postgres?#:///$name?#"
}
dropdbs() {
  while read -r name; do
    psql "$JD_TEST_DB" -qAtc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1
  done <"$SCRATCH/dbs"
}
trap 'kill $(jobs -p) 2>/dev/null; dropdbs; rm -rf "$SCRATCH"' EXIT

# ---- 1. the pipeline on both backends ----
"$JD" synth --out "$SCRATCH/c" --seed 11 --children 400 >/dev/null 2>&1
ok $? "synth writes a county"
# a second copy of the county with one event corrected and one row broken
cp -r "$SCRATCH/c" "$SCRATCH/c2"
python3 - "$SCRATCH/c2/events_police.csv" <<'PY'
import csv, sys
p = sys.argv[1]
rows = list(csv.reader(open(p, newline='', encoding='utf-8')))
h = [x.strip().lower() for x in rows[0]]
i = h.index('narrative') if 'narrative' in h else len(h) - 1
rows[1][i] = rows[1][i] + ' Corrected by the force on review.'
rows.append(['broken'] * 2)
csv.writer(open(p, 'w', newline='', encoding='utf-8')).writerows(rows)
PY
PG=$(newdb); ok $? "a database on the test cluster"
for db in "$SCRATCH/c.db" "$PG"; do
  k=$([ "$db" = "$PG" ] && echo pg || echo sq)
  "$JD" ingest --db "$db" --quiet "$SCRATCH/c" 2>/dev/null | tail -1 | sed 's/ in .*//' >"$SCRATCH/$k.ingest1"
  "$JD" ingest --db "$db" --quiet --reread "$SCRATCH/c" 2>/dev/null | tail -1 | sed 's/ in .*//' >"$SCRATCH/$k.ingest2"
  "$JD" ingest --db "$db" --quiet "$SCRATCH/c2" 2>/dev/null | tail -1 | sed 's/ in .*//' >"$SCRATCH/$k.ingest3"
  "$JD" rejects --db "$db" --format csv >"$SCRATCH/$k.rejects" 2>/dev/null
  "$JD" resolve --db "$db" >/dev/null 2>&1 && "$JD" analyse --db "$db" >/dev/null 2>&1
  echo $? >"$SCRATCH/$k.rc"
  "$JD" export alerts --db "$db" >"$SCRATCH/$k.alerts" 2>/dev/null
  "$JD" export identities --db "$db" >"$SCRATCH/$k.ids" 2>/dev/null
  pid=$(head -1 "$SCRATCH/$k.ids" | python3 -c 'import json,sys; print(json.load(sys.stdin)["person_id"])' 2>/dev/null)
  "$JD" chronology --db "$db" --format json "$pid" >"$SCRATCH/$k.chrono" 2>/dev/null
done
is "$(cat "$SCRATCH/pg.rc")" 0 "postgres: resolve and analyse succeed"
is "$(cat "$SCRATCH/pg.ingest1")" "$(cat "$SCRATCH/sq.ingest1")" "postgres: first ingest stores what SQLite stores ($(cat "$SCRATCH/pg.ingest1"))"
grep -q "stored 0, updated 0, unchanged [1-9]" "$SCRATCH/pg.ingest2"
ok $? "postgres: re-reading the same files stores nothing new (idempotent: $(cat "$SCRATCH/pg.ingest2"))"
is "$(cat "$SCRATCH/pg.ingest2")" "$(cat "$SCRATCH/sq.ingest2")" "postgres: the re-read matches SQLite's"
grep -q "updated 1," "$SCRATCH/pg.ingest3"
ok $? "postgres: a corrected row is an update ($(cat "$SCRATCH/pg.ingest3"))"
is "$(cat "$SCRATCH/pg.ingest3")" "$(cat "$SCRATCH/sq.ingest3")" "postgres: the correction run matches SQLite's"
is "$(psql "$PG" -qAtc 'SELECT count(*) FROM event_history')" 1 "postgres: the replaced version is in event_history"
is "$(psql "$PG" -qAtc 'SELECT max(version) FROM event')" 2 "postgres: the corrected event is at version 2"
cmp -s "$SCRATCH/pg.rejects" "$SCRATCH/sq.rejects"
ok $? "postgres: the quarantine lists the same rejects ($(wc -l <"$SCRATCH/pg.rejects") lines)"
[ -s "$SCRATCH/pg.alerts" ] && cmp -s "$SCRATCH/pg.alerts" "$SCRATCH/sq.alerts"
ok $? "postgres: exported alerts are byte-identical to SQLite's ($(wc -l <"$SCRATCH/pg.alerts"))"
[ -s "$SCRATCH/pg.ids" ] && cmp -s "$SCRATCH/pg.ids" "$SCRATCH/sq.ids"
ok $? "postgres: exported identities are byte-identical to SQLite's ($(wc -l <"$SCRATCH/pg.ids"))"
[ -s "$SCRATCH/pg.chrono" ] && cmp -s "$SCRATCH/pg.chrono" "$SCRATCH/sq.chrono"
ok $? "postgres: a chronology is byte-identical to SQLite's"
"$JD" chronology --db "$PG" nosuch:person >/dev/null 2>&1
is $? 4 "postgres: an unknown person is not found (exit 4)"

dangling() { # DB -> references that point nowhere (ingest-written tables declare no FKs)
  psql "$1" -qAtc "SELECT (SELECT count(*) FROM person_mention pm WHERE NOT EXISTS
    (SELECT 1 FROM event e WHERE e.id = pm.event_id)) + (SELECT count(*) FROM object_mention o
    WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.id = o.event_id)) + (SELECT count(*) FROM
    event e WHERE e.location_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM location l WHERE
    l.id = e.location_id)) + (SELECT count(*) FROM event e WHERE NOT EXISTS (SELECT 1 FROM
    source_file f WHERE f.id = e.file_id)) + (SELECT count(*) FROM person_mention pm WHERE
    NOT EXISTS (SELECT 1 FROM source_file f WHERE f.id = pm.file_id))"
}
is "$(dangling "$PG")" 0 "postgres: after ingest no mention, event or place reference dangles"

# ---- 1b. issue 19 ingest hygiene: the same decisions on both backends ----
# A key twice in one file (identical: a warning, stored once; other content:
# quarantined, the first row kept), a dob after its event's day (event_when),
# a key corrected by a later file of the same load (an update), then a
# re-read. Outputs compared byte for byte.
mkdir -p "$SCRATCH/h"
cat >"$SCRATCH/h/events_police.csv" <<'CSV'
agency,record_id,event_type,occurred_at,narrative
police,K1,other,2005-01-01,First version.
police,K2,other,2005-01-02,Only once.
police,K1,other,2005-01-01,Second version wins today.
police,K2,other,2005-01-02,Only once.
police,S0,other,2005-03-27T00:59,Early.
CSV
cat >"$SCRATCH/h/events_police_2.csv" <<'CSV'
agency,record_id,event_type,occurred_at,narrative
police,K2,other,2005-01-02,Corrected in a later file of the load.
CSV
cat >"$SCRATCH/h/persons_police.csv" <<'CSV'
agency,record_id,person_ref,role,surname,dob
police,K1,N1,subject,Smith,
police,K1,N1,subject,Smyth,
police,K1,N1,witness,Smith,
police,S0,N5,subject,Jones,2005-03-28
police,S0,N6,subject,Jones,2005-03
police,K2,N7,subject,Brown,2005-01-02
police,K2,N7,subject,Brown,2005-01-02
CSV
PH=$(newdb)
for db in "$SCRATCH/h.db" "$PH"; do
  k=$([ "$db" = "$PH" ] && echo pg || echo sq)
  "$JD" ingest --db "$db" --now 2010-01-01T12:00 "$SCRATCH/h" 2>/dev/null | sed 's/ *[0-9]* rows\/s$//; s/ in [0-9.]* s$//' >"$SCRATCH/$k.h1"
  if [ "$k" = pg ]; then psql "$db" -qAtc "SELECT count(*) FROM event_history"; else sqlite3 "$db" "SELECT count(*) FROM event_history"; fi >"$SCRATCH/$k.hhist"
  "$JD" ingest --db "$db" --now 2010-01-01T12:00 --reread "$SCRATCH/h" 2>/dev/null | sed 's/ *[0-9]* rows\/s$//; s/ in [0-9.]* s$//' >"$SCRATCH/$k.h2"
  "$JD" rejects --db "$db" --warnings --format csv >"$SCRATCH/$k.hrej" 2>/dev/null
done
grep -q 'total:' "$SCRATCH/pg.h1" && cmp -s "$SCRATCH/pg.h1" "$SCRATCH/sq.h1"
ok $? "postgres: duplicate keys and dob order: the ingest counts are SQLite's ($(tail -1 "$SCRATCH/pg.h1"))"
grep -q 'total:' "$SCRATCH/pg.h2" && cmp -s "$SCRATCH/pg.h2" "$SCRATCH/sq.h2"
ok $? "postgres: the re-read of those files counts as on SQLite ($(tail -1 "$SCRATCH/pg.h2"))"
grep -q 'this row is not' "$SCRATCH/pg.hrej" && grep -q 'repeats line' "$SCRATCH/pg.hrej" &&
  grep -q 'dob is after the date of the event' "$SCRATCH/pg.hrej" && cmp -s "$SCRATCH/pg.hrej" "$SCRATCH/sq.hrej"
ok $? "postgres: the same rejects and warnings, naming the first line ($(wc -l <"$SCRATCH/pg.hrej") lines)"
qh="SELECT record_id || '|' || narrative || '|' || version FROM event ORDER BY agency, record_id"
is "$(psql "$PH" -qAtc "$qh")" "$(sqlite3 "$SCRATCH/h.db" "$qh")" "postgres: the first row of a file is kept, as on SQLite"
qh="SELECT record_id || '|' || person_ref || '|' || role || '|' || surname FROM person_mention ORDER BY 1"
is "$(psql "$PH" -qAtc "$qh")" "$(sqlite3 "$SCRATCH/h.db" "$qh")" "postgres: the same person mentions as SQLite"
is "$(cat "$SCRATCH/pg.hhist")|$(cat "$SCRATCH/sq.hhist")" "1|1" "postgres: a key corrected by a later file of the load is an update with history, as on SQLite"

# ---- 2. no password in the location ----
msg=$("$JD" rejects --db "$(echo "$PG" | sed 's#:///#://jd:secret@/#')" 2>&1)
rc=$?
[ $rc -ne 0 ] && echo "$msg" | grep -q PGPASSFILE && ! echo "$msg" | grep -q secret
ok $? "a password in the location is refused, pointing to PGPASSFILE, and not echoed"

# ---- 3. the audit log is append-only ----
psql "$PG" -qAtc "INSERT INTO audit_log VALUES (1, 0, 'a', 'b', 'c', 'd', 'e', 1, 'x', 'y')" >/dev/null 2>&1
psql "$PG" -qAtc "UPDATE audit_log SET actor = 'z'" >/dev/null 2>&1
is $? 1 "postgres: UPDATE of the audit log is refused by its trigger"
psql "$PG" -qAtc "DELETE FROM audit_log" >/dev/null 2>&1
is $? 1 "postgres: DELETE from the audit log is refused"
psql "$PG" -qAtc "TRUNCATE audit_log" >/dev/null 2>&1
is $? 1 "postgres: TRUNCATE of the audit log is refused"
psql "$PG" -qAtc "TRUNCATE concern_event CASCADE" >/dev/null 2>&1
is $? 1 "postgres: TRUNCATE of concern history is refused"

# ---- 4. two ingests of different feeds at once ----
mkdir -p "$SCRATCH/fa" "$SCRATCH/fb"
for f in "$SCRATCH"/c/*.csv; do
  b=$(basename "$f")
  case "$b" in *police*|*csc*|*school*|objects.csv) cp "$f" "$SCRATCH/fa/";; *) cp "$f" "$SCRATCH/fb/";; esac
done
P2=$(newdb)
"$JD" rejects --db "$P2" >/dev/null 2>&1 # schema first: both runs then start together
"$JD" ingest --db "$P2" --quiet "$SCRATCH/fa" >"$SCRATCH/ia" 2>&1 & A=$!
"$JD" ingest --db "$P2" --quiet "$SCRATCH/fb" >"$SCRATCH/ib" 2>&1 & Bp=$!
wait $A; ra=$?; wait $Bp; rb=$?
[ $ra -eq 0 ] && [ $rb -eq 0 ]; ok $? "two ingests at once both succeed"
q="SELECT (SELECT count(*) FROM event) || ' ' || (SELECT count(*) FROM person_mention) || ' ' || (SELECT count(*) FROM object_mention)"
sq=$(sqlite3 "$SCRATCH/c.db" "SELECT (SELECT count(*) FROM event_history)")
full=$(psql "$PG" -qAtc "$q")
is "$(psql "$P2" -qAtc "$q")" "$full" "two ingests at once: the same events, persons and objects as one ingest of both"
is "$(psql "$P2" -qAtc "SELECT count(*) FROM (SELECT agency, record_id FROM event GROUP BY 1, 2 HAVING count(*) > 1) d")" 0 "two ingests at once: no duplicate event"
is "$(psql "$P2" -qAtc "SELECT count(DISTINCT id) = count(*) FROM person_mention")" t "two ingests at once: row ids unique"
is "$(dangling "$P2")" 0 "two ingests at once: no reference dangles"
"$JD" ingest --db "$P2" --quiet --reread "$SCRATCH/fa" >/dev/null 2>&1 & A=$!
"$JD" ingest --db "$P2" --quiet --reread "$SCRATCH/fb" >"$SCRATCH/ib2" 2>&1 & Bp=$!
wait $A; ra=$?; wait $Bp; rb=$?
[ $ra -eq 0 ] && [ $rb -eq 0 ] && grep -q "stored 0, updated 0" "$SCRATCH/ib2"
ok $? "two re-reads at once store nothing new"
: "$sq"

# ---- 5. two servers, an ingest while they serve, one concern from both ----
P3=$(newdb)
"$JD" ingest --db "$P3" --quiet "$SCRATCH/fa" >/dev/null 2>&1 && "$JD" resolve --db "$P3" >/dev/null 2>&1 &&
  "$JD" analyse --db "$P3" >/dev/null 2>&1
ok $? "a store for the servers"
for r in analyst practitioner; do
  ag=""; [ "$r" = practitioner ] && ag="--agency police"
  echo "password-of-$r-1" | "$JD" user add --db "$P3" --role "$r" $ag --password-stdin "$r" >/dev/null 2>&1
done
for s in 1 2; do
  "$JD" serve --db "$P3" --listen 127.0.0.1:0 --port-file "$SCRATCH/port$s" 2>"$SCRATCH/serve$s.log" &
done
for _ in $(seq 1 100); do [ -s "$SCRATCH/port1" ] && [ -s "$SCRATCH/port2" ] && break; sleep 0.1; done
B1="http://127.0.0.1:$(cat "$SCRATCH/port1" 2>/dev/null)"; B2="http://127.0.0.1:$(cat "$SCRATCH/port2" 2>/dev/null)"
[ -s "$SCRATCH/port1" ] && [ -s "$SCRATCH/port2" ]; ok $? "two servers start on one PostgreSQL database"
login() { # BASE USER -> jar and csrf files USER.BASEID
  curl -s -c "$SCRATCH/$2.$3.jar" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"password-of-$2-1\"}" "$1/api/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])' >"$SCRATCH/$2.$3.csrf" 2>/dev/null
}
login "$B1" analyst 1; login "$B2" analyst 2
[ -s "$SCRATCH/analyst.1.csrf" ] && [ -s "$SCRATCH/analyst.2.csrf" ]
ok $? "a login on each server (sessions in the shared store)"
post() { # N PATH DATA -> body and code
  curl -s -w '\n%{http_code}' -b "$SCRATCH/analyst.$1.jar" -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: $(cat "$SCRATCH/analyst.$1.csrf")" -d "$3" "$([ "$1" = 1 ] && echo "$B1" || echo "$B2")$2"
}
# an ingest of the other feeds while both servers answer
"$JD" ingest --db "$P3" --quiet "$SCRATCH/fb" >"$SCRATCH/ic" 2>&1 & IN=$!
bad=0; n=0
while kill -0 $IN 2>/dev/null || [ $n -lt 10 ]; do
  for s in 1 2; do
    B=$([ $s = 1 ] && echo "$B1" || echo "$B2")
    c=$(curl -s -o /dev/null -w '%{http_code}' -b "$SCRATCH/analyst.$s.jar" "$B/api/alerts")
    [ "$c" = 200 ] || bad=$((bad + 1)); n=$((n + 1))
  done
  [ $n -gt 400 ] && break
done
wait $IN; ri=$?
[ $ri -eq 0 ] && [ $bad -eq 0 ]; ok $? "an ingest while two servers serve: it succeeds and all $n requests are answered 200 ($bad not)"
AID=$(curl -s -b "$SCRATCH/analyst.1.jar" "$B1/api/alerts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["alerts"][0]["id"])' 2>/dev/null)
CID=$(post 1 /api/concerns "{\"from_alert\":\"$AID\",\"why\":\"pattern over three agencies\"}" | head -1 |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
[ -n "$CID" ]; ok $? "a concern raised through server 1 ($CID)"
V=$(curl -s -b "$SCRATCH/analyst.2.jar" "$B2/api/concerns?all=1" |
  python3 -c "import json,sys; print([c for c in json.load(sys.stdin)['concerns'] if c['id']=='$CID'][0]['version'])" 2>/dev/null)
[ -n "$V" ]; ok $? "server 2 sees it (version $V)"
post 1 "/api/concerns/$CID/comment" "{\"text\":\"first writer\",\"expected_version\":$V}" >"$SCRATCH/w1" & W1=$!
post 2 "/api/concerns/$CID/comment" "{\"text\":\"second writer\",\"expected_version\":$V}" >"$SCRATCH/w2" & W2=$!
wait $W1 $W2
codes=$(for f in "$SCRATCH/w1" "$SCRATCH/w2"; do tail -n1 "$f"; echo; done | sort | tr '\n' ' ')
is "$codes" "200 409 " "one concern updated through two servers at once: one wins, the other gets 409"
loser=$(for f in "$SCRATCH/w1" "$SCRATCH/w2"; do [ "$(tail -n1 "$f")" = 409 ] && echo "$f"; done | head -1)
lt=$([ "$loser" = "$SCRATCH/w1" ] && echo "first writer" || echo "second writer"); ls=$([ "$loser" = "$SCRATCH/w1" ] && echo 1 || echo 2)
is "$(post "$ls" "/api/concerns/$CID/comment" "{\"text\":\"$lt\",\"expected_version\":$((V + 1))}" | tail -1)" 200 "the loser reloads and its retry succeeds"
h=$("$JD" concern show "$CID" --db "$P3" --format json 2>/dev/null)
echo "$h" | grep -q "first writer" && echo "$h" | grep -q "second writer"
ok $? "both comments are in the concern's history (nothing lost)"
kill %- 2>/dev/null
for j in $(jobs -p); do kill "$j" 2>/dev/null; done
wait 2>/dev/null

# ---- 6. migrate a whole store ----
"$JD" demo --dir "$SCRATCH/demo" >/dev/null 2>&1
SQ="$SCRATCH/demo/joindots.db"
echo "password-of-analyst-1" | "$JD" user add --db "$SQ" --role analyst --password-stdin analyst >/dev/null 2>&1
"$JD" export identities --db "$SQ" --user analyst --reason "migration check" >"$SCRATCH/m.sq.ids" 2>/dev/null
"$JD" audit verify --db "$SQ" >"$SCRATCH/m.sq.verify" 2>&1
ok $? "the SQLite store's audit chain verifies before the copy ($(cat "$SCRATCH/m.sq.verify"))"
P4=$(newdb)
"$JD" migrate --from "$SQ" --to "$P4" >"$SCRATCH/m.out" 2>&1
ok $? "joindots migrate copies the store ($(cat "$SCRATCH/m.out"))"
"$JD" audit verify --db "$P4" >"$SCRATCH/m.pg.verify" 2>&1
ok $? "audit verify passes on PostgreSQL ($(cat "$SCRATCH/m.pg.verify"))"
is "$(cat "$SCRATCH/m.pg.verify")" "$(cat "$SCRATCH/m.sq.verify")" "the same chain on both ends"
[ "$(sqlite3 "$SQ-audit" 'SELECT seq FROM audit_head')" -gt 0 ]; ok $? "the copied chain is not empty"
for t in event person_mention person_mention_history event_history identity identity_ref alert concern concern_event account audit_log; do
  f=$SQ; [ $t = audit_log ] && f=$SQ-audit # the SQLite log's own file
  a=$(sqlite3 "$f" "SELECT count(*) FROM $t"); b=$(psql "$P4" -qAtc "SELECT count(*) FROM $t")
  [ "$a" = "$b" ] || { echo "# $t: sqlite $a, postgres $b"; false; }
done
ok $? "every table has the same rows on both ends"
"$JD" export alerts --db "$SQ" >"$SCRATCH/m.sq.alerts" 2>/dev/null
"$JD" export alerts --db "$P4" >"$SCRATCH/m.pg.alerts" 2>/dev/null
[ -s "$SCRATCH/m.pg.alerts" ] && cmp -s "$SCRATCH/m.sq.alerts" "$SCRATCH/m.pg.alerts"
ok $? "the copied store exports the same alerts"
"$JD" export identities --db "$P4" --user analyst --reason "migration check" >"$SCRATCH/m.pg.ids" 2>/dev/null
ok $? "the copied account works on PostgreSQL (an audited export)"
"$JD" audit verify --db "$P4" >/dev/null 2>&1
ok $? "the chain extended on PostgreSQL still verifies"
"$JD" ingest --db "$P4" --quiet "$SCRATCH/fb" >/dev/null 2>&1
ok $? "ingest continues on the copy (ids after the copied ones)"
m=$("$JD" migrate --from "$SQ" --to "$P4" 2>&1)
[ $? -ne 0 ] && echo "$m" | grep -q "not empty"
ok $? "migrate refuses a destination that holds data"
"$JD" migrate --from "$SCRATCH/none.db" --to "$P4" >/dev/null 2>&1
is $? 4 "migrate reports a missing source"
# a store with an audit key (JD_AUDIT_KEY_FILE, as a deployment sets it):
# the copy keeps its MACs, and the key still checks them on PostgreSQL
export JD_AUDIT_KEY_FILE="$SCRATCH/audit.key"
"$JD" demo --dir "$SCRATCH/kdemo" >/dev/null 2>&1
KSQ="$SCRATCH/kdemo/joindots.db"
echo "password-of-analyst-1" | "$JD" user add --db "$KSQ" --role analyst --password-stdin analyst >/dev/null 2>&1
"$JD" audit verify --db "$KSQ" >"$SCRATCH/k.sq.verify" 2>&1
P5=$(newdb)
"$JD" migrate --from "$KSQ" --to "$P5" >"$SCRATCH/k.out" 2>&1
ok $? "migrate copies a keyed store while the audit key is configured ($(cat "$SCRATCH/k.out"))"
"$JD" audit verify --db "$P5" >"$SCRATCH/k.pg.verify" 2>&1
grep -q "valid MAC" "$SCRATCH/k.pg.verify" && cmp -s "$SCRATCH/k.pg.verify" "$SCRATCH/k.sq.verify"
ok $? "the keyed chain verifies with its MACs on PostgreSQL as on SQLite ($(cat "$SCRATCH/k.pg.verify"))"
"$JD" export identities --db "$P5" --user analyst --reason "migration check" >/dev/null 2>&1 &&
  "$JD" audit verify --db "$P5" >"$SCRATCH/k.pg.verify2" 2>&1 &&
  [ "$(psql "$P5" -qAtc "SELECT count(*) FROM audit_log WHERE mac = ''")" = 0 ] &&
  [ "$(psql "$P5" -qAtc "SELECT length(mac) FROM audit_head")" = 64 ]
ok $? "entries appended on PostgreSQL carry a MAC and so does the head ($(cat "$SCRATCH/k.pg.verify2"))"
psql "$P5" -qAtc "ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log SET mac = '' WHERE seq = 3; ALTER TABLE audit_log ENABLE TRIGGER USER" >/dev/null 2>&1
"$JD" audit verify --db "$P5" >/dev/null 2>&1
is $? 5 "a MAC stripped from a later entry on PostgreSQL is detected (exit 5)"
unset JD_AUDIT_KEY_FILE
done_testing
