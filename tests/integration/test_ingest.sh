#!/usr/bin/env bash
# Integration tests of `joindots ingest` and `joindots rejects` on the small
# hand-written bundle (tests/data/bundles/small) and generated bundles.
# Usage: test_ingest.sh JOINDOTS GEN_BUNDLE SOURCE_ROOT
JD=$1 GEN=$2 SRC=$3
. "$SRC/tests/integration/lib.sh"
scratch
SMALL="$SRC/tests/data/bundles/small"
DB="$SCRATCH/a.db"
q() { sqlite3 "$DB" "$1"; }

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
out=$("$JD" ingest --db "$SCRATCH/twice.db" "$SCRATCH/twice" 2>/dev/null)
echo "$out" | grep -q '^events_b.csv .*skipped: identical'; ok $? "a file identical to an earlier one of the same call is skipped ($out)"
is "$(sqlite3 "$SCRATCH/twice.db" "SELECT count(*) FROM source_file")" 1 "and recorded once"

# --- a corrected row becomes a new version; the old one is kept
mkdir -p "$SCRATCH/fix"
sed 's/Theft of bicycle from garden shed./Theft of two bicycles from garden shed./' "$SMALL/events_police.csv" > "$SCRATCH/fix/events_police.csv"
out=$("$JD" ingest --db "$DB" "$SCRATCH/fix" 2>/dev/null)
echo "$out" | grep -q 'updated 1, unchanged 6'; ok $? "corrected row counted as updated ($out)"
is "$(q "SELECT version FROM event WHERE record_id='IR05-0006'")" 2 "event now at version 2"
is "$(q "SELECT narrative FROM event_history WHERE record_id='IR05-0006'")" 'Theft of bicycle from garden shed.' "old version kept in history"

# --- fatal problems leave the store exactly as it was
snap() { sqlite3 "$DB" "SELECT (SELECT count(*) FROM event),(SELECT count(*) FROM person_mention),(SELECT count(*) FROM problem),(SELECT count(*) FROM ingest_run),(SELECT count(*) FROM source_file)"; }
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
"$JD" ingest --db "$SCRATCH/bad.db" "$SMALL" 2>/dev/null; is $? 1 "a file that is not a database is refused"

# --- strict mode
"$JD" ingest --db "$SCRATCH/s.db" --strict --quiet "$SMALL" >/dev/null 2>&1; is $? 6 "--strict exits 6 when rows were quarantined"

# --- SIGKILL in the middle loses nothing committed and leaves no half file
"$GEN" "$SCRATCH/big" 200000 3 7
K="$SCRATCH/k.db"
"$JD" ingest --db "$K" "$SMALL" >/dev/null 2>&1
kb=$(sqlite3 "$K" "SELECT count(*) FROM event; SELECT count(*) FROM person_mention;")
"$JD" ingest --db "$K" "$SCRATCH/big" >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 100); do
  # wait until the transaction has written pages to the WAL
  s=$(stat -c %s "$K-wal" 2>/dev/null || echo 0)
  [ "$s" -gt 4000000 ] && break
  sleep 0.05
done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
ka=$(sqlite3 "$K" "SELECT count(*) FROM event; SELECT count(*) FROM person_mention;")
is "$ka" "$kb" "after SIGKILL the store holds exactly what was committed before"
is "$(sqlite3 "$K" 'PRAGMA integrity_check')" ok "integrity check passes after SIGKILL"
is "$(sqlite3 "$K" "SELECT count(*) FROM source_file WHERE name='events.csv'")" 0 "no trace of the half-ingested file"
"$JD" ingest --db "$K" --quiet "$SCRATCH/big" >/dev/null 2>&1; is $? 0 "the same ingest runs to completion afterwards"
is "$(sqlite3 "$K" "SELECT count(*) FROM event")" 200011 "all rows present after the re-run"
# a load this large drops person_mention_ref and builds it once at the end
ref_index() { sqlite3 "$1" "SELECT sql FROM sqlite_master WHERE name='person_mention_ref'"; }
is "$(ref_index "$K")" "$(ref_index "$DB")" "person_mention_ref rebuilt, as the schema defines it"
is "$(sqlite3 "$K" "SELECT count(*) FROM person_mention INDEXED BY person_mention_ref WHERE agency='police' AND person_ref='N1001'")" \
   "$(sqlite3 "$K" "SELECT count(*) FROM person_mention NOT INDEXED WHERE agency='police' AND person_ref='N1001'")" "and it finds what a table scan finds"
is "$(sqlite3 "$K" 'PRAGMA integrity_check')" ok "integrity check passes after the rebuild"
# a fatal problem after the person files (a NUL in objects.csv): all rolled back, index too
mkdir -p "$SCRATCH/late"
cp "$SCRATCH/big/events.csv" "$SCRATCH/big/persons.csv" "$SCRATCH/late/"
{ head -1000 "$SCRATCH/big/objects.csv"; printf 'police,R1,phone,\0\n'; } > "$SCRATCH/late/objects.csv"
N="$SCRATCH/n.db"
"$JD" ingest --db "$N" --quiet "$SMALL" >/dev/null 2>&1
nb=$(sqlite3 "$N" "SELECT count(*) FROM event; SELECT count(*) FROM person_mention;")
"$JD" ingest --db "$N" --quiet "$SCRATCH/late" >/dev/null 2>"$SCRATCH/err"; rc=$?
[ "$rc" -ne 0 ]; ok $? "a NUL byte late in the run is fatal (exit $rc)"
is "$(sqlite3 "$N" "SELECT count(*) FROM event; SELECT count(*) FROM person_mention;")" "$nb" "nothing of it is stored"
is "$(ref_index "$N")" "$(ref_index "$DB")" "the dropped index is back after the rollback"

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
is "$(wc -l < "$SCRATCH/ids.jsonl")" "$(q 'SELECT count(*) FROM (SELECT DISTINCT agency, person_ref FROM person_mention)')" "one line per person_ref before resolution"
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
is "$(q 'PRAGMA foreign_key_check' | wc -l)" 0 "ingest left no dangling reference (foreign keys not checked per row)"
fnv_check() { # DB -> number of events whose stored hash is the FNV-1a of their fields
  python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
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
L="$SCRATCH/legacy.db"
"$JD" ingest --db "$L" "$SCRATCH/nocol" 2>/dev/null # fatal: leaves an empty store
sqlite3 "$L" "UPDATE meta SET value='fnv1a64' WHERE key='row_hash'"
"$JD" ingest --db "$L" "$SMALL" >/dev/null 2>&1
is "$(fnv_check "$L")" "$(sqlite3 "$L" 'SELECT count(*) FROM event')" "fnv1a64 store: every event hash is FNV-1a of its fields"
out=$("$JD" ingest --db "$L" --reread "$SMALL" 2>/dev/null)
echo "$out" | grep -q 'updated 0, unchanged 26'; ok $? "fnv1a64 store: re-read finds everything unchanged ($out)"
out=$("$JD" ingest --db "$L" "$SCRATCH/fix" 2>/dev/null)
echo "$out" | grep -q 'updated 1, unchanged 6'; ok $? "fnv1a64 store: corrected row updated ($out)"
sqlite3 "$L" "UPDATE meta SET value='md5' WHERE key='row_hash'"
lbefore=$(sqlite3 "$L" 'SELECT count(*) FROM ingest_run')
"$JD" ingest --db "$L" --reread "$SMALL" 2>"$SCRATCH/err"; is $? 1 "an unknown row hash is refused"
grep -q "row hash 'md5' is unknown" "$SCRATCH/err"; ok $? "and named"
is "$(sqlite3 "$L" 'SELECT count(*) FROM ingest_run')" "$lbefore" "nothing written"

done_testing
