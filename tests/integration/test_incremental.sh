#!/usr/bin/env bash
# Issue 17 item 2: incremental analysis (`joindots analyse --incremental`,
# jd_analyse_incremental). A county fed in slices, each followed by resolve
# and an incremental analysis, against one full analysis of the same store:
# every alert that does not depend on network detection is byte-identical
# (networks are detected by full runs only, and their members' risk reads
# the network feedback). An urgent call fed alone is raised by the
# incremental run as the full run raises it; nothing new touches nothing;
# bad use and a damaged watermark are refused.
# Runs on SQLite and, as incremental_pg, on PostgreSQL (lib.sh).
# Usage: test_incremental.sh JOINDOTS SOURCE_ROOT
JD=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
# the waits' time-outs scale with the build (scripts/test-tsan.sh sets
# JD_TEST_TIME_FACTOR: ThreadSanitizer runs the server 5 to 15 times slower)
TF=${JD_TEST_TIME_FACTOR:-1}
scratch
C="$SCRATCH/c"; mkdir -p "$C"
INC=$(store_at "$C/inc.db")
"$JD" synth --out "$C/county" --events 12000 --seed 11 >/dev/null 2>&1
python3 "$SRC/tests/integration/slice_bundle.py" "$C/county" "$C/sl" 5
# alerts as comparable lines: id, kind, level, subject, raised_at, doc
# the first ref of an alert's subject, agency or person_ref (SQL)
jx() { if on_pg; then echo "(doc::json->'subject'->'refs'->0->>'$1')"; else echo "json_extract(doc, '\$.subject.refs[0].$1')"; fi; }
dump() { db_query "$1" "SELECT id, kind, level, coalesce(subject, ''), raised_at, doc FROM alert ORDER BY id"; }
# same A.db B.db: the alerts of both outside networks (not a network alert,
# nor of a person any network alert of either store names) byte-identical;
# prints the number compared and the number differing
same() {
  python3 - "$1" "$2" <<'PY'
import jdq, sys
def alerts(p):
    return {r[0]: tuple(r) for r in jdq.connect(p).execute(
        "SELECT id, kind, level, coalesce(subject, ''), raised_at, doc FROM alert"
        " WHERE kind <> 'escalation'")}
a, b = alerts(sys.argv[1]), alerts(sys.argv[2])
net = ' '.join(r[5] for r in list(a.values()) + list(b.values()) if r[1] == 'exploitation_network')
def keep(r):
    return r[1] != 'exploitation_network' and ('"%s"' % r[3]) not in net
ka = {k: r for k, r in a.items() if keep(r)}
kb = {k: r for k, r in b.items() if keep(r)}
diff = sum(1 for k in set(ka) | set(kb) if ka.get(k) != kb.get(k))
print(len(ka), diff)
PY
}

# no saved analysis yet: the incremental run is a full one
"$JD" ingest --db "$INC" --quiet "$C"/sl/s000/* >/dev/null 2>&1 && "$JD" resolve --db "$INC" >/dev/null 2>&1
"$JD" analyse --db "$INC" --incremental > "$C/first.out" 2>&1
is "$?:$(grep -c 'incremental:' "$C/first.out")" "0:0" "with no saved analysis, --incremental runs the full analysis"
C_first_full=$(store_copy "$INC" c_first_full); "$JD" analyse --db "$C_first_full" >/dev/null 2>&1
is "$(dump "$INC" | md5sum)" "$(dump "$C_first_full" | md5sum)" "and stores what the full analysis stores"

fails=0 incs=0
for s in "$C"/sl/s00[1-9]; do
  "$JD" ingest --db "$INC" --quiet "$s"/* >/dev/null 2>&1 || fails=$((fails + 1))
  "$JD" resolve --db "$INC" >/dev/null 2>&1 || fails=$((fails + 1))
  "$JD" analyse --db "$INC" --incremental > "$C/step.out" 2>&1 || fails=$((fails + 1))
  grep -q 'incremental: [0-9]* persons touched' "$C/step.out" && incs=$((incs + 1))
done
is "$fails:$incs" "0:4" "four more slices, each ingested, resolved and analysed incrementally"
C_full=$(store_copy "$INC" c_full)
"$JD" analyse --db "$C_full" >/dev/null 2>&1
read -r n nd <<< "$(same "$C_full" "$INC")"
[ "$n" -gt 200 ]; ok $? "the full analysis has $n alerts outside networks to compare"
is "$nd" "0" "slices analysed incrementally = one full analysis: those alerts byte-identical"
nd=$(python3 - "$C_full" "$INC" <<'PY'
import jdq, sys
a = {r[0]: r[1] for r in jdq.connect(sys.argv[1]).execute("SELECT id, doc FROM alert WHERE kind <> 'escalation'")}
b = {r[0]: r[1] for r in jdq.connect(sys.argv[2]).execute("SELECT id, doc FROM alert")}
print(sum(1 for k in a if b.get(k) != a[k]))
PY
)
echo "# known gap: networks are detected by full runs only; alerts differing with networks and their members included: $nd"

# nothing stored since: nothing touched, nothing changed
dump "$INC" > "$C/before.al"
"$JD" analyse --db "$INC" --incremental > "$C/idle.out" 2>&1
grep -q 'incremental: 0 persons touched, 0 walked' "$C/idle.out"; ok $? "with nothing new, no person is touched or walked"
dump "$INC" > "$C/after.al"
cmp -s "$C/before.al" "$C/after.al"; ok $? "and the stored alerts stay as they were"
runs=$(db_query "$INC" 'SELECT count(*) FROM analysis_run')
"$JD" analyse --db "$INC" --incremental >/dev/null 2>&1
is "$(db_query "$INC" 'SELECT count(*) FROM analysis_run')" "$runs" "and with the watermark as it was, no analysis run is recorded"

# an urgent call on its own
"$JD" ingest --db "$INC" --quiet "$SRC/tests/data/bundles/feed_call" >/dev/null 2>&1 && "$JD" resolve --db "$INC" >/dev/null 2>&1
"$JD" analyse --db "$INC" --incremental > "$C/call.out" 2>&1
t=$(sed -n 's/.*incremental: \([0-9]*\) persons touched.*/\1/p' "$C/call.out")
is "$t" "1" "the urgent call touches one person"
crit=$(db_query "$INC" "SELECT count(*) FROM alert WHERE kind = 'child_at_risk' AND level = 'critical' AND doc LIKE '%CHLIVE1%'")
is "$crit" "1" "the incremental run raises the call's child to critical, naming the call"
C_call_full=$(store_copy "$INC" c_call_full); "$JD" analyse --db "$C_call_full" >/dev/null 2>&1
read -r n nd <<< "$(same "$C_call_full" "$INC")"
is "$nd" "0" "after the call, incremental = full ($n alerts outside networks)"

# a person's decision merges two children: the identity that goes takes its
# alerts with it (its row may stay in the store, with no ref)
pick=$(db_query "$INC" "SELECT subject || ' ' || $(jx agency) || ':' || $(jx person_ref) FROM alert WHERE kind = 'child_at_risk' AND subject NOT LIKE 'U:%' ORDER BY id LIMIT 2")
read -r p1 r1 p2 r2 <<< "$(echo $pick)"
"$JD" link confirm --db "$INC" --reason "test: the same child" "$r1" "$r2" >/dev/null 2>&1 && "$JD" resolve --db "$INC" >/dev/null 2>&1
"$JD" analyse --db "$INC" --incremental >/dev/null 2>&1
is "$(db_query "$INC" "SELECT count(DISTINCT subject) FROM alert WHERE kind = 'child_at_risk' AND subject IN ('$p1', '$p2')")" "1" "two children merged by a decision: one child_at_risk alert is left ($p1, $p2)"
C_merge_full=$(store_copy "$INC" c_merge_full); "$JD" analyse --db "$C_merge_full" >/dev/null 2>&1
read -r n nd <<< "$(same "$C_merge_full" "$INC")"
is "$nd" "0" "after the merge, incremental = full ($n alerts outside networks)"

# a corrected row (a new version of an event) is found through the history
python3 - "$C/sl/s001" "$C/fix" <<'PY'
import csv, glob, os, sys
src, out = sys.argv[1], sys.argv[2]
path = sorted(glob.glob(os.path.join(src, '*', 'events*.csv')))[0]
rows = list(csv.DictReader(open(path, newline='', encoding='utf-8')))
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, 'events.csv'), 'w', newline='', encoding='utf-8') as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader()
    r = rows[0]
    r['narrative'] = (r.get('narrative') or '') + ' Corrected: she said she was held against her will by older men.'
    w.writerow(r)
PY
"$JD" ingest --db "$INC" --quiet "$C/fix" >/dev/null 2>&1
"$JD" analyse --db "$INC" --incremental > "$C/fix.out" 2>&1
t=$(sed -n 's/.*incremental: \([0-9]*\) persons touched.*/\1/p' "$C/fix.out")
[ "${t:-0}" -ge 1 ]; ok $? "a corrected event touches the persons named in it ($t)"
C_fix_full=$(store_copy "$INC" c_fix_full); "$JD" analyse --db "$C_fix_full" >/dev/null 2>&1
read -r n nd <<< "$(same "$C_fix_full" "$INC")"
is "$nd" "0" "after the correction, incremental = full ($n alerts outside networks)"

# fed through the drop folder: resolve, incremental analysis, and the
# escalation engine over the persons walked (jd_live_update, opts.incremental)
W="$SCRATCH/w"; mkdir -p "$W/drop"
WDB=$(store_at "$W/w.db")
"$JD" synth --out "$W/county" --events 8000 --seed 5 >/dev/null 2>&1
python3 "$SRC/tests/integration/slice_bundle.py" "$W/county" "$W/sl" 3
fails=0
for s in "$W"/sl/s*; do
  for a in "$s"/*; do ag=$(basename "$a"); mkdir -p "$W/drop/$ag"; mv "$a" "$W/drop/$ag/$(basename "$s")"; touch "$W/drop/$ag/$(basename "$s").done"; done
  "$JD" watch --db "$WDB" --once --incremental "$W/drop" >> "$W/watch.out" 2>&1 || fails=$((fails + 1))
done
is "$fails:$(grep -c '^updated in' "$W/watch.out"):$(grep -c 'incremental analysis:' "$W/watch.out")" "0:3:2" "three slices through the drop folder: the first analysed in full, the next two incrementally"
ndone=$(db_query "$WDB" "SELECT count(*) FROM concern WHERE id LIKE 'auto:child:%'")
[ "$ndone" -ge 5 ]; ok $? "the escalation engine opened $ndone child concerns along the way"
W_full=$(store_copy "$WDB" w_full)
"$JD" concern run --db "$W_full" >/dev/null 2>&1
# child concerns outside networks: the same whether escalated over the persons walked or over everyone
qc="SELECT c.id, c.status, c.rung, c.level, c.raised_at, c.due_at, c.base FROM concern c WHERE c.id LIKE 'auto:child:%' AND NOT EXISTS (SELECT 1 FROM alert n WHERE n.kind = 'exploitation_network' AND $(on_pg && echo strpos || echo instr)(n.doc, '\"' || substr(c.id, 12) || '\"') > 0) ORDER BY c.id"
db_query "$WDB" "$qc" > "$W/inc.c"; db_query "$W_full" "$qc" > "$W/full.c"
cmp -s "$W/inc.c" "$W/full.c"; ok $? "escalated over the persons walked = a full escalation run: $(wc -l < "$W/full.c") child concerns equal ($(diff "$W/inc.c" "$W/full.c" | grep -c '^[<>]') lines differ)"

# the urgent-call fast path: the call's child is analysed and escalated
# before the feed is resolved, then the update runs as usual
W_pre=$(store_copy "$WDB" w_pre) # before the call, for the urgent lane alone below
mkdir -p "$W/drop/call_handling"; cp -r "$SRC/tests/data/bundles/feed_call" "$W/drop/call_handling/call"
touch "$W/drop/call_handling/call.done"
"$JD" watch --db "$WDB" --once --incremental "$W/drop" > "$W/call.out" 2>&1
grep -q 'urgent calls first: [1-9][0-9]* persons' "$W/call.out"; ok $? "a held-against-her-will call is screened and analysed first: $(grep -o 'urgent calls first.*' "$W/call.out")"
is "$(db_query "$WDB" "SELECT count(*) FROM alert WHERE kind = 'child_at_risk' AND level = 'critical' AND doc LIKE '%CHLIVE1%'")" "1" "the call's child has one critical child_at_risk alert naming the call"
# the call's resolve touched one identity and the analysis took that whole
# (identities_known): what it saw (analysis_ref) is every resolved ref as it
# is now, the touched identities' refs brought up to date without comparing
stale="SELECT count(*) FROM identity_ref ir JOIN identity i ON i.id = ir.identity_id LEFT JOIN analysis_ref a ON a.agency = ir.agency AND a.person_ref = ir.person_ref WHERE a.person_id IS NULL OR a.person_id <> i.person_id OR a.info <> coalesce(i.dob, '') || '|' || i.is_child || '|' || coalesce(i.display_name, '')"
grep -q 'incremental analysis:.*identities from the resolve run' "$W/call.out"; ok $? "the call's update takes the resolve run's touched set whole"
is "$(db_query "$WDB" "$stale")" 0 "analysis_ref holds every resolved ref as the analysis saw it, the call's new ref included"
sub=$(db_query "$WDB" "SELECT subject FROM alert WHERE kind = 'child_at_risk' AND doc LIKE '%CHLIVE1%'")
is "$(db_query "$WDB" "SELECT count(*) FROM concern WHERE id = 'auto:child:$sub'")" "1" "and the escalation engine opened the child's concern"
# reconciled once: the urgent lane's alerts and concern on the call's ref
# (U:call_handling:CLIVE1) gave way to the child's own
is "$(db_query "$WDB" "SELECT count(*) FROM alert WHERE subject LIKE 'U:%' OR doc LIKE '%urgent_lane%'")" "0" "after the update no alert is left on the call's ref, none says it came by the urgent lane"
is "$(db_query "$WDB" "SELECT count(*) FROM concern WHERE status <> 'closed' AND (id = 'auto:child:$sub' OR id = 'auto:child:U:call_handling:CLIVE1')")" "1" "one open concern for the call's child, not two"
grep -q 'urgent calls placed: 1 concerns' "$W/call.out"; ok $? "the lane's concern on the ref was placed: $(grep -o 'urgent calls placed.*' "$W/call.out")"
is "$(db_query "$WDB" "SELECT status FROM concern WHERE id = 'auto:child:U:call_handling:CLIVE1'")" "closed" "the lane's concern on the ref is closed"
db_query "$WDB" "SELECT doc FROM concern_event WHERE concern_id = 'auto:child:U:call_handling:CLIVE1' AND action = 'placed'" | grep -q "\"auto:child:$sub\""; ok $? "its last entry (placed) names the child's concern it continues as"
# the urgent lane alone (`analyse --urgent`, what serve does first): the
# critical alert and the concern at once, on the ref (identity pending),
# each alert saying it came by the lane and why
"$JD" ingest --db "$W_pre" --quiet "$SRC/tests/data/bundles/feed_call" >/dev/null 2>&1
"$JD" analyse --db "$W_pre" --urgent > "$W/urgent.out" 2>&1; ok $? "analyse --urgent runs: $(head -1 "$W/urgent.out")"
lane() { db_query "$W_pre" "SELECT doc FROM alert WHERE id = 'child_at_risk:U:call_handling:CLIVE1' AND level = 'critical'" | python3 -c 'import json,sys; d=json.load(sys.stdin)["urgent_lane"]; print(d["lane"], d["identity"], d["why"]["rule"], d["why"]["matched"])' 2>/dev/null; }
is "$(lane)" "urgent pending T2 being held against her will in a flat by" "the critical alert is on the call's ref, says urgent lane, identity pending, and why (T2, the words)"
is "$(db_query "$W_pre" "SELECT status FROM concern WHERE id = 'auto:child:U:call_handling:CLIVE1'")" "open" "and the escalation opened its concern at once"
is "$(db_query "$W_pre" "SELECT count(*) FROM alert WHERE doc LIKE '%urgent_lane%' AND subject <> 'U:call_handling:CLIVE1'")" "0" "no other person's alert carries the lane's note"
"$JD" analyse --db "$W_pre" --urgent --no-save >/dev/null 2>&1; is $? 2 "analyse --urgent --no-save is refused"
"$JD" analyse --db "$W_pre" --urgent --incremental >/dev/null 2>&1; is $? 2 "analyse --urgent --incremental is refused (the lane ignored it)"
"$JD" analyse --db "$W_pre" --urgent --threads 2 >/dev/null 2>&1; is $? 2 "analyse --urgent --threads is refused"
"$JD" analyse --db "$W_pre" --urgent --partitions 2 >/dev/null 2>&1; is $? 2 "analyse --urgent --partitions is refused"
"$JD" serve --db "$W_pre" --full --full-every 60 >/dev/null 2>&1; is $? 2 "serve --full --full-every is refused (--full ignored it)"
# the lane's concern on the ref is reconciled from the store, not from the
# lane's keys in memory: a restart between the lane and the update loses
# nothing. Unresolved yet: an escalation run leaves it open, counts none.
U1="auto:child:U:call_handling:CLIVE1"
W_r=$(store_copy "$W_pre" w_r)
"$JD" concern run --db "$W_r" > "$W/r0.out" 2>&1
is "$(grep -c 'urgent calls placed' "$W/r0.out"):$(db_query "$W_r" "SELECT status FROM concern WHERE id = '$U1'")" "0:open" "a restart, the ref not resolved yet: the scheduled escalation leaves the lane's concern open and counts none placed"
# a practitioner acknowledges the call's concern and comments before the
# ref is placed: both carried onto the child's concern it continues as
# (not asked again; the history kept)
r1=$(db_query "$W_r" "SELECT rung FROM concern WHERE id = '$U1'")
"$JD" concern ack "$U1" --db "$W_r" --by ann --as "$r1" >/dev/null 2>&1 &&
  "$JD" concern comment "$U1" --db "$W_r" --by ann --as "$r1" --text "rang her aunt" >/dev/null 2>&1
ok $? "the lane's concern acknowledged and commented at $r1"
"$JD" resolve --db "$W_r" >/dev/null 2>&1 && "$JD" analyse --db "$W_r" >/dev/null 2>&1
# a carry cut short (a trigger refusing one write stands for a store error
# or a crash): carried first, closed after, so the call's concern stays open
# and the next run carries what is left, each entry once
refuse() { # WHEN condition on NEW: that insert into concern_event fails
  if on_pg; then
    db_query "$W_r" "CREATE OR REPLACE FUNCTION jd_test_refuse() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RAISE EXCEPTION 'refused by the test'; END \$\$; CREATE TRIGGER jd_test_refuse BEFORE INSERT ON concern_event FOR EACH ROW WHEN ($1) EXECUTE FUNCTION jd_test_refuse();"
  else
    db_query "$W_r" "CREATE TRIGGER jd_test_refuse BEFORE INSERT ON concern_event WHEN $1 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;"
  fi
}
unrefuse() { if on_pg; then db_query "$W_r" "DROP TRIGGER jd_test_refuse ON concern_event"; else db_query "$W_r" "DROP TRIGGER jd_test_refuse"; fi; }
refuse "NEW.action = 'commented' AND NEW.doc LIKE '%carried_from%'"
"$JD" concern run --db "$W_r" > "$W/r1a.out" 2>&1
is "$(db_query "$W_r" "SELECT status FROM concern WHERE id = '$U1'")" "acknowledged" "the comment's carry refused after the acknowledgement's: the call's concern is left as it was, acknowledged (not closed first, its comment lost)"
unrefuse; refuse "NEW.action = 'placed'"
"$JD" concern run --db "$W_r" > "$W/r1b.out" 2>&1
is "$(db_query "$W_r" "SELECT status FROM concern WHERE id = '$U1'")" "acknowledged" "everything carried, the close refused: not closed yet"
unrefuse
"$JD" concern run --db "$W_r" > "$W/r1.out" 2>&1
grep -q 'urgent calls placed: 1 concerns' "$W/r1.out"; ok $? "resolved since: the scheduled escalation places it from the store: $(grep -o 'urgent calls placed.*' "$W/r1.out")"
is "$(db_query "$W_r" "SELECT status FROM concern WHERE id = '$U1'"):$(db_query "$W_r" "SELECT count(*) FROM concern_event WHERE concern_id = '$U1' AND action = 'placed' AND automatic = 1")" "closed:1" "closed as placed, by one automatic entry (the system's, not a person's)"
sub_r=$(db_query "$W_r" "SELECT subject FROM alert WHERE kind = 'child_at_risk' AND doc LIKE '%CHLIVE1%'")
carried() { db_query "$W_r" "SELECT action || ' ' || actor FROM concern_event WHERE concern_id = 'auto:child:$sub_r' AND automatic = 0 AND doc LIKE '%carried_from%$U1%' ORDER BY seq" | tr '\n' ';'; }
is "$(carried)" "acknowledged ann;commented ann;" "the acknowledgement and the comment carried onto the child's concern (auto:child:$sub_r), naming the call's, each once over the three runs"
is "$(db_query "$W_r" "SELECT rung || ' ' || status FROM concern WHERE id = 'auto:child:$sub_r'")" "$r1 acknowledged" "the child's concern, at the rung acknowledged, is acknowledged: nobody is asked again"
db_query "$W_r" "SELECT doc FROM concern_event WHERE concern_id = 'auto:child:$sub_r' AND action = 'commented'" | grep -q 'rang her aunt'; ok $? "the comment's text kept"
"$JD" concern run --db "$W_r" > "$W/r2.out" 2>&1
is "$(grep -c 'urgent calls placed' "$W/r2.out"):$(db_query "$W_r" "SELECT status FROM concern WHERE id = '$U1'"):$(db_query "$W_r" "SELECT count(*) FROM concern_event WHERE concern_id = '$U1' AND action = 'placed'")" "0:closed:1" "the next run: the placed entry holds (the fold replays it), nothing placed again"
# the identity's own concern closed by hand before a second call on a new
# ref of that child: the call's concern stays open for a person to read (the
# engine reopens the child's only at a risk rise, and she was closed at
# critical: closing the call's too would drop a new critical call)
W_x=$(store_copy "$WDB" w_x)
"$JD" concern close "auto:child:$sub" --db "$W_x" --by ann --as head_of_service --reason safe --text "placed with her aunt" --signoff bob --signoff-as head_of_service >/dev/null 2>&1; ok $? "the child's concern closed by hand"
cp -r "$SRC/tests/data/bundles/feed_call" "$W/call2"
sed -i 's/CHLIVE1/CHLIVE2/g; s/CLIVE1/CLIVE2/g; s/2024-06-10T22:05/2024-06-12T21:00/' "$W/call2"/*.csv
"$JD" ingest --db "$W_x" --quiet "$W/call2" >/dev/null 2>&1 && "$JD" analyse --db "$W_x" --urgent >/dev/null 2>&1
U2="auto:child:U:call_handling:CLIVE2"
is "$(db_query "$W_x" "SELECT status FROM concern WHERE id = '$U2'")" "open" "a second call on a new ref: the lane opens its concern"
"$JD" resolve --db "$W_x" >/dev/null 2>&1 && "$JD" analyse --db "$W_x" >/dev/null 2>&1
"$JD" concern run --db "$W_x" > "$W/x.out" 2>&1
! grep -q 'urgent calls placed: [1-9]' "$W/x.out"; ok $? "the identity's concern is closed: nothing placed, nothing counted"
is "$(db_query "$W_x" "SELECT status FROM concern WHERE id = '$U2'"):$(db_query "$W_x" "SELECT count(*) FROM concern_event WHERE concern_id = '$U2' AND action = 'placed'")" "open:0" "the call's concern stays open, with no placed entry"
# an urgent record on a ref a stored identity holds, a child with no
# concern yet: the lane raises the alert on the identity and opens its
# concern at once, as it does for a pending ref, not at the next run
# (session 12's review asked; it holds)
W_s=$(store_copy "$WDB" w_s)
read -r sref spid sdob <<<"$(db_query "$W_s" "SELECT ir.person_ref || ' ' || i.person_id || ' ' || i.dob FROM identity_ref ir JOIN identity i ON i.id = ir.identity_id WHERE ir.agency = 'police' AND i.is_child = 1 AND i.dob IS NOT NULL AND NOT EXISTS (SELECT 1 FROM concern c WHERE c.id = 'auto:child:' || i.person_id) ORDER BY i.person_id LIMIT 1" | tr '|' ' ')"
at=$(date -d "$sdob +14 years" +%Y-%m-%d) # a call while she is 14
mkdir -p "$W/call3"
printf '%s\n' 'agency,record_id,event_type,occurred_at,reported_at,location,postcode,narrative' \
  "police,PLIVE3,call_for_service,${at}T21:00,,,OX4 1AA,Caller says a girl of 14 is being held against her will in a flat by older men." >"$W/call3/events.csv"
printf '%s\n' 'agency,record_id,person_ref,role' "police,PLIVE3,$sref,subject" >"$W/call3/persons.csv"
"$JD" ingest --db "$W_s" --quiet "$W/call3" >/dev/null 2>&1 && "$JD" analyse --db "$W_s" --urgent >"$W/s.out" 2>&1
ok $? "an urgent police call on $sref (stored as $spid, no concern) at $at: the lane runs: $(head -1 "$W/s.out")"
is "$(db_query "$W_s" "SELECT count(*) FROM alert WHERE subject = '$spid' AND kind = 'child_at_risk' AND level = 'critical' AND doc LIKE '%\"identity\":\"stored\"%'")" "1" "the lane's critical alert is on the stored identity"
is "$(db_query "$W_s" "SELECT status FROM concern WHERE id = 'auto:child:$spid'")" "open" "and its concern is open at once"

# a feed with no urgent record takes no fast path
mkdir -p "$W/drop/school"; mkdir -p "$W/q/school"
python3 - "$W/county" "$W/drop/school/quiet" <<'PY'
import csv, glob, os, sys
src, out = sys.argv[1], sys.argv[2]
path = os.path.join(src, 'events_school.csv')
rows = [r for r in csv.DictReader(open(path, newline='', encoding='utf-8')) if r['agency'] == 'school'][:1]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, 'events.csv'), 'w', newline='', encoding='utf-8') as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader()
    r = dict(rows[0]); r['record_id'] = 'QUIET1'; r['narrative'] = 'Attended all lessons today.'
    w.writerow(r)
PY
cp -r "$W/drop/school/quiet" "$W/quiet.tpl"
touch "$W/drop/school/quiet.done"
"$JD" watch --db "$WDB" --once --incremental "$W/drop" > "$W/quiet.out" 2>&1
is "$(grep -c '^updated in' "$W/quiet.out"):$(grep -c 'urgent calls first' "$W/quiet.out")" "1:0" "a school record with nothing urgent: updated, no fast path"
# a restart after the lane and the resolve (the lane keys lost): the next
# update (a feed with nothing urgent, so no lane keys, the call's ref
# resolved) places the lane's concern from the store
mkdir -p "$W/drop_r/school"; cp -r "$W/quiet.tpl" "$W/drop_r/school/quiet"; touch "$W/drop_r/school/quiet.done"
W_u=$(store_copy "$W_pre" w_u)
"$JD" resolve --db "$W_u" >/dev/null 2>&1
is "$(db_query "$W_u" "SELECT status FROM concern WHERE id = '$U1'")" "open" "the ref resolved, its lane concern still open"
"$JD" watch --db "$W_u" --once --incremental "$W/drop_r" > "$W/u.out" 2>&1
grep -q 'urgent calls placed: 1 concerns' "$W/u.out"; ok $? "a restart after the resolve: the next update places the lane's concern from the store: $(grep -o 'urgent calls placed.*' "$W/u.out")"
is "$(db_query "$W_u" "SELECT status FROM concern WHERE id = '$U1'")" "closed" "and it is closed"
# the analysis records the resolve run it read (the watermark's last field):
# after an incremental resolve that started from it, the run's touched set is
# every identity changed (identities_known); after a full `joindots resolve`
# in between (a nightly run), the store compares every ref again
grep -q 'identities from the resolve run' "$W/quiet.out"; ok $? "the analysis read the run the feed's resolve started from: its touched set is taken whole"
# (the quiet record touched no one, so no analysis was saved: the watermark
# names the run before, and the quiet run recorded no change)
is "$(db_query "$WDB" "SELECT value FROM meta WHERE key = 'analysis_mark'" | awk -F, '{print $7}'):$(db_query "$WDB" 'SELECT count(*) FROM identity_change WHERE run_id = (SELECT max(id) FROM resolve_run)')" "$(db_query "$WDB" 'SELECT max(id) - 1 FROM resolve_run'):0" "the watermark names the resolve run the last analysis read"
W_known_full=$(store_copy "$WDB" w_known_full); "$JD" analyse --db "$W_known_full" >/dev/null 2>&1
read -r n nd <<< "$(same "$W_known_full" "$WDB")"
is "$nd" "0" "and incremental = full ($n alerts outside networks)"
quiet() { # $1: record id; a school record dropped in its folder
  mkdir -p "$W/drop/school/$1"
  sed "s/QUIET1/$1/" "$W/quiet.tpl/events.csv" > "$W/drop/school/$1/events.csv"
  touch "$W/drop/school/$1.done"
}
"$JD" resolve --db "$WDB" --threshold 0.99 >/dev/null 2>&1
quiet QUIET2
"$JD" watch --db "$WDB" --once --incremental "$W/drop" > "$W/nightly.out" 2>&1
grep -q 'incremental analysis:.*identities compared' "$W/nightly.out"; ok $? "a full resolve after the last analysis: the refs are compared ($(grep -o 'incremental analysis:.*' "$W/nightly.out"))"
# the compare saves its watermark even when it found no one (a nightly run
# that changed no one): it names the feed's resolve run, so the next feed
# need not compare again
is "$(db_query "$WDB" "SELECT value FROM meta WHERE key = 'analysis_mark'" | awk -F, '{print $7}')" "$(db_query "$WDB" 'SELECT max(id) FROM resolve_run')" "the compared analysis's watermark names the feed's resolve run"
W_nightly_full=$(store_copy "$WDB" w_nightly_full); "$JD" analyse --db "$W_nightly_full" >/dev/null 2>&1
read -r n nd <<< "$(same "$W_nightly_full" "$WDB")"
is "$nd" "0" "and incremental = full after it ($n alerts outside networks)"
quiet QUIET3
"$JD" watch --db "$WDB" --once --incremental "$W/drop" > "$W/after.out" 2>&1
grep -q 'identities from the resolve run' "$W/after.out"; ok $? "the next feed's resolve starts from the run that analysis read: the touched set again"
# a watermark of six fields (stored before it named the resolve run) is read
# as "run unknown": the refs are compared, and the new watermark names it
db_query "$WDB" "UPDATE meta SET value = substr(value, 1, length(value) - length('$(db_query "$WDB" "SELECT value FROM meta WHERE key = 'analysis_mark'" | awk -F, '{print $7}')') - 1) WHERE key = 'analysis_mark'"
is "$(db_query "$WDB" "SELECT value FROM meta WHERE key = 'analysis_mark'" | awk -F, '{print NF}')" 6 "(a watermark of six fields, as stored before)"
quiet QUIET4
"$JD" watch --db "$WDB" --once --incremental "$W/drop" > "$W/old.out" 2>&1
grep -q 'incremental analysis:.*identities compared' "$W/old.out"; ok $? "an old watermark: the refs are compared ($(grep -o 'incremental analysis:.*' "$W/old.out"))"

# the server with --incremental: an urgent call dropped in its folder is
# shown (GET /api/alerts) with its escalation, and the rest still updates
S="$SCRATCH/s"; mkdir -p "$S/drop"
SDB=$(store_copy "$WDB" s_s)
echo "password-of-analyst-1" | "$JD" user add --db "$SDB" --role analyst --password-stdin analyst >/dev/null 2>&1
# the board's hotspots as the last full analysis stored them, marked so a
# build from the county cannot be mistaken for them: an incremental update
# keeps them (building them again cost 35-60 s of a reload at 1M events),
# the scheduled full analysis replaces them
db_query "$SDB" "DELETE FROM analysis_doc WHERE name = 'net:hotspots'"
db_query "$SDB" "INSERT INTO analysis_doc(name, run_id, ingest_gen, identity_gen, doc) VALUES ('net:hotspots', (SELECT max(id) FROM analysis_run), (SELECT coalesce(max(id), 0) FROM ingest_run), (SELECT coalesce(max(id), 0) FROM resolve_run), '{\"hotspots\": [{\"place\": \"Sentinel Place\", \"children\": [1, 2, 3], \"adults\": [], \"objects\": [], \"record_count\": 7}], \"min_children\": 3}')"
# JD_LIVE_CHECK_PATCH: each reload's patched alerts and board (only what
# the runs since the last reload wrote is read) compared with a full read
JD_LIVE_CHECK_PATCH=1 "$JD" serve --db "$SDB" --listen 127.0.0.1:0 --port-file "$S/port" --feeds "$S/drop" --escalate-every 3 --full-every 3 2>"$S/serve.log" &
SPID=$!
for _ in $(seq 1 $((100 * TF))); do [ -s "$S/port" ] && break; sleep 0.1; done
B="http://127.0.0.1:$(cat "$S/port")"
curl -s -c "$S/a.jar" -H 'Content-Type: application/json' -d '{"username":"analyst","password":"password-of-analyst-1"}' "$B/api/login" >/dev/null
crit() { curl -s -b "$S/a.jar" "$B/api/alerts?kind=child_at_risk&level=critical"; }
hot() { curl -s -b "$S/a.jar" "$B/api/dashboard" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["hotspots"]))'; }
is "$(hot)" '[{"place": "Sentinel Place", "children": 3, "adults": 0, "vehicles": 0, "records": 7}]' "at start the board's hotspots are the stored ones"
hoc() { curl -s -b "$S/a.jar" "$B/api/dashboard" | python3 -c 'import json,sys; print(sum(g["high_or_critical"] for g in json.load(sys.stdin)["equality_monitoring"]))'; }
hoc0=$(hoc)
crit | grep -q CHLIVE3
is $? 1 "before the call no alert names it"
mkdir -p "$S/drop/call_handling/c3"
# another child (not a twin of the first call's: with her surname and date of
# birth the refs are one person, and the alert is the first child's)
sed 's/LIVE1/LIVE3/g; s/Mina/Nell/; s/Lark/Wren/; s/2010-03-14/2011-05-02/' "$SRC/tests/data/bundles/feed_call/events.csv" > "$S/drop/call_handling/c3/events.csv"
sed 's/LIVE1/LIVE3/g; s/Mina/Nell/; s/Lark/Wren/; s/2010-03-14/2011-05-02/' "$SRC/tests/data/bundles/feed_call/persons.csv" > "$S/drop/call_handling/c3/persons.csv"
touch "$S/drop/call_handling/c3.done"
seen=1
for _ in $(seq 1 $((300 * TF))); do crit | grep -q CHLIVE3 && { seen=0; break; }; sleep 0.1; done
is $seen 0 "the server shows the call's critical alert (GET /api/alerts) without a restart"
# (the line follows the reload that showed the alert: wait for it)
for _ in $(seq 1 $((100 * TF))); do grep -q 'urgent calls first' "$S/serve.log" && break; sleep 0.1; done
grep -q 'urgent calls first: 1 persons' "$S/serve.log"; ok $? "through the fast path: $(grep -o 'urgent calls first.*' "$S/serve.log" | head -1)"
hot | grep -q 'Sentinel Place'; ok $? "the reload after the urgent call kept the board's hotspots (not built from the county)"
# the alert's subject, read again each time: the call's ref (the urgent
# lane, identity pending) until the update places it in its identity, whose
# concern then continues the ref's (closed as placed)
seen=1
for _ in $(seq 1 $((100 * TF))); do
  PID=$(crit | python3 -c 'import json,sys; print([a["subject"]["person_id"] for a in json.load(sys.stdin)["alerts"] if "CHLIVE3" in json.dumps(a)][0])' 2>/dev/null)
  curl -s -b "$S/a.jar" "$B/api/concerns?all=1" | grep -q "\"$PID\"" && { seen=0; break; }; sleep 0.1
done
[ -n "$PID" ] && [ $seen = 0 ]; ok $? "and the concern the escalation engine opened for that child ($PID)"
for _ in $(seq 1 $((100 * TF))); do grep -q 'updated after feeds' "$S/serve.log" && break; sleep 0.1; done
grep -q 'updated after feeds' "$S/serve.log"; ok $? "then the feed is resolved, analysed incrementally and escalated"
for _ in $(seq 1 $((100 * TF))); do [ "$(sed -n '/updated after feeds/,$p' "$S/serve.log" | grep -c "equality monitoring in")" -gt 0 ] && break; sleep 0.1; done
hoc1=$(hoc)
[ "$hoc1" -gt "$hoc0" ]; ok $? "the board's equality monitoring, brought up to date after the reload, counts the call's child ($hoc0 -> $hoc1 high or critical)"
for _ in $(seq 1 $((200 * TF))); do grep -q 'scheduled full analysis after incremental updates' "$S/serve.log" && break; sleep 0.1; done
grep -q 'scheduled full analysis after incremental updates' "$S/serve.log"; ok $? "the next scheduled run analyses in full (networks, clocks, the board's counts)"
for _ in $(seq 1 $((100 * TF))); do [ "$(sed -n '/scheduled full analysis/,$p' "$S/serve.log" | grep -c 'reloaded the alerts')" -gt 0 ] && break; sleep 0.1; done
hot | grep -q 'Sentinel Place'
is $? 1 "after it the board's hotspots are the full analysis' own"
checks() { grep -c 'patch check: [0-9]* alerts, equal to a full reload' "$S/serve.log"; }
[ "$(checks)" -ge 2 ] && ! grep -q 'DIFFERENT FROM a full reload' "$S/serve.log"; ok $? "after the urgent call, the feed and the full run the patched alerts and board equal a full reload ($(checks) reloads)"
ixs() { grep -c 'the patched person index: [0-9]* persons, equal to a full build' "$S/serve.log"; }
[ "$(ixs)" -ge 1 ] && ! grep -q 'DIFFERENT FROM a full build' "$S/serve.log"; ok $? "after the feed's resolve the patched person index equals a full build ($(ixs) patches: $(grep -o 'the persons ([0-9]* identities patched)' "$S/serve.log" | tail -1))"
# a run that changes the alerts behind the server's back (SQL...), then the
# number of alerts the next patched reload shows
last_n() { grep -o 'patch check: [0-9]* alerts' "$S/serve.log" | tail -1 | grep -o '[0-9]*'; }
# in one transaction, as a run writes its alerts: the server polls every
# second, and one that woke between the run row and the alerts' change
# found its patched read (before) unlike its full one (after)
later_run() {
  local c q all; c=$(grep -c 'patch check' "$S/serve.log")
  all="BEGIN; INSERT INTO analysis_run(started_at, finished_at, events, alerts) VALUES (1, 1, 0, 0);"
  for q in "$@"; do all="$all $q;"; done
  db_query "$SDB" "$all COMMIT;"
  for _ in $(seq 1 $((100 * TF))); do [ "$(grep -c 'patch check' "$S/serve.log")" -gt "$c" ] && break; sleep 0.1; done
  [ "$(grep -c 'patch check' "$S/serve.log")" -gt "$c" ] && ! grep -q 'DIFFERENT FROM' "$S/serve.log" && last_n
}
n0=$(last_n)
# one that removes an alert and writes none: the patch must drop it
n1=$(later_run "CREATE TABLE kept_alert AS SELECT * FROM alert WHERE id = (SELECT min(id) FROM alert WHERE kind = 'child_at_risk')" \
  "DELETE FROM alert WHERE id IN (SELECT id FROM kept_alert)")
is "$n1" "$((n0 - 1))" "an alert removed by a later run drops out of the patched alerts ($n0 -> $n1), equal to a full reload"
# and written again by the next run, it comes back
n2=$(later_run "INSERT INTO alert SELECT id, (SELECT max(id) FROM analysis_run), kind, level, subject, raised_at, doc FROM kept_alert" \
  "DROP TABLE kept_alert")
is "$n2" "$n0" "written again by a later run it is read back ($n1 -> $n2), equal to a full reload"
kill -TERM "$SPID"; wait "$SPID"
is $? 0 "serve --incremental stops cleanly on SIGTERM"
S_full=$(store_copy "$SDB" s_full); "$JD" analyse --db "$S_full" >/dev/null 2>&1
qa="SELECT id, kind, level, coalesce(subject, ''), raised_at, doc FROM alert WHERE kind <> 'escalation' ORDER BY id"
# as_full COPY MSG: every alert of $HDB equals a full analysis of a copy of it
as_full() {
  local c; c=$(store_copy "$HDB" "$1"); "$JD" analyse --db "$c" >/dev/null 2>&1
  db_query "$HDB" "$qa" > "$H/a1"; db_query "$c" "$qa" > "$H/a2"
  cmp -s "$H/a1" "$H/a2"; ok $? "$2 ($(wc -l < "$H/a2") alerts)"
}
db_query "$SDB" "$qa" > "$S/a1"; db_query "$S_full" "$qa" > "$S/a2"
cmp -s "$S/a1" "$S/a2"; ok $? "after it, every alert (networks included) equals a full analysis of the same store ($(wc -l < "$S/a2") alerts)"

# the urgent lane beside an update in hand (issue 17: an urgent call is not
# queued behind a large feed's update): a routine feed's update held before
# its resolve (JD_LIVE_TEST_HOLD, as a 5,000-event resolve computes for
# seconds), an urgent call dropped meanwhile is ingested, raised and
# escalated at once; SIGKILLed then, a restart loses nothing: both feeds
# stored once, and the update the kill cut short runs at the start
H="$SCRATCH/h"; mkdir -p "$H/drop/school" "$H/drop/call_handling"
HDB=$(store_copy "$SDB" h_s)
touch "$H/hold"
hserve() { # LOG [ENV...]; $HARGS: more options
  local log=$1; shift; rm -f "$H/port"
  # shellcheck disable=SC2086
  env "$@" "$JD" serve --db "$HDB" --listen 127.0.0.1:0 --port-file "$H/port" --feeds "$H/drop" --escalate-every 0 --full-every 0 ${HARGS:-} 2>"$H/$log" &
  HPID=$!
  for _ in $(seq 1 $((100 * TF))); do [ -s "$H/port" ] && break; sleep 0.1; done
  HB="http://127.0.0.1:$(cat "$H/port")"
  curl -s -c "$H/a.jar" -H 'Content-Type: application/json' -d '{"username":"analyst","password":"password-of-analyst-1"}' "$HB/api/login" >/dev/null
}
hcrit() { curl -s -b "$H/a.jar" "$HB/api/alerts?kind=child_at_risk&level=critical"; }
hserve s1.log JD_LIVE_TEST_HOLD="$H/hold"
cp -r "$W/quiet.tpl" "$H/drop/school/q2"; sed -i 's/QUIET1/QUIETH1/' "$H/drop/school/q2/events.csv"
touch "$H/drop/school/q2.done"
for _ in $(seq 1 $((100 * TF))); do grep -q 'updating after feeds' "$H/s1.log" && break; sleep 0.1; done
grep -q 'updating after feeds' "$H/s1.log"; ok $? "a routine feed's update begins (and is held)"
mkdir -p "$H/drop/call_handling/c4"
for f in events persons; do
  sed 's/LIVE1/LIVE4/g; s/Mina/Orla/; s/Lark/Finch/; s/2010-03-14/2012-08-09/' "$SRC/tests/data/bundles/feed_call/$f.csv" > "$H/drop/call_handling/c4/$f.csv"
done
touch "$H/drop/call_handling/c4.done"
seen=1
for _ in $(seq 1 $((200 * TF))); do hcrit | grep -q CHLIVE4 && { seen=0; break; }; sleep 0.1; done
is "$seen:$(grep -c 'updated after feeds' "$H/s1.log")" "0:0" "the urgent call's critical alert is shown while the routine feed's update is still in hand"
# the log line follows the swap readers see (and the board's equality pass)
for _ in $(seq 1 $((100 * TF))); do grep -q 'urgent calls first: 1 persons' "$H/s1.log" && break; sleep 0.1; done
grep -q 'urgent calls first: 1 persons.*beside the update in hand' "$H/s1.log"; ok $? "through the urgent lane, beside the update: $(grep -o 'urgent calls first.*' "$H/s1.log" | tail -1)"
is "$(db_query "$HDB" "SELECT status FROM concern WHERE id = 'auto:child:U:call_handling:CLIVE4'")" "open" "and its escalation: the concern on the call's ref is open"
kill -KILL "$HPID"; wait "$HPID" 2>/dev/null
is "$(db_query "$HDB" "SELECT count(*) FROM feed WHERE name IN ('q2', 'c4') AND status = 'ingested'")" "2" "SIGKILLed mid-update: both feeds stored, once each"
is "$(db_query "$HDB" "SELECT count(*) FROM event WHERE record_id IN ('QUIETH1', 'CHLIVE4')")" "2" "their events stored once"
ls "$H/drop/school/ingested" "$H/drop/call_handling/ingested" 2>/dev/null | grep -c -- '-q2$\|-c4$' | grep -qx 2; ok $? "both bundles moved out of the drop folder"
rm -f "$H/hold"
hserve s2.log
for _ in $(seq 1 $((300 * TF))); do grep -q 'updated after feeds' "$H/s2.log" && break; sleep 0.1; done
grep -q 'an update cut short?): updating' "$H/s2.log" && grep -q 'updated after feeds' "$H/s2.log"; ok $? "restarted, the update the kill cut short runs at once, no feed landing"
for _ in $(seq 1 $((100 * TF))); do grep -q 'urgent calls placed: 1' "$H/s2.log" && break; sleep 0.1; done
is "$(db_query "$HDB" "SELECT count(*) FROM alert WHERE subject LIKE 'U:%' OR doc LIKE '%urgent_lane%'"):$(db_query "$HDB" "SELECT status FROM concern WHERE id = 'auto:child:U:call_handling:CLIVE4'")" "0:closed" "after it the call's alert is its identity's and the lane's concern is placed (closed)"
HP=$(db_query "$HDB" "SELECT i.person_id FROM identity_ref ir JOIN identity i ON i.id = ir.identity_id WHERE ir.agency = 'call_handling' AND ir.person_ref = 'CLIVE4'")
is "$(db_query "$HDB" "SELECT count(*) FROM alert WHERE subject = '$HP' AND kind = 'child_at_risk' AND level = 'critical'"):$(db_query "$HDB" "SELECT status FROM concern WHERE id = 'auto:child:$HP'")" "1:open" "the child ($HP) has the critical alert and the open concern"
kill -TERM "$HPID"; wait "$HPID"
is $? 0 "the restarted server stops cleanly"
as_full h_full "and every alert equals a full analysis of the same store"

# a call dropped into the folder: hcall NAME ID FORENAME SURNAME DOB
hcall() {
  local f; mkdir -p "$H/drop/call_handling/$1"
  for f in events persons; do
    sed "s/LIVE1/$2/g; s/Mina/$3/; s/Lark/$4/; s/2010-03-14/$5/" "$SRC/tests/data/bundles/feed_call/$f.csv" > "$H/drop/call_handling/$1/$f.csv"
  done
  touch "$H/drop/call_handling/$1.done"
}
hupdated() { grep -c 'updated after feeds' "$H/$1"; }
# the urgent lane while the update's resolve has read and computed, held
# before its save (JD_LIVE_TEST_HOLD_SAVE, before it takes write_mu at the
# gate): the call's rows land after the resolve's watermark; it is raised
# at once, the held save then waits at the gate behind nothing, the next
# update resolves the call, and every alert equals a full analysis
touch "$H/hold2"
hserve s3.log JD_LIVE_TEST_HOLD_SAVE="$H/hold2"
cp -r "$W/quiet.tpl" "$H/drop/school/q3"; sed -i 's/QUIET1/QUIETH3/' "$H/drop/school/q3/events.csv"
touch "$H/drop/school/q3.done"
for _ in $(seq 1 $((300 * TF))); do grep -q "held before its resolve's save" "$H/s3.log" && break; sleep 0.1; done
grep -q "held before its resolve's save" "$H/s3.log"; ok $? "a routine feed's resolve has read and computed, and is held before its save"
hcall c6 LIVE6 Tess Rook 2013-02-17
seen=1
for _ in $(seq 1 $((200 * TF))); do hcrit | grep -q CHLIVE6 && { seen=0; break; }; sleep 0.1; done
is "$seen:$(hupdated s3.log)" "0:0" "a call dropped then is shown as a critical alert while the resolve waits to save"
for _ in $(seq 1 $((100 * TF))); do grep -q 'urgent calls first: 1 persons' "$H/s3.log" && break; sleep 0.1; done
grep -q 'urgent calls first: 1 persons.*beside the update in hand' "$H/s3.log"; ok $? "through the urgent lane, beside the update"
rm -f "$H/hold2"
for _ in $(seq 1 $((300 * TF))); do [ "$(hupdated s3.log)" -ge 2 ] && break; sleep 0.1; done
is "$(hupdated s3.log)" "2" "released, the routine feed's update ends, and the update for the call follows with no feed landing"
for _ in $(seq 1 $((100 * TF))); do grep -q 'urgent calls placed: 1' "$H/s3.log" && break; sleep 0.1; done
HP6=$(db_query "$HDB" "SELECT i.person_id FROM identity_ref ir JOIN identity i ON i.id = ir.identity_id WHERE ir.agency = 'call_handling' AND ir.person_ref = 'CLIVE6'")
is "$(db_query "$HDB" "SELECT count(*) FROM alert WHERE subject = '$HP6' AND kind = 'child_at_risk' AND level = 'critical'"):$(db_query "$HDB" "SELECT status FROM concern WHERE id = 'auto:child:U:call_handling:CLIVE6'")" "1:closed" "the call resolved ($HP6): its identity has the critical alert, the lane's concern is placed"
kill -TERM "$HPID"; wait "$HPID"
is $? 0 "the server stops cleanly"
as_full h_full3 "every alert equals a full analysis of the same store"

# a failed update is tried again with no feed landing (JD_LIVE_TEST_FAIL:
# while the file exists the update's resolve fails): 1 s later, then 2 s
touch "$H/fail"
hserve s4.log JD_LIVE_TEST_FAIL="$H/fail"
hcall c7 LIVE7 Ada Moss 2012-11-03
for _ in $(seq 1 $((100 * TF))); do grep -q 'trying again in 2 s' "$H/s4.log" && break; sleep 0.1; done
nf=$(grep -c 'resolve after a feed failed: test: a forced failure' "$H/s4.log")
[ "$nf" -ge 2 ] && grep -q 'trying again in 1 s' "$H/s4.log" && grep -q 'trying again in 2 s' "$H/s4.log" && [ "$(hupdated s4.log)" = 0 ]
ok $? "the update fails ($nf times), and is tried again after 1 s, then after 2 s"
rm -f "$H/fail"
for _ in $(seq 1 $((100 * TF))); do [ "$(hupdated s4.log)" -ge 1 ] && break; sleep 0.1; done
is "$(hupdated s4.log):$(db_query "$HDB" "SELECT count(*) FROM identity_ref WHERE agency = 'call_handling' AND person_ref = 'CLIVE7'")" "1:1" "once the failure is gone, the next try resolves the call with no other feed"
kill -TERM "$HPID"; wait "$HPID"
is $? 0 "the server stops cleanly"

# the gate's second look (jd_write_lock): the update's analysis has passed
# the gate (JD_LIVE_TEST_HOLD_GATE holds it there, before write_mu) when a
# call lands; the live thread's scan ingests it and, urgent_want on, holds
# before the urgent lane (JD_LIVE_TEST_HOLD_LANE). Given write_mu then, the
# analysis looks at the gate again and waits: else it would analyse with
# the call's rows stored and move the analysis watermark past them, and the
# urgent lane would find no call (shown only after the next update)
touch "$H/g5"
hserve s5.log JD_LIVE_TEST_HOLD_GATE="$H/g5" JD_LIVE_TEST_HOLD_LANE="$H/l5"
cp -r "$W/quiet.tpl" "$H/drop/school/q5"; sed -i 's/QUIET1/QUIETH5/' "$H/drop/school/q5/events.csv"
touch "$H/drop/school/q5.done"
for _ in $(seq 1 $((300 * TF))); do grep -q "held past the gate" "$H/s5.log" && break; sleep 0.1; done
grep -q "held past the gate" "$H/s5.log"; ok $? "a routine feed's analysis has passed the gate and is held before write_mu"
touch "$H/l5"
hcall c8 LIVE8 Nell Crane 2011-05-21
for _ in $(seq 1 $((300 * TF))); do grep -q "held after a scan that landed feeds" "$H/s5.log" && break; sleep 0.1; done
grep -q "held after a scan that landed feeds" "$H/s5.log"; ok $? "a call lands: the live thread has ingested it and holds before the urgent lane"
rm -f "$H/g5"
for _ in $(seq 1 $((100 * TF))); do grep -q 'waits at the gate again' "$H/s5.log" && break; sleep 0.1; done
is "$(grep -c 'waits at the gate again' "$H/s5.log"):$(hupdated s5.log)" "1:0" "the analysis, given write_mu, looks at the gate again and waits there"
rm -f "$H/l5"
for _ in $(seq 1 $((300 * TF))); do [ "$(hupdated s5.log)" -ge 2 ] && break; sleep 0.1; done
grep -q 'urgent calls first: 1 persons.*beside the update in hand' "$H/s5.log"; ok $? "the urgent lane finds the call before the analysis: $(grep -o 'urgent calls first.*' "$H/s5.log" | tail -1)"
HP8=$(db_query "$HDB" "SELECT i.person_id FROM identity_ref ir JOIN identity i ON i.id = ir.identity_id WHERE ir.agency = 'call_handling' AND ir.person_ref = 'CLIVE8'")
is "$(hupdated s5.log):$(db_query "$HDB" "SELECT count(*) FROM alert WHERE subject = '$HP8' AND kind = 'child_at_risk' AND level = 'critical'")" "2:1" "then the feed's update ends, the call's follows, and its identity ($HP8) has the critical alert"
kill -TERM "$HPID"; wait "$HPID"
is $? 0 "the server stops cleanly"
as_full h_full5 "every alert equals a full analysis of the same store"

# a stop keeps the kick: a feed uploaded (POST /api/feeds, which kicks the
# live thread) while the live thread is busy (JD_LIVE_TEST_HOLD_SCAN holds
# it after a scan) and the server is told to stop before it looks: the
# stop and the kick arrive together, and the update the upload asked for
# runs before the server exits
TOKC=$("$JD" token add --db "$HDB" --agency call_handling live-lat2-kick 2>/dev/null)
mkdir -p "$H/up9"
for f in events persons; do
  sed 's/LIVE1/LIVE9/g; s/Mina/Wren/; s/Lark/Hale/; s/2010-03-14/2011-09-30/' "$SRC/tests/data/bundles/feed_call/$f.csv" > "$H/up9/$f.csv"
done
tar -C "$H/up9" -cf "$H/c9.tar" .
hserve s6.log JD_LIVE_TEST_HOLD_SCAN="$H/l6"
touch "$H/l6"
for _ in $(seq 1 $((300 * TF))); do grep -q "held after its scan" "$H/s6.log" && break; sleep 0.1; done
grep -q "held after its scan" "$H/s6.log"; ok $? "the live thread is held after a scan of the drop folder"
grep -q "warning: test hook JD_LIVE_TEST_HOLD_SCAN is set" "$H/s6.log"; ok $? "serve warns at start that a test hook is set"
code=$(curl -s -o "$H/post9.out" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKC" -H 'Content-Type: application/x-tar' --data-binary @"$H/c9.tar" "$HB/api/feeds/call_handling")
is "$code:$(db_query "$HDB" "SELECT count(*) FROM event WHERE record_id = 'CHLIVE9'")" "200:1" "a call uploaded meanwhile is stored (its update asked for by a kick)"
kill -TERM "$HPID"
# the server stops taking requests, then (at the end of its teardown) tells
# the live thread to stop: release the hold once it has logged that
for _ in $(seq 1 $((300 * TF))); do grep -q "stopping the live thread" "$H/s6.log" && break; sleep 0.1; done
grep -q "stopping the live thread" "$H/s6.log"; ok $? "the server tells the live thread to stop while it is held"
rm -f "$H/l6"
wait "$HPID"
is $? 0 "the server stops cleanly"
is "$(grep -c 'updated after feeds' "$H/s6.log"):$(db_query "$HDB" "SELECT count(*) FROM identity_ref WHERE agency = 'call_handling' AND person_ref = 'CLIVE9'")" "1:1" "the kick that came with the stop is kept: the update runs before the exit and resolves the call"

# --resident: the county's mentions are read at the start on the background
# lane, holding no lock (issue 17: a call that landed in those seconds
# waited behind the read). The read held before it begins
# (JD_LIVE_TEST_HOLD_FILL): a call dropped meanwhile is raised at once, the
# read ends after it, the call's update follows and resolves it
touch "$H/hold7"
PDB=$(store_copy "$HDB" h_plain)
HARGS=--resident hserve s7.log JD_LIVE_TEST_HOLD_FILL="$H/hold7"
for _ in $(seq 1 300); do grep -q "held before the resident mentions' read" "$H/s7.log" && break; sleep 0.1; done
grep -q "held before the resident mentions' read" "$H/s7.log"; ok $? "serve --resident: the mentions' read is held before it begins"
hcall c12 LIVE12 Iris Crane 2011-06-21
seen=1
for _ in $(seq 1 200); do hcrit | grep -q CHLIVE12 && { seen=0; break; }; sleep 0.1; done
is "$seen:$(grep -c 'kept .* mentions' "$H/s7.log"):$(hupdated s7.log)" "0:0:0" "a call dropped then is shown as a critical alert while the mentions' read is in hand"
# the lane logs its line after the reload that makes the alert visible: wait for it
for _ in $(seq 1 $((100 * TF))); do grep -q 'urgent calls first: 1 persons' "$H/s7.log" && break; sleep 0.1; done
grep -q 'urgent calls first: 1 persons' "$H/s7.log"; ok $? "through the urgent lane"
rm -f "$H/hold7"
for _ in $(seq 1 300); do [ "$(hupdated s7.log)" -ge 1 ] && break; sleep 0.1; done
grep -q 'kept .* mentions' "$H/s7.log" && [ "$(hupdated s7.log)" = 1 ]; ok $? "released, the mentions are kept and the call's update follows"
# (brought up to date twice: the start's build of the refs, then the update)
grep 'resident mentions' "$H/s7.log" | tail -1 | grep -q 'reads of everything 1, brought up to date 2'
ok $? "the update reads the kept mentions: $(grep 'resident mentions' "$H/s7.log" | tail -1)"
is "$(db_query "$HDB" "SELECT count(*) FROM identity_ref WHERE agency = 'call_handling' AND person_ref = 'CLIVE12'")" "1" "and resolves the call"
# its stored identities kept: the next call's update uses them; a resolve
# elsewhere moves the store's identity generation, and the update after it
# reads them again. Beside it, a copy of the store taken before the calls,
# fed the same calls by `joindots ingest` and `resolve --incremental` (the
# plain path, reading them): the identities are the same, byte for byte
hupd() { for _ in $(seq 1 300); do [ "$(hupdated s7.log)" -ge "$1" ] && break; sleep 0.1; done; }
hres() { grep 'resident mentions' "$H/s7.log" | tail -1 | grep -o 'stored identities: .*'; }
hcall c13 LIVE13 Nell Hart 2012-01-30
hupd 2
# (read once, at the start: the first update used them too)
hres | grep -q 'read 1 times, used as kept 2 times'; ok $? "the next call's update uses the kept identities: $(hres)"
hres | grep -q 'taken 2 times, the last run built 1 again'; ok $? "and the kept refs, building only the call's ref: $(hres)"
# the county's blocking keys kept by the first update: the next ones make
# only their changed refs' (kept whatever ran elsewhere: a ref keeps its
# keys while its fingerprint is the one they were made with)
hkeys() { hres | grep -o 'blocking keys: .*'; }
hkeys | grep -q 'used 1 times'; ok $? "and the kept blocking keys: $(hkeys)"
"$JD" resolve --db "$HDB" --incremental >/dev/null 2>&1
hcall c14 LIVE14 Rhea Dunn 2011-10-12
hupd 3
hres | grep -q 'read 2 times, used as kept 2 times'; ok $? "after a resolve elsewhere, the next update reads them again: $(hres)"
hkeys | grep -q 'used 2 times'; ok $? "the blocking keys are still used: $(hkeys)"
hcall c15 LIVE15 Mae Lowe 2013-05-05
hupd 4
hres | grep -q 'read 2 times, used as kept 3 times'; ok $? "and the one after uses them: $(hres)"
kill -TERM "$HPID"; wait "$HPID"
is $? 0 "the server stops cleanly"
for c in c12 c13; do "$JD" ingest --db "$PDB" --quiet "$H"/drop/call_handling/ingested/*-$c >/dev/null 2>&1 && "$JD" resolve --db "$PDB" --incremental >/dev/null 2>&1; done
"$JD" resolve --db "$PDB" --incremental >/dev/null 2>&1
for c in c14 c15; do "$JD" ingest --db "$PDB" --quiet "$H"/drop/call_handling/ingested/*-$c >/dev/null 2>&1 && "$JD" resolve --db "$PDB" --incremental >/dev/null 2>&1; done
"$JD" export identities --db "$HDB" 2>/dev/null | sort > "$H/res.id"; "$JD" export identities --db "$PDB" 2>/dev/null | sort > "$H/plain.id"
[ "$(wc -l < "$H/res.id")" -gt 100 ] && cmp -s "$H/res.id" "$H/plain.id"; ok $? "the server's identities ($(wc -l < "$H/res.id")) are the plain path's, byte for byte"

# refused
"$JD" analyse --db "$INC" --incremental --no-save >/dev/null 2>&1
is "$?" "2" "--incremental with --no-save is a usage error"
"$JD" analyse --db "$INC" --incremental --as-of 2020-01-01 >/dev/null 2>&1
is "$?" "2" "--incremental with --as-of is a usage error"
db_query "$INC" "UPDATE meta SET value = '1,2,x' WHERE key = 'analysis_mark'"
"$JD" analyse --db "$INC" --incremental > "$C/bad.out" 2>&1
st=$?
[ "$st" -ne 0 ] && grep -q 'malformed analysis watermark' "$C/bad.out"; ok $? "a damaged watermark is refused with a clear message (exit $st)"
done_testing
