#!/usr/bin/env bash
# Integration tests of live operation (issue 17 items 1-3): feed tokens, the
# drop folder (a bundle is read only once its .done marker exists; a
# half-written file is never read), a feed with another agency's rows
# refused whole, a feed killed with SIGKILL midway loses nothing and is
# picked up again, a county fed in slices equals the same county loaded at
# once, and the server: POST /api/feeds/{agency} with its agency's token
# only, and a new alert and escalation visible without a restart.
# Usage: test_feeds.sh JOINDOTS SOURCE_ROOT
JD=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
scratch
FIX="$SRC/tests/data/bundles"
events() { db_query "$1" "select count(*) from event"; }
rows_in() { python3 - "$@" <<'PY'
import csv, glob, sys
n = 0
for d in sys.argv[1:]:
    for p in glob.glob(d + '/events*.csv'):
        with open(p, newline='', encoding='utf-8') as f:
            n += sum(1 for _ in csv.DictReader(f))
print(n)
PY
}

# ---- tokens ----
DB=$(store_at "$SCRATCH/t.db")
"$JD" ingest --db "$DB" "$FIX/alerts" >/dev/null 2>&1
TOKP=$("$JD" token add --db "$DB" --agency police police-nightly 2>/dev/null)
is "${#TOKP}" 47 "token add prints a 47-character token once"
case $TOKP in jdf_*) ok 0 "a feed token starts with jdf_" ;; *) ok 1 "a feed token starts with jdf_" ;; esac
"$JD" token add --db "$DB" --agency nowhere bad >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "a token for an unknown agency is refused"
"$JD" token add --db "$DB" --agency csc police-nightly >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "a second token with a taken name is refused"
"$JD" token list --db "$DB" | grep -q "^police-nightly  *police  *active"
is $? 0 "token list shows the name, agency and state, never the token"
[ "$(db_query "$DB" "select count(*) from feed_token where token_hash = '${TOKP//\'/}'")" = 0 ] &&
  [ "$(db_query "$DB" "select length(token_hash) from feed_token order by id limit 1")" = 64 ]
is $? 0 "only a digest of the token is stored"

# ---- the drop folder: markers and half-written files ----
DROP="$SCRATCH/drop"
mkdir -p "$DROP/call_handling/c1"
before=$(events "$DB")
# A bundle being written: a complete header and a line cut short, no marker.
head -1 "$FIX/feed_call/events.csv" > "$DROP/call_handling/c1/events.csv"
printf 'call_handling,CHLIVE1,call_for_ser' >> "$DROP/call_handling/c1/events.csv"
"$JD" watch --db "$DB" --once --no-update "$DROP" > "$SCRATCH/w1.out" 2>&1
is "$(events "$DB")" "$before" "a bundle without its .done marker is not read (a half-written file stays unread)"
[ -d "$DROP/call_handling/c1" ] && [ ! -s "$SCRATCH/w1.out" ]; ok $? "the unfinished bundle is left where it is"
# A marker for a name that is not a folder, and a hidden folder with a marker: ignored.
touch "$DROP/call_handling/ghost.done"; mkdir "$DROP/call_handling/.tmp-c2"; touch "$DROP/call_handling/.tmp-c2.done"
cp "$FIX/feed_call/events.csv" "$FIX/feed_call/persons.csv" "$DROP/call_handling/c1/"
touch "$DROP/call_handling/c1.done"
"$JD" watch --db "$DB" --once --no-update "$DROP" > "$SCRATCH/w2.out" 2>&1
is "$(events "$DB")" "$((before + 1))" "once the marker exists the finished bundle is read"
[ -d "$DROP/call_handling/ingested/1-c1" ] && [ -f "$DROP/call_handling/ingested/1-c1.done" ] && [ ! -e "$DROP/call_handling/c1" ]
ok $? "an ingested bundle and its marker are moved to ingested/ID-NAME"
# Killed between the folder's move and its marker's: the marker stays
# without its folder. The next run finishes the move, and a new folder of
# that name, being written, is not made ready by the stale marker.
CH="$DROP/call_handling"
mv "$CH/ingested/1-c1.done" "$CH/c1.done"; mkdir "$CH/c1"
head -1 "$FIX/feed_call/events.csv" > "$CH/c1/events.csv"; printf 'call_handling,CHLIVE1,call_for_ser' >> "$CH/c1/events.csv"
"$JD" watch --db "$DB" --once --no-update "$DROP" > "$SCRATCH/w2b.out" 2>&1
is "$?:$(events "$DB")" "0:$((before + 1))" "after a kill between the two moves the next run exits 0 and reads nothing again"
[ -f "$CH/ingested/1-c1.done" ] && [ ! -e "$CH/c1.done" ] && [ -d "$CH/c1" ] &&
  grep -q '^feed 1 call_handling/c1: stored before; its move out of the drop folder, cut short, finished' "$SCRATCH/w2b.out"
ok $? "it moves the marker after its folder, says so, and leaves the new c1 being written alone ($(tr '\n' ' ' < "$SCRATCH/w2b.out"))"
cp "$FIX/feed_call/events.csv" "$FIX/feed_call/persons.csv" "$CH/c1/"; touch "$CH/c1.done"
"$JD" watch --db "$DB" --once --no-update "$DROP" > "$SCRATCH/w2c.out" 2>&1
grep -q '^feed [0-9]* call_handling/c1: ingested ' "$SCRATCH/w2c.out" && [ ! -e "$CH/c1.done" ]
ok $? "the new c1, once marked, is read as a feed of its own ($(tr '\n' ' ' < "$SCRATCH/w2c.out"))"
# A marker touched after the move (a writer reusing the name) is the new bundle's.
id=$(ls "$CH/ingested" | sed -n 's/^\([0-9]*\)-c1\.done$/\1/p' | sort -n | tail -1)
mv "$CH/ingested/$id-c1.done" "$CH/c1.done"; mkdir "$CH/c1"; cp "$FIX/feed_call/"*.csv "$CH/c1/"; touch "$CH/c1.done"
"$JD" watch --db "$DB" --once --no-update "$DROP" > "$SCRATCH/w2d.out" 2>&1
grep -q '^feed [0-9]* call_handling/c1: ingested ' "$SCRATCH/w2d.out" && [ ! -e "$CH/c1" ] && [ ! -e "$CH/c1.done" ]
ok $? "a marker touched after that move makes the new c1 ready ($(tr '\n' ' ' < "$SCRATCH/w2d.out"))"
[ -d "$DROP/call_handling/.tmp-c2" ] && [ -f "$DROP/call_handling/ghost.done" ]; ok $? "hidden folders and markers without a folder are left alone"
# The same rows again, under another name: recorded, nothing new stored.
mkdir "$DROP/call_handling/c1-again"; cp "$FIX/feed_call/"*.csv "$DROP/call_handling/c1-again/"; touch "$DROP/call_handling/c1-again.done"
"$JD" watch --db "$DB" --once --no-update "$DROP" >/dev/null 2>&1
is "$(events "$DB")" "$((before + 1))" "a feed sent twice stores nothing the second time (idempotent)"

# ---- a feed with another agency's rows is refused whole ----
mkdir -p "$DROP/police/p1"
{ head -1 "$FIX/alerts/events.csv"
  echo 'police,PNEW1,call_for_service,2024-06-11T10:00,,,OX4 1AA,A new police call.,,,,PC,'
  echo 'csc,CNEW1,case_note,2024-06-11T11:00,,,OX4 1AA,A row of another agency.,,,,social_worker,'; } > "$DROP/police/p1/events.csv"
touch "$DROP/police/p1.done"
"$JD" watch --db "$DB" --once --no-update "$DROP" > "$SCRATCH/w3.out" 2>&1
is "$(events "$DB")" "$((before + 1))" "a police feed holding a csc row stores nothing (not even its police rows)"
grep -q "another agency" "$DROP"/police/rejected/*-p1.reason 2>/dev/null
is $? 0 "it is moved to rejected/ with its reason (file, line, the other agency)"
"$JD" watch --db "$DB" --list | awk -F'\t' '$3=="police" && $5=="rejected"' | grep -q "drop:police/p1"
is $? 0 "the rejected feed is recorded with its source and reason"

# ---- SIGKILL midway: nothing lost, picked up again ----
K="$SCRATCH/k"; mkdir -p "$K"
"$JD" synth --out "$K/county" --events 60000 --seed 4 >/dev/null 2>&1
python3 "$SRC/tests/integration/slice_bundle.py" "$K/county" "$K/sl" 1
mkdir -p "$K/drop"
for a in "$K"/sl/s000/*; do ag=$(basename "$a"); mkdir -p "$K/drop/$ag"; mv "$a" "$K/drop/$ag/day1"; touch "$K/drop/$ag/day1.done"; done
total=$(rows_in "$K"/drop/*/day1)
[ "$total" -gt 50000 ]; ok $? "a county of $total events in one feed per agency"
"$JD" watch --db "$(store_at "$K/k.db")" --once --no-update "$K/drop" > "$K/w.out" 2>&1 &
WP=$!
for _ in $(seq 1 3000); do compgen -G "$K/drop/*/ingested/*-day1" >/dev/null && break; sleep 0.01; done
kill -9 "$WP" 2>/dev/null; wait "$WP" 2>/dev/null
left=$(compgen -G "$K/drop/*/day1.done" | wc -l)
moved=$(rows_in "$K"/drop/*/ingested/*-day1)
if [ "$left" -gt 0 ]; then
  # A feed is committed, then moved: a kill between the two leaves the one
  # in hand whole in the store and still in the folder (the next run stores
  # nothing of it again). Never a part of a feed.
  have=$(events "$(store_at "$K/k.db")"); extra=$((have - moved)); whole=0
  [ "$extra" -eq 0 ] && whole=1
  for d in "$K"/drop/*/day1; do [ -d "$d" ] && [ "$(rows_in "$d")" -eq "$extra" ] && whole=1; done
  is "$whole" 1 "killed with SIGKILL midway ($left feeds not done): the store holds the feeds moved out and at most the whole of the one in hand, never a part ($have stored, $moved moved)"
else
  ok 0 "killed with SIGKILL midway # SKIP the watcher finished before the kill"
fi
if on_pg; then skip "the store is intact after the kill" "SQLite-only: pragma integrity_check checks the file; PostgreSQL rolls the killed client's transaction back"; else
python3 -c 'import sqlite3,sys; sys.exit(0 if sqlite3.connect(sys.argv[1]).execute("pragma integrity_check").fetchone()[0]=="ok" else 1)' "$K/k.db"
is $? 0 "the store is intact after the kill"; fi
# The kill lands as the first feed's folder reaches ingested/: at times
# before its marker follows (then the next run says "stored before").
"$JD" watch --db "$(store_at "$K/k.db")" --once --no-update "$K/drop" > "$K/w2.out" 2>&1
is "$?" 0 "the next run exits 0 $(grep -v ': ingested [0-9]* rows' "$K/w2.out" | tr '\n' ' ')"
is "$(events "$(store_at "$K/k.db")")" "$total" "the next run picks up the rest: every event of the county is stored"
is "$(compgen -G "$K/drop/*/day1.done" | wc -l)" 0 "and every feed is moved out of the drop folder $(compgen -G "$K/drop/*/day1.done" | tr '\n' ' ')"

# ---- a county fed in slices equals the same county loaded at once ----
C="$SCRATCH/c"; mkdir -p "$C"
"$JD" synth --out "$C/county" --events 2500 --seed 11 >/dev/null 2>&1
python3 "$SRC/tests/integration/slice_bundle.py" "$C/county" "$C/sl" 4
"$JD" ingest --db "$(store_at "$C/batch.db")" "$C/county" >/dev/null 2>&1 && "$JD" resolve --db "$(store_at "$C/batch.db")" >/dev/null 2>&1 &&
  "$JD" analyse --db "$(store_at "$C/batch.db")" >/dev/null 2>&1 && "$JD" concern run --db "$(store_at "$C/batch.db")" >/dev/null 2>&1
is $? 0 "batch: ingest, resolve, analyse, concern run"
mkdir -p "$C/drop"; fails=0
for s in "$C"/sl/s*; do
  for a in "$s"/*; do ag=$(basename "$a"); mkdir -p "$C/drop/$ag"; mv "$a" "$C/drop/$ag/$(basename "$s")"; touch "$C/drop/$ag/$(basename "$s").done"; done
  "$JD" watch --db "$(store_at "$C/slices.db")" --once "$C/drop" >> "$C/watch.out" 2>&1 || fails=$((fails + 1))
done
is "$fails:$(grep -c '^updated in' "$C/watch.out")" "0:4" "four slices fed through the drop folder, each followed by resolve, analyse and escalation"
for d in batch slices; do
  "$JD" export identities --db "$(store_at "$C/$d.db")" > "$C/$d.id" 2>/dev/null
  "$JD" export alerts --db "$(store_at "$C/$d.db")" > "$C/$d.al" 2>/dev/null
done
python3 "$SRC/tests/integration/feeds_compare.py" "$C/batch.id" "$C/batch.al" "$C/slices.id" "$C/slices.al" > "$C/cmp.out"
grep '^#' "$C/cmp.out"
n=$(wc -l < "$C/batch.al"); [ "$n" -gt 100 ]; ok $? "the batch store has $n alerts to compare"
grep -q '^ok identities' "$C/cmp.out"; ok $? "slices = batch: identities equal (each named by its first ref) $(grep '^not ok identities' "$C/cmp.out")"
grep -q '^ok alerts' "$C/cmp.out"; ok $? "slices = batch: analysis alerts equal $(grep '^not ok alerts' "$C/cmp.out")"
grep -q '^ok escalations' "$C/cmp.out"; ok $? "slices = batch: every escalation of the batch is raised by the slices too $(grep '^not ok escalations' "$C/cmp.out")"

# ---- the same slices through a server that keeps its mentions (--resident) ----
# The first slice through the watcher, the other three to a server that
# read the county's mentions at its start: each feed's resolve reads from
# the store only the refs new or changed since (issue 17); the identities
# are the watcher's, byte for byte.
python3 "$SRC/tests/integration/slice_bundle.py" "$C/county" "$C/sl2" 4
mkdir -p "$C/rdrop"; k=0
for s in "$C"/sl2/s*; do
  for a in "$s"/*; do ag=$(basename "$a"); mkdir -p "$C/rdrop/$ag"; mv "$a" "$C/rdrop/$ag/$(basename "$s")"; done
  if [ $k -eq 0 ]; then
    for a in "$C"/rdrop/*/s*; do touch "$a.done"; done
    "$JD" watch --db "$(store_at "$C/res.db")" --once "$C/rdrop" >/dev/null 2>&1
    "$JD" serve --db "$(store_at "$C/res.db")" --listen 127.0.0.1:0 --port-file "$C/rport" --feeds "$C/rdrop" \
      --escalate-every 0 --resident 2>"$C/res.log" &
    RPID=$!
    for _ in $(seq 1 1200); do grep -q 'kept .* mentions' "$C/res.log" && break; sleep 0.1; done
  else
    for a in "$C"/rdrop/*/s*; do [ -d "$a" ] && touch "$a.done"; done
    for _ in $(seq 1 1200); do [ "$(grep -c 'updated after feeds' "$C/res.log")" -ge "$k" ] && break; sleep 0.1; done
  fi
  k=$((k + 1))
done
kill -TERM "$RPID"; wait "$RPID"
is "$(grep -c 'updated after feeds' "$C/res.log")" 3 "--resident: three slices fed to the server after the first, each resolved"
# (the start's build of the refs brings them up to date once, then each feed)
grep 'resident mentions' "$C/res.log" | tail -1 | grep -q 'reads of everything 1, brought up to date 4'
ok $? "--resident: the mentions read whole once (at the start), then brought up to date at each feed $(grep 'resident mentions' "$C/res.log" | tail -1)"
grep 'resident mentions' "$C/res.log" | tail -1 | grep -q 'built refs: kept ([0-9]* MB), taken 3 times, the last run built [1-9][0-9]* again'
ok $? "--resident: the refs built at the start kept, each feed's load building only its changed refs"
"$JD" export identities --db "$(store_at "$C/res.db")" > "$C/res.id" 2>/dev/null
n=$(wc -l < "$C/res.id"); [ "$n" -gt 100 ]; ok $? "--resident: $n identities exported"
cmp -s <(sort "$C/slices.id") <(sort "$C/res.id"); ok $? "--resident: the identities are the watcher's, byte for byte"

# ---- the server: uploads, tokens, always current ----
TOKC=$("$JD" token add --db "$DB" --agency call_handling ch-feed 2>/dev/null)
echo "password-of-analyst-1" | "$JD" user add --db "$DB" --role analyst --password-stdin analyst 2>/dev/null
"$JD" resolve --db "$DB" >/dev/null 2>&1 && "$JD" analyse --db "$DB" >/dev/null 2>&1
SDROP="$SCRATCH/sdrop"; mkdir -p "$SDROP"
is "$(db_query "$DB" "select count(*) from concern")" 0 "no concern before the server ran (nobody typed concern run)"
"$JD" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$SCRATCH/port" --feeds "$SDROP" --escalate-every 1 2>"$SCRATCH/serve.log" &
SPID=$!
for _ in $(seq 1 100); do [ -s "$SCRATCH/port" ] && break; sleep 0.1; done
B="http://127.0.0.1:$(cat "$SCRATCH/port")"
curl -s -c "$SCRATCH/a.jar" -H 'Content-Type: application/json' -d '{"username":"analyst","password":"password-of-analyst-1"}' "$B/api/login" >/dev/null
ncon() { curl -s -b "$SCRATCH/a.jar" "$B/api/concerns?all=1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["concerns"]))' 2>/dev/null; }
seen=1
for _ in $(seq 1 100); do [ "$(ncon)" -gt 0 ] 2>/dev/null && { seen=0; break; }; sleep 0.1; done
is $seen 0 "the server runs the escalation engine on its own schedule (--escalate-every 1): concerns appear"
mkdir -p "$SCRATCH/up"; cp "$FIX/feed_call/"*.csv "$SCRATCH/up/"; tar -C "$SCRATCH/up" -cf "$SCRATCH/call.tar" .
post() { curl -s -o "$SCRATCH/post.out" -w '%{http_code}' -X POST "$@"; }
is "$(post -H 'Content-Type: application/x-tar' --data-binary @"$SCRATCH/call.tar" "$B/api/feeds/call_handling")" 401 "a feed without a token is refused (401)"
is "$(post -H "Authorization: Bearer $TOKP" -H 'Content-Type: application/x-tar' --data-binary @"$SCRATCH/call.tar" "$B/api/feeds/call_handling")" 403 "a feed for call_handling posted with the police token is refused (403)"
is "$(post -H "Authorization: Bearer ${TOKC%?}x" -H 'Content-Type: application/x-tar' --data-binary @"$SCRATCH/call.tar" "$B/api/feeds/call_handling")" 401 "a wrong token is refused (401)"
is "$(post -b "$SCRATCH/a.jar" -H 'Content-Type: application/x-tar' --data-binary @"$SCRATCH/call.tar" "$B/api/feeds/call_handling")" 401 "a person's session is not a feed token (401)"
is "$(post -H "Authorization: Bearer $TOKC" -H 'Content-Type: application/json' --data-binary @"$SCRATCH/call.tar" "$B/api/feeds/call_handling")" 415 "a feed that is not a tar is refused (415)"
mkdir -p "$SCRATCH/evil"; echo x > "$SCRATCH/evil/notes.txt"; tar -C "$SCRATCH/evil" -cf "$SCRATCH/evil.tar" .
is "$(post -H "Authorization: Bearer $TOKC" -H 'Content-Type: application/x-tar' --data-binary @"$SCRATCH/evil.tar" "$B/api/feeds/call_handling")" 422 "a tar holding another file is refused whole (422)"
ln -s /etc/passwd "$SCRATCH/evil/events.csv"; rm "$SCRATCH/evil/notes.txt"; tar -C "$SCRATCH/evil" -cf "$SCRATCH/evil.tar" .
is "$(post -H "Authorization: Bearer $TOKC" -H 'Content-Type: application/x-tar' --data-binary @"$SCRATCH/evil.tar" "$B/api/feeds/call_handling")" 422 "a tar holding a symbolic link is refused whole (422)"
"$JD" audit list --db "$DB" 2>/dev/null | grep -q "feed:police-nightly.*feed.*denied: the token is for police"
is $? 0 "the refused token is in the audit log, by name"
alerts() { curl -s -b "$SCRATCH/a.jar" "$B/api/alerts?kind=child_at_risk&level=critical"; }
alerts | grep -q CHLIVE2
is $? 1 "before the feed no alert names the call"
sed 's/LIVE1/LIVE2/g; s/Mina/Nell/' "$FIX/feed_call/events.csv" > "$SCRATCH/up/events.csv"
sed 's/LIVE1/LIVE2/g; s/Mina/Nell/' "$FIX/feed_call/persons.csv" > "$SCRATCH/up/persons.csv"
tar -C "$SCRATCH/up" -cf "$SCRATCH/call.tar" .
is "$(post -H "Authorization: Bearer $TOKC" -H 'Content-Type: application/x-tar' --data-binary @"$SCRATCH/call.tar" "$B/api/feeds/call_handling?name=call-2205")" 200 "the call_handling token posts a call_handling feed (200)"
grep -q '"stored":2' "$SCRATCH/post.out"; ok $? "the answer says what was stored"
seen=1
for _ in $(seq 1 600); do alerts | grep -q CHLIVE2 && { seen=0; break; }; sleep 0.1; done
is $seen 0 "the server shows the new critical alert without a restart"
# the live thread swaps in the new persons right after the resolve, before
# the analysis: requests never build the index themselves while it runs
# (the urgent lane shows the call before the update ends: wait for its end)
for _ in $(seq 1 600); do grep -q 'updated after feeds' "$SCRATCH/serve.log" && break; sleep 0.1; done
awk '/reloaded the persons/ {p = 1} /updated after feeds/ {ok = ok || p} END {exit !ok}' "$SCRATCH/serve.log"
ok $? "the persons were reloaded after the resolve, before the update's end"
# what GET /api/network and /api/profile serve stays that of the last full
# run after an incremental one, as the network alerts do (before, it was
# "old" and each request built the graph again: 75 s on the 1M county)
is "$(db_query "$DB" "select count(*) from analysis_doc where name = 'net:graph' and run_id = (select max(id) from analysis_run)")" 1 "after the incremental update the network graph stored by the last full run is still served (its document moved to the new run)"
curl -s -b "$SCRATCH/a.jar" "$B/api/search?q=Nell" | python3 -c '
import json, sys
r = json.load(sys.stdin)["results"]
sys.exit(0 if any("Nell" in json.dumps(p) for p in r) else 1)' 2>/dev/null
ok $? "search finds the new child in the index the live thread loaded"
PID=$(alerts | python3 -c 'import json,sys; print([a["subject"]["person_id"] for a in json.load(sys.stdin)["alerts"] if "CHLIVE2" in json.dumps(a)][0])' 2>/dev/null)
seen=1
for _ in $(seq 1 100); do curl -s -b "$SCRATCH/a.jar" "$B/api/concerns?all=1" | grep -q "\"$PID\"" && { seen=0; break; }; sleep 0.1; done
[ -n "$PID" ] && [ $seen = 0 ]; ok $? "and the escalation: a concern the engine opened for that child ($PID)"
# The server's own drop folder.
mkdir -p "$SDROP/police/d1"
{ head -1 "$FIX/alerts/events.csv"; echo 'police,PDROP1,call_for_service,2024-06-12T10:00,,,OX4 1AA,A police call.,,,,PC,'; } > "$SDROP/police/d1/events.csv"
sleep 1.5
[ -d "$SDROP/police/d1" ]; ok $? "the server leaves a bundle without its marker alone"
touch "$SDROP/police/d1.done"
for _ in $(seq 1 100); do [ -d "$SDROP/police/ingested/"*-d1 ] 2>/dev/null && break; sleep 0.1; done
compgen -G "$SDROP/police/ingested/*-d1" >/dev/null; ok $? "the server ingests a marked bundle of its drop folder"
kill -TERM "$SPID"; wait "$SPID"
is $? 0 "serve stops cleanly on SIGTERM with the live thread"
grep -q "reloaded the alerts" "$SCRATCH/serve.log"; ok $? "the server logged its reload"
done_testing
