#!/usr/bin/env bash
# Integration tests of the incremental resolve (issue 17 item 2):
# `joindots resolve --incremental` after feeds gives what a full run with the
# same stored parameters (`--frozen`) gives, day after day, identities and
# notes byte for byte; a county fed in slices is partitioned as the same
# county resolved in one batch; a feed that joins two identities records a
# merge, a correction that moves a ref a split; a killed run leaves the
# store as it was.
# Runs on SQLite and, as resolve_incremental_pg, on PostgreSQL (lib.sh).
# Usage: test_resolve_incremental.sh JOINDOTS SOURCE_ROOT
JD=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
scratch
B="$SRC/tests/data/bundles/incremental"
ids() { "$JD" export identities --db "$1" --user t --reason test 2>/dev/null | LC_ALL=C sort; }
notes() { db_query "$1" "SELECT i.person_id, n.note FROM identity_note n JOIN identity i ON i.id = n.identity_id ORDER BY 1, 2"; }
# the blocking keys stored with the identities (ref_key)
# (one row a key, its refs "agency US ref RS" ...), as "key agency ref" lines
keys() {
  db_query "$1" "SELECT key, refs FROM ref_key" | python3 -c '
import sys
out = []
for l in sys.stdin.read().split("\n"):
    if not l:
        continue
    k, refs = l.split("|", 1) if "|" in l else l.split("\t", 1)
    out += ["%s %s" % (k, r.replace("\x1f", " ")) for r in refs.split("\x1e") if r]
print("\n".join(sorted(out)))'
}
# identities without their person_ids (refs, display fields), and the notes: a partition
parts() {
  ids "$1" | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    o.pop("person_id")
    o["refs"] = sorted((r["agency"], r["person_ref"]) for r in o["refs"])
    print(json.dumps(o, sort_keys=True))' | LC_ALL=C sort
  db_query "$1" "SELECT n.note FROM identity_note n ORDER BY 1"
}

# --- no stored parameters yet
DB=$(store_at "$SCRATCH/m.db")
"$JD" ingest --db "$DB" --quiet "$B/base" >/dev/null 2>&1
"$JD" resolve --db "$DB" --incremental >/dev/null 2>&1; is $? 4 "--incremental before any full run: not found (exit 4)"
"$JD" resolve --db "$DB" --frozen >/dev/null 2>&1; is $? 4 "--frozen before any full run: not found (exit 4)"
"$JD" resolve --db "$DB" --incremental --frozen >/dev/null 2>&1; is $? 2 "--incremental with --frozen is a usage error"

# --- merge and split
"$JD" resolve --db "$DB" >/dev/null
out=$("$JD" resolve --db "$DB" --incremental --touched)
echo "$out" | grep -q '^incremental: 0 refs new or changed, 0 refs re-resolved with them, 0 identities touched'
ok $? "nothing new: nothing re-resolved, nothing touched"
echo "$out" | grep -q '^  watermark: 0 refs listed since the last run, 0 changed refs not among them'
ok $? "the full run saved its watermark: nothing listed since"
h=$(ids "$DB" | grep -o '"person_id":"[^"]*","refs":\[[^]]*H700' | cut -d'"' -f4)
s=$(ids "$DB" | grep -o '"person_id":"[^"]*","refs":\[[^]]*S700' | cut -d'"' -f4)
[ -n "$h" ] && [ -n "$s" ] && [ "$h" != "$s" ]; ok $? "before the feed, Jodie Brown ($h) and the pupil number's Maria Kowalski ($s) are two people"
"$JD" ingest --db "$DB" --quiet "$B/merge" >/dev/null 2>&1
out=$("$JD" resolve --db "$DB" --incremental --touched)
echo "$out" | grep -q "^touched	$h	grown,merged	$s\$"; ok $? "a feed holding both numbers merges $s into $h: recorded as a merge"
nchg=$(echo "$out" | sed -n 's/^incremental: \([0-9]*\) refs new or changed.*/\1/p')
nlist=$(echo "$out" | sed -n 's/^  watermark: \([0-9]*\) refs listed since the last run, 0 changed refs not among them$/\1/p')
[ -n "$nlist" ] && [ "$nchg" -gt 0 ] && [ "$nlist" -ge "$nchg" ]
ok $? "the refs the watermark lists ($nlist) hold every changed ref ($nchg)"
echo "$out" | grep -Eq '^  stored blocking keys: [1-9][0-9]* candidate pairs of the changed refs, 0 differing'
ok $? "the changed refs' candidate pairs from the stored keys are the county's"
echo "$out" | grep -Eq '^  scoped fingerprints: the listed refs loaded alone \([1-9][0-9]* refs .*\), '"$nchg"' changed, 0 differing'
ok $? "the listed refs loaded alone (mentions_around, identity_refs_of) give the county's fingerprints and its $nchg changed refs"
echo "$out" | grep -q "^touched	$s	gone	$h\$"; ok $? "and $s as gone into $h"
is "$(echo "$out" | grep -c '^touched')" 2 "no other identity is touched"
is "$(db_query "$DB" "SELECT how || ' ' || other FROM identity_change WHERE person_id = '$s'")" "32 $h" "the merge is stored in identity_change"
is "$(db_query "$DB" "SELECT count(*) FROM identity WHERE person_id = '$s'")" 0 "the identity merged away is deleted"
is "$(db_query "$DB" "SELECT mode FROM resolve_run ORDER BY id DESC LIMIT 1")" incremental "the run is recorded as incremental"
BF=$(store_copy "$DB" before-fix)
"$JD" ingest --db "$DB" --quiet "$B/fix" >/dev/null 2>&1
out=$("$JD" resolve --db "$DB" --incremental --touched)
echo "$out" | grep -q "^touched	$h	shrunk,split	"; ok $? "a correction moves the GP's ref out of $h: recorded as a split"
echo "$out" | grep -Eq '^  watermark: [1-9][0-9]* refs listed since the last run, 0 changed refs not among them'
ok $? "a correction: the watermark lists its refs (mention history), every changed ref among them"
g=$(ids "$DB" | grep -o '"person_id":"[^"]*","refs":\[[^]]*GP700' | cut -d'"' -f4)
[ -n "$g" ] && [ "$g" != "$h" ]; ok $? "the corrected ref is now with $g"
echo "$out" | grep -q "^touched	$g	grown	"; ok $? "and $g grew"
if on_pg; then skip "no dangling reference after incremental runs" "PostgreSQL checks every foreign key itself"
else is "$(db_query "$DB" 'PRAGMA foreign_key_check' | wc -l)" 0 "no dangling reference after incremental runs"; fi
is "$(db_query "$DB" 'SELECT count(*) FROM identity i WHERE NOT EXISTS (SELECT 1 FROM identity_ref r WHERE r.identity_id = i.id)')" 0 "no identity without refs"
# the same steps with full runs on the stored parameters
F=$(store_at "$SCRATCH/f.db")
"$JD" ingest --db "$F" --quiet "$B/base" >/dev/null 2>&1
"$JD" resolve --db "$F" >/dev/null
for step in merge fix; do
  "$JD" ingest --db "$F" --quiet "$B/$step" >/dev/null 2>&1
  "$JD" resolve --db "$F" --frozen >/dev/null
done
[ "$(ids "$DB")" = "$(ids "$F")" ]; ok $? "merge and split: identities as a full run with the stored parameters gives"
[ "$(notes "$DB")" = "$(notes "$F")" ]; ok $? "and the same notes"

# --- a killed incremental run leaves the store as it was (one transaction)
killed=0 intact=0
for delay in 0.01 0.02 0.04 0.06 0.08 0.1; do
  rm -f "$SCRATCH/k.db-wal" "$SCRATCH/k.db-shm" "$SCRATCH/k.db-audit-wal" "$SCRATCH/k.db-audit-shm"
  K=$(store_copy "$BF" k)
  "$JD" ingest --db "$K" --quiet "$B/fix" >/dev/null 2>&1
  want_before=$(ids "$K")
  "$JD" resolve --db "$K" --incremental >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
  wait "$pid" 2>/dev/null
  got=$(ids "$K")
  if [ "$got" = "$want_before" ] || [ "$got" = "$(ids "$DB")" ]; then intact=$((intact + 1)); fi
  o=$("$JD" resolve --db "$K" --incremental 2>&1)
  [ "$(ids "$K")" = "$(ids "$DB")" ] || intact=-100
  # killed before its watermark was saved, the older one lists more: never fewer
  echo "$o" | grep -q ', 0 changed refs not among them$' || intact=-100
done
is "$intact" 6 "SIGKILL at 6 moments ($killed landed mid-run): the store is before or after, never between, and the next run completes it"

# --- a store with no watermark (resolved before it was kept): the run loads
# the county as before and says so; it saves one for the next run
NM=$(store_copy "$BF" nomark)
db_query "$NM" "DELETE FROM meta WHERE key IN ('resolve_mark', 'ref_keys'); DELETE FROM ref_key"
"$JD" ingest --db "$NM" --quiet "$B/fix" >/dev/null 2>&1
out=$("$JD" resolve --db "$NM" --incremental)
echo "$out" | grep -q '^  watermark: none yet'; ok $? "a store with no watermark: said so"
echo "$out" | grep -q '^  stored blocking keys: none'; ok $? "nor blocking keys: said so"
echo "$out" | grep -q '^  stored household places: none'; ok $? "nor household places: said so"
[ "$(ids "$NM")" = "$(ids "$DB")" ]; ok $? "and the run gives the identities of one with it"
out=$("$JD" resolve --db "$NM" --incremental)
echo "$out" | grep -q '^  watermark: 0 refs listed since the last run, 0 changed refs not among them'
ok $? "the run saved a watermark: the next lists nothing new"

# --- households (join_household): the incremental run joins a sparse ref to
# the one member of its household who fits, and takes it apart again when a
# second member fits, as the full run with the stored parameters does
H=$(store_at "$SCRATCH/h.db")
"$JD" ingest --db "$H" --quiet "$B/base" >/dev/null 2>&1
"$JD" resolve --db "$H" >/dev/null
hh_same() { # $1: bundle; incremental on $H, --frozen on a copy; compare
  "$JD" ingest --db "$H" --quiet "$B/$1" >/dev/null 2>&1
  HF=$(store_copy "$H" hf)
  "$JD" resolve --db "$H" --incremental >/dev/null
  "$JD" resolve --db "$HF" --frozen >/dev/null
  [ "$(ids "$H")" = "$(ids "$HF")" ] && [ "$(notes "$H")" = "$(notes "$HF")" ]
}
pid_of() { db_query "$H" "SELECT i.person_id FROM identity_ref r JOIN identity i ON i.id = r.identity_id WHERE r.person_ref = '$1'"; }
hh_same household; ok $? "a sparse ref at a household: incremental = --frozen (identities, notes)"
is "$(pid_of HX100)" "$(pid_of C100)" "it joins the one member who fits"
notes "$H" | grep -q 'housing:HX100 joined through csc:C100: the only member of the household'
ok $? "and the note names the member it joined through"
hh_same household2; ok $? "a second member who fits: incremental = --frozen"
[ "$(pid_of HX100)" != "$(pid_of C100)" ]; ok $? "the sparse ref is taken apart again (it fits two)"

# --- a household's scope: a sparse ref's decision reads only the members
# whose names could fit it (hh_could_fit), so the others stay out of the run
H=$(store_at "$SCRATCH/fam.db")
"$JD" ingest --db "$H" --quiet "$B/base" >/dev/null 2>&1
"$JD" ingest --db "$H" --quiet "$B/family" >/dev/null 2>&1
"$JD" resolve --db "$H" >/dev/null
hh_in() { # $1: bundle; as hh_same, prints the refs re-resolved
  "$JD" ingest --db "$H" --quiet "$B/$1" >/dev/null 2>&1
  HF=$(store_copy "$H" hf)
  local o; o=$("$JD" resolve --db "$H" --incremental)
  "$JD" resolve --db "$HF" --frozen >/dev/null
  [ "$(ids "$H")" = "$(ids "$HF")" ] && [ "$(notes "$H")" = "$(notes "$HF")" ] || echo differs
  echo "$o" | head -1 | sed 's/.*changed, \([0-9]*\) refs re-resolved.*/\1/'
}
n=$(hh_in family_lily)
is "$n" 2 "\"Lily\", F, at the Bakers' postcode: only she and Lily Baker are re-resolved, as --frozen"
is "$(pid_of HX500)" "$(pid_of S500)" "and she joins Lily Baker"
n=$(hh_in family_baker)
is "$n" 6 "\"Baker\", F: every Baker could fit by name, all re-resolved, as --frozen"
[ "$(pid_of HX510)" != "$(pid_of GP500)" ] && [ "$(pid_of HX510)" != "$(pid_of S500)" ]
ok $? "and she stays apart (Sarah and Lily both fit)"

# --- the twins and dates rules (issue 16) hold only in a county whose events
# name people side by side; that switch is the county's, stored with the
# parameters (side_by_side) at each full run and read back by incremental and
# --frozen runs, never counted on what a run's scope holds
T=$(store_at "$SCRATCH/tw.db")
"$JD" ingest --db "$T" --quiet "$B/base" >/dev/null 2>&1
"$JD" ingest --db "$T" --quiet "$B/twins" >/dev/null 2>&1
"$JD" resolve --db "$T" >/dev/null
model() { db_query "$1" "SELECT model FROM resolve_run WHERE model IS NOT NULL ORDER BY id DESC LIMIT 1"; }
tw_pid() { db_query "$T" "SELECT i.person_id FROM identity_ref r JOIN identity i ON i.id = r.identity_id WHERE r.person_ref = '$1'"; }
model "$T" | grep -q '"side_by_side":false'; ok $? "a county whose events name no two people: side_by_side false is stored with the parameters"
[ "$(tw_pid N600)" = "$(tw_pid S600)" ] && [ "$(tw_pid GP610)" = "$(tw_pid H610)" ]
ok $? "and the rules are off: Erin and Hayley Maynard (one date), the two Gemma Maliks (dates wholly apart) are one person each"
TW0=$(store_copy "$T" tw0)
# a feed naming two people side by side (a housing list): the county now has
# such events, the last full run's parameters say not
"$JD" ingest --db "$T" --quiet "$B/side_by_side" >/dev/null 2>&1
TF=$(store_copy "$T" twf)
"$JD" resolve --db "$T" --incremental >/dev/null
"$JD" resolve --db "$TF" --frozen >/dev/null
[ "$(ids "$T")" = "$(ids "$TF")" ] && [ "$(notes "$T")" = "$(notes "$TF")" ]
ok $? "the first side-by-side event comes in a feed: incremental = --frozen (identities, notes), both with the stored switch"
[ "$(tw_pid N600)" = "$(tw_pid S600)" ]; ok $? "the twins outside the feed's scope stay as the last full run left them"
model "$TF" | grep -q '"side_by_side":false'; ok $? "and the --frozen run stores the switch it read"
# a store saved before the switch was kept: counted on the refs loaded, as before
OLD=$(store_copy "$T" twold)
if on_pg; then db_query "$OLD" "UPDATE resolve_run SET model = (model::jsonb - 'side_by_side')::text WHERE model IS NOT NULL" >/dev/null
else db_query "$OLD" "UPDATE resolve_run SET model = json_remove(model, '\$.side_by_side') WHERE model IS NOT NULL"; fi
! model "$OLD" | grep -q side_by_side; ok $? "(a store from before: no side_by_side in its parameters)"
"$JD" resolve --db "$OLD" --frozen >/dev/null
h=$(db_query "$OLD" "SELECT i.person_id FROM identity_ref r JOIN identity i ON i.id = r.identity_id WHERE r.person_ref IN ('N600', 'S600')" | sort -u | wc -l)
is "$h" 2 "a store from before: the switch is counted on the refs loaded (the housing list names two people), the twins apart"
model "$OLD" | grep -q '"side_by_side":true'; ok $? "and it is stored from then on"
# damaged: not true or false
BAD=$(store_copy "$T" twbad)
if on_pg; then db_query "$BAD" "UPDATE resolve_run SET model = jsonb_set(model::jsonb, '{side_by_side}', '\"yes\"')::text WHERE model IS NOT NULL" >/dev/null
else db_query "$BAD" "UPDATE resolve_run SET model = json_set(model, '\$.side_by_side', 'yes') WHERE model IS NOT NULL"; fi
"$JD" ingest --db "$BAD" --quiet "$B/twins2" >/dev/null 2>&1
before=$(ids "$BAD")
err=$("$JD" resolve --db "$BAD" --incremental 2>&1 >/dev/null); rc=$?
[ "$rc" -ne 0 ] && echo "$err" | grep -q 'stored parameters are damaged'; ok $? "a side_by_side neither true nor false: the incremental run refuses, the parameters damaged (exit $rc)"
[ "$(ids "$BAD")" = "$before" ]; ok $? "and the identities are as they were"
"$JD" resolve --db "$BAD" --frozen >/dev/null 2>&1; [ $? -ne 0 ]; ok $? "and so does a --frozen run"
# a full run counts the switch anew: the rules hold
"$JD" resolve --db "$T" >/dev/null
model "$T" | grep -q '"side_by_side":true'; ok $? "a full run of the county as it now is stores side_by_side true"
[ "$(tw_pid N600)" != "$(tw_pid S600)" ] && [ "$(tw_pid GP610)" != "$(tw_pid H610)" ]
ok $? "and keeps the twins and the two Gemma Maliks apart"
# then a feed whose scope names no two people, with twins (Louise and Vicky
# Kingswell) and two Nadia Ashdowns of one address born 1979 and 1984
"$JD" ingest --db "$T" --quiet "$B/twins2" >/dev/null 2>&1
TF=$(store_copy "$T" twf2)
"$JD" resolve --db "$T" --incremental >/dev/null
"$JD" resolve --db "$TF" --frozen >/dev/null
[ "$(ids "$T")" = "$(ids "$TF")" ] && [ "$(notes "$T")" = "$(notes "$TF")" ]
ok $? "a feed of twins whose scope names no two people side by side: incremental = --frozen"
[ "$(tw_pid N800)" != "$(tw_pid S800)" ] && [ "$(tw_pid GP810)" != "$(tw_pid C810)" ]
ok $? "the rules hold in its scope: the Kingswell twins and the two Nadia Ashdowns stay apart"
notes "$T" | grep -Eq '(police:N800 kept apart from school:S800|school:S800 kept apart from police:N800) .*\(twins\)'; ok $? "and the twins' refusal is noted"
# the county whose full run had no side-by-side event: twins in a feed are
# one person in an incremental run as in --frozen (the switch is off)
"$JD" ingest --db "$TW0" --quiet "$B/twins2" >/dev/null 2>&1
TF=$(store_copy "$TW0" twf0)
"$JD" resolve --db "$TW0" --incremental >/dev/null
"$JD" resolve --db "$TF" --frozen >/dev/null
[ "$(ids "$TW0")" = "$(ids "$TF")" ] && [ "$(notes "$TW0")" = "$(notes "$TF")" ]
ok $? "with the switch off the same feed gives incremental = --frozen too"

# --- a dated postcode (join_dated_pc) of 97 to 1,024 refs: a call about
# "Reid", M, at the postcode where Owen Reid lived then joins him; at one
# of more than 128 people it stays apart. The scope holds the call and the
# members who could fit it; the others count as the people they were.
mkdir -p "$SCRATCH/pc/base" "$SCRATCH/pc/feed"
python3 - "$SCRATCH/pc" <<'PY'
import sys
d = sys.argv[1]
sur = "Abbott Bishop Carter Dawson Ellis Fletcher Gibson Hughes Irwin Jarvis".split()
fore = "Adam Beth Carl Dina Evan Fern Gary Hana Ivan Jade Kyle Lena Mark Nina".split()
ev = ["agency,record_id,event_type,occurred_at,postcode"]
pe = ["agency,record_id,person_ref,role,surname,forenames,dob,age,gender,postcode,address"]
for pc, n in (("OX4 9ZZ", 110), ("OX4 9ZY", 140)):
    for i in range(n):
        r = "G%s%d" % (pc[-1], i)
        ev.append("gp,%s,gp_note,2009-%02d-%02d,%s" % (r, i % 12 + 1, i % 28 + 1, pc))
        pe.append('gp,%s,%s,subject,%s,%s,19%02d-%02d-%02d,,%s,%s,"%d Long Road %s, Oxford"' % (
            r, r, sur[i % 10], fore[(i * 3) % 14], 60 + i % 40, i % 12 + 1, i % 28 + 1,
            "MF"[i % 2], pc, i + 1, pc[-1]))
    for e in ("2009-05-01", "2010-01-01"):
        ev.append("police,Q%s%s,stop_check,%s,%s" % (pc[-1], e, e, pc))
        pe.append('police,Q%s%s,QO%s,subject,Reid,Owen,2001-08-08,,M,%s,"4 Pike Lane %s, Oxford"' % (
            pc[-1], e, pc[-1], pc, pc[-1]))
open(d + "/base/events.csv", "w").write("\n".join(ev) + "\n")
open(d + "/base/persons.csv", "w").write("\n".join(pe) + "\n")
open(d + "/feed/events.csv", "w").write("agency,record_id,event_type,occurred_at,postcode\n"
    "call_handling,QC1,call_for_service,2010-06-01,OX4 9ZZ\n"
    "call_handling,QC2,call_for_service,2010-06-01,OX4 9ZY\n")
open(d + "/feed/persons.csv", "w").write(
    "agency,record_id,person_ref,role,surname,forenames,dob,age,gender,postcode,address\n"
    "call_handling,QC1,QC1A,subject,Reid,,,,M,,\ncall_handling,QC2,QC2A,subject,Reid,,,,M,,\n")
PY
for h in 0 1; do
  H=$(store_at "$SCRATCH/pc$h.db")
  "$JD" ingest --db "$H" --quiet "$SCRATCH/pc/base" >/dev/null 2>&1
  "$JD" resolve --db "$H" >/dev/null
  "$JD" ingest --db "$H" --quiet "$SCRATCH/pc/feed" >/dev/null 2>&1
  HF=$(store_copy "$H" pcf$h)
  o=$("$JD" resolve --db "$H" --incremental --hops $h)
  "$JD" resolve --db "$HF" --frozen >/dev/null
  [ "$(ids "$H")" = "$(ids "$HF")" ] && [ "$(notes "$H")" = "$(notes "$HF")" ]
  ok $? "--hops $h, calls at postcodes of 112 and 142 refs: incremental = --frozen"
  echo "$o" | head -1 | grep -q ' 2 refs new or changed, 4 refs re-resolved with them'
  ok $? "--hops $h: the calls and the Owen Reids are re-resolved, not the postcodes ($(echo "$o" | head -1))"
  is "$(pid_of QC1A)" "$(pid_of QOZ)" "--hops $h: \"Reid\", M, at 110 people and Owen joins him"
  [ "$(pid_of QC2A)" != "$(pid_of QOY)" ]; ok $? "--hops $h: at 140 people and Owen it stays apart"
done

# --- a county fed in daily slices
"$JD" synth --out "$SCRATCH/county" --seed 3 --events 3000 >/dev/null 2>&1
python3 "$SRC/tests/integration/slice_bundle.py" "$SCRATCH/county" "$SCRATCH/slices" 4
I=$(store_at "$SCRATCH/i.db")
for a in "$SCRATCH"/slices/s000/*/; do
  "$JD" ingest --db "$I" --quiet "$a" >/dev/null 2>&1
done
"$JD" resolve --db "$I" >/dev/null
nk=$(db_query "$I" 'SELECT count(*) FROM ref_key')
nr=$(db_query "$I" 'SELECT count(*) FROM identity_ref')
nkr=$(keys "$I" | cut -d' ' -f2,3 | sort -u | wc -l)
[ "$nk" -gt 0 ] && [ "$nkr" -gt $((nr * 9 / 10)) ] && [ "$(keys "$I" | wc -l)" -gt "$nr" ]
ok $? "a full run stores the blocking keys of its refs ($nk keys, $nkr of $nr refs)"
Z=$(store_copy "$I" z)
D0=$(store_copy "$I" day0)
same=0 touched_ok=0 keys_same=0 mark_ok=0 keys_ok=0 fp_ok=0 fp_more=0 hh_ok=0 tally_ok=0
for d in 1 2 3; do
  for a in "$SCRATCH"/slices/s00$d/*/; do
    "$JD" ingest --db "$I" --quiet "$a" >/dev/null 2>&1
    "$JD" ingest --db "$Z" --quiet "$a" >/dev/null 2>&1
  done
  before=$(ids "$I")
  out=$("$JD" resolve --db "$I" --incremental --max-share 0 --touched)
  "$JD" resolve --db "$Z" --frozen >/dev/null
  [ "$(ids "$I")" = "$(ids "$Z")" ] && [ "$(notes "$I")" = "$(notes "$Z")" ] && same=$((same + 1))
  [ "$(keys "$I")" = "$(keys "$Z")" ] && keys_same=$((keys_same + 1))
  echo "$out" | grep -Eq '^  watermark: [1-9][0-9]* refs listed since the last run, 0 changed refs not among them' &&
    mark_ok=$((mark_ok + 1))
  echo "$out" | grep -Eq '^  stored blocking keys: [1-9][0-9]* candidate pairs of the changed refs, 0 differing' &&
    keys_ok=$((keys_ok + 1))
  echo "$out" | grep -Eq '^  stored household places: [1-9][0-9]* places of the changed refs \([0-9]+ of over 96 refs\), 0 entries differing' &&
    hh_ok=$((hh_ok + 1))
  # the listed refs loaded alone, with everyone their events name beside them
  nc=$(echo "$out" | sed -n 's/^incremental: \([0-9]*\) refs new or changed.*/\1/p')
  echo "$out" | grep -Eq "^  scoped fingerprints: .*, $nc changed, 0 differing from the county" && fp_ok=$((fp_ok + 1))
  echo "$out" | grep -Eq '^  identities counted by the store: [1-9][0-9]* before the run; .*: 0 differing' &&
    tally_ok=$((tally_ok + 1))
  nl=$(echo "$out" | sed -n 's/^  watermark: \([0-9]*\) refs listed.*/\1/p')
  nf=$(echo "$out" | sed -n 's/^  scoped fingerprints: the listed refs loaded alone (\([0-9]*\) refs.*/\1/p')
  [ -n "$nf" ] && [ "$nf" -gt "$nl" ] && fp_more=$((fp_more + 1))
  # every identity that changed is in the touched list, none that did not
  changed=$(diff <(echo "$before") <(ids "$I") | grep '^[<>]' | grep -o '"person_id":"[^"]*"' |
    cut -d'"' -f4 | grep -v '^U:' | sort -u) # U:agency:ref, a ref not resolved yet
  listed=$(echo "$out" | grep '^touched' | cut -f2 | sort -u)
  [ -n "$changed" ] && [ -z "$(comm -23 <(echo "$changed") <(echo "$listed"))" ] && touched_ok=$((touched_ok + 1))
done
is "$same" 3 "3 daily slices, incremental each day: identities and notes byte-identical to a full run with the stored parameters"
is "$touched_ok" 3 "each day every identity that changed is listed as touched"
is "$keys_same" 3 "each day the incremental run leaves the blocking keys a full run stores"
is "$mark_ok" 3 "each day the refs listed since the watermark hold every ref whose fingerprint changed"
is "$keys_ok" 3 "each day the changed refs' candidate pairs from the stored keys (county block sizes) are the county's"
is "$hh_ok" 3 "each day the stored household places of the changed refs hold the county's refs at each (kept by every run)"
is "$fp_ok" 3 "each day the listed refs loaded alone (mentions_around, identity_refs_of) give the county's fingerprints and changed refs"
is "$fp_more" 3 "each day that load holds more refs than it lists (the refs named beside them, read by their fingerprints)"
is "$tally_ok" 3 "each day the store's count of identities and highest person number give the run's fresh ids and identities after it"
# a small feed on a resolved county: only part of it is re-resolved
python3 "$SRC/bench/cut_feed.py" "$SCRATCH/county" "$SCRATCH/cbase" "$SCRATCH/cfeed" 60
S=$(store_at "$SCRATCH/s.db")
"$JD" ingest --db "$S" --quiet "$SCRATCH/cbase" >/dev/null 2>&1
"$JD" resolve --db "$S" >/dev/null
SB=$(store_copy "$S" sb)
SF=$(store_copy "$S" sf)
for a in "$SCRATCH"/cfeed/*/; do
  "$JD" ingest --db "$S" --quiet "$a" >/dev/null 2>&1
  "$JD" ingest --db "$SF" --quiet "$a" >/dev/null 2>&1
done
S1=$(store_copy "$S" s1)
out=$("$JD" resolve --db "$S" --incremental --checks)
"$JD" resolve --db "$SF" --frozen >/dev/null
n_in=$(echo "$out" | head -1 | sed 's/.*changed, \([0-9]*\) refs re-resolved.*/\1/')
n_all=$(db_query "$S" 'SELECT count(*) FROM identity_ref')
[ "$n_in" -gt 0 ] && [ "$n_in" -lt "$n_all" ]; ok $? "a feed of 60 events re-resolves part of the county ($n_in of $n_all refs)"
[ "$(ids "$S")" = "$(ids "$SF")" ] && [ "$(notes "$S")" = "$(notes "$SF")" ]; ok $? "and gives what a full run with the stored parameters gives"
n_w=$(echo "$out" | sed -n 's/^  refs written: \([0-9]*\) .*/\1/p')
[ -n "$n_w" ] && [ "$n_w" -gt 0 ] && [ "$n_w" -lt "$n_in" ]; ok $? "only the refs whose stored row changes are written ($n_w of $n_in)"
[ "$(keys "$S")" = "$(keys "$SF")" ]; ok $? "and the blocking keys are a full run's"
# the scope loaded alone (the scoped load's step 4): fewer refs than the
# county, the county's fingerprints, and the scope's candidate pairs from
# the stored keys with the county's block sizes
sl=$(echo "$out" | sed -n 's/^  scope loaded alone: \([0-9]*\) refs loaded for a scope of \([0-9]*\) .*, \([0-9]*\) stored rows .*; \([0-9]*\) candidate pairs .*; \([0-9]*\) fingerprints, rows and pairs differing.*/\1 \2 \3 \4 \5/p')
read -r sl_n sl_in sl_r sl_p sl_m <<<"$sl"
[ -n "$sl_n" ] && [ "$sl_n" -ge "$sl_in" ] && [ "$sl_n" -lt "$n_all" ] && [ "$sl_r" -gt 0 ] && [ "$sl_p" -gt 0 ] && [ "$sl_m" = 0 ]
ok $? "the scope ($sl_in refs) loaded alone holds $sl_n refs of $n_all, the county's fingerprints and stored rows ($sl_r), and its $sl_p pairs from the stored keys are the county's"
echo "$out" | grep -Eq '^  identities counted by the store: [1-9][0-9]* before the run; .*: 0 differing'
ok $? "the store's count of identities and highest person number give the run's fresh ids and identities after it"
# the places are stored with the keys (rules 12 and 13, never blocked on);
# a store that lost those of the addresses is found out by the check
P=$(store_copy "$S1" lostplaces)
db_query "$P" "DELETE FROM ref_key WHERE key >= -4611686018427387904 AND key < -3458764513820540928"
o=$("$JD" resolve --db "$P" --incremental)
echo "$o" | grep -Eq '^  stored household places: [1-9][0-9]* places .*, [1-9][0-9]* entries differing'
ok $? "addresses' places deleted from the store: the check finds entries differing"
echo "$out" | grep -Eq '^  stored household places: [1-9][0-9]* places .*, 0 entries differing'
ok $? "and the intact store's places are the county's"
# a store that lost rule 1's blocking rows: the scope's pairs from the
# stored keys are not the county's, and the check says so
K=$(store_copy "$S1" lostkeys)
db_query "$K" "DELETE FROM ref_key WHERE key >= 1152921504606846976 AND key < 2305843009213693952"
o=$("$JD" resolve --db "$K" --incremental --checks)
echo "$o" | grep -Eq '^  scope loaded alone: .*; [1-9][0-9]* fingerprints, rows and pairs differing'
ok $? "rule 1's stored rows deleted: the scope's pairs from the stored keys differ, and the check finds it"
NC=$(store_copy "$S1" nochecks)
o=$("$JD" resolve --db "$NC" --incremental --no-checks)
echo "$o" | grep -q '^  checks of the scoped load: skipped' && ! echo "$o" | grep -Eq '^  (watermark|scoped fingerprints|stored (blocking keys|household places)|scope loaded alone|identities counted by the store):'
ok $? "--no-checks: the scoped load's checks are skipped, and said so"
[ "$(ids "$NC")" = "$(ids "$S")" ] && [ "$(notes "$NC")" = "$(notes "$S")" ] && [ "$(keys "$NC")" = "$(keys "$S")" ]
ok $? "and the identities, notes and keys are those of the run with them"
"$JD" resolve --db "$NC" --no-checks >/dev/null 2>&1; is $? 2 "--no-checks without --incremental is a usage error"
"$JD" resolve --db "$NC" --checks >/dev/null 2>&1; is $? 2 "--checks without --incremental is a usage error"
"$JD" resolve --db "$NC" --incremental --checks --no-checks >/dev/null 2>&1; is $? 2 "--checks with --no-checks is a usage error"
# by default the scope is not loaded alone (a second load of up to half the
# county); the cheap checks still run, and the result is --checks' result
DF=$(store_copy "$S1" default)
o=$("$JD" resolve --db "$DF" --incremental)
! echo "$o" | grep -q '^  scope loaded alone' && echo "$o" | grep -Eq '^  watermark: [1-9][0-9]* refs listed' &&
  echo "$o" | grep -Eq '^  identities counted by the store: [1-9][0-9]* before the run; .*: 0 differing'
ok $? "by default the scope is not loaded alone; the watermark and the store's tally are checked"
[ "$(ids "$DF")" = "$(ids "$S")" ] && [ "$(notes "$DF")" = "$(notes "$S")" ] && [ "$(keys "$DF")" = "$(keys "$S")" ]
ok $? "and the identities, notes and keys are those of the run with --checks"
out1=$("$JD" resolve --db "$S1" --incremental --hops 1)
h_in=$(echo "$out1" | head -1 | sed 's/.*changed, \([0-9]*\) refs re-resolved.*/\1/')
[ "$h_in" -le "$n_in" ]; ok $? "--hops 1 re-resolves no more refs ($h_in)"
"$JD" resolve --db "$S" --incremental --hops x >/dev/null 2>&1; is $? 2 "--hops takes a number"
# the walk's edge (--hops 1): a ref re-resolved whose identity's old links
# were not followed keeps its stored neighbours out of scope (their links
# not scored again), so its row is the exact run's, and a second feed
# walks on through them
nbrs() { db_query "$1" "SELECT r.agency, r.person_ref, i.person_id, coalesce(r.nbr, '') FROM identity_ref r JOIN identity i ON i.id = r.identity_id ORDER BY 1, 2"; }
kept=$(echo "$out1" | sed -n 's/^  refs that kept stored neighbours out of scope.*: \([0-9]*\)$/\1/p')
[ -n "$kept" ] && [ "$kept" -gt 0 ]; ok $? "--hops 1: refs at the walk's edge keep stored neighbours out of scope ($kept)"
[ "$(nbrs "$S1")" = "$(nbrs "$S")" ]; ok $? "and every ref's stored neighbours are the exact run's"
[ "$(ids "$S1")" = "$(ids "$S")" ]; ok $? "and so are the identities"
# the scope of a bounded run, seen from the store: an id of no identity
# appended to every ref's nbr before it is kept by the refs not re-resolved
mark() { db_query "$1" "UPDATE identity_ref SET nbr = coalesce(nbr || ' ', '') || 'P999999999'"; }
M=$(store_copy "$SB" m)
for a in "$SCRATCH"/cfeed/*/; do "$JD" ingest --db "$M" --quiet "$a" >/dev/null 2>&1; done
mark "$M"
"$JD" resolve --db "$M" --incremental --hops 1 >/dev/null
nbrs "$M" > "$SCRATCH/m.nbr"
nbrs "$SB" > "$SCRATCH/sb.nbr"
pick=$(python3 "$SRC/tests/integration/nbr_feed.py" "$SCRATCH/sb.nbr" "$SCRATCH/m.nbr" P999999999 "$SCRATCH/county" "$SCRATCH/nbr2")
read -r f_ref e_ref e_y <<<"$pick"
[ -n "$e_y" ]; ok $? "the first feed's edge holds a ref with a neighbour out of scope ($e_ref: $e_y; $f_ref of its identity has not)"
S2=$(store_copy "$S" s2)
for db in "$S1" "$S2"; do
  for a in "$SCRATCH"/nbr2/*/; do "$JD" ingest --db "$db" --quiet "$a" >/dev/null 2>&1; done
done
mark "$S1"
o1=$("$JD" resolve --db "$S1" --incremental --hops 1); o2=$("$JD" resolve --db "$S2" --incremental --hops 1)
y_left=$(db_query "$S1" "SELECT count(*) FROM identity_ref r JOIN identity i ON i.id = r.identity_id WHERE i.person_id = '$e_y' AND r.nbr LIKE '%P999999999'")
y_all=$(db_query "$S1" "SELECT count(*) FROM identity_ref r JOIN identity i ON i.id = r.identity_id WHERE i.person_id = '$e_y'")
[ "$y_all" -gt 0 ] && [ "$y_left" = 0 ]; ok $? "a second feed naming $f_ref walks on through $e_ref to $e_y: its $y_all refs re-resolved"
w1=$(echo "$o1" | grep '^  scope walked'); w2=$(echo "$o2" | grep '^  scope walked')
[ -n "$w1" ] && [ "$w1" = "$w2" ]; ok $? "and walks from the bounded run's store what it walks from the exact run's (${w1%%;*})"
# the live resolve (watch) walks one link or household from the changes by
# default; --resolve-hops 0 walks to the end, what a full run gives
live() { # $1: name, then watch's options; prints the refs re-resolved
  local db d="$SCRATCH/drop_$1" n=$1; shift
  db=$(store_copy "$SB" "live_$n")
  for a in "$SCRATCH"/cfeed/*/; do
    ag=$(basename "$a"); mkdir -p "$d/$ag"; cp -r "$a" "$d/$ag/feed"; touch "$d/$ag/feed.done"
  done
  "$JD" watch --db "$db" --once "$@" "$d" > "$SCRATCH/live_$n.out" 2>&1
  sed -n 's/.*incremental resolve: [0-9]* refs new or changed, \([0-9]*\) re-resolved.*/\1/p' "$SCRATCH/live_$n.out"
  ids "$db" > "$SCRATCH/live_$n.ids"
}
l0=$(live exact --resolve-hops 0); l1=$(live bounded)
is "$l0" "$n_in" "watch --resolve-hops 0 re-resolves the whole components, as resolve --incremental ($n_in refs)"
ids "$SF" | cmp -s - "$SCRATCH/live_exact.ids"; ok $? "and gives what a full run with the stored parameters gives"
[ -n "$l1" ] && [ "$l1" -le "$h_in" ]; ok $? "watch walks one link or household by default: $l1 refs re-resolved (--hops 1: $h_in)"
"$JD" watch --db "$SB" --once --resolve-hops -1 "$SCRATCH/nowhere" >/dev/null 2>&1; is $? 2 "--resolve-hops takes a number of 0 or more"
# one batch of the same data, with the parameters of day 0
O=$(store_copy "$D0" o)
for d in 1 2 3; do
  for a in "$SCRATCH"/slices/s00$d/*/; do "$JD" ingest --db "$O" --quiet "$a" >/dev/null 2>&1; done
done
"$JD" resolve --db "$O" --frozen >/dev/null
[ "$(parts "$I")" = "$(parts "$O")" ]; ok $? "slices = one batch: the same identities (refs, names, dates, notes) with the same stored parameters"
# a feed that changes much of the county: everything again, parameters too
O=$(store_copy "$D0" o)
for a in "$SCRATCH"/slices/s001/*/; do "$JD" ingest --db "$O" --quiet "$a" >/dev/null 2>&1; done
out=$("$JD" resolve --db "$O" --incremental --max-share 0.05 --touched)
echo "$out" | grep -q 'refs re-resolved with them (all: saved as a full run)'; ok $? "more than --max-share of the refs changed: a full run ($(echo "$out" | head -1))"
F2=$(store_copy "$D0" f2)
for a in "$SCRATCH"/slices/s001/*/; do "$JD" ingest --db "$F2" --quiet "$a" >/dev/null 2>&1; done
"$JD" resolve --db "$F2" >/dev/null
[ "$(ids "$O")" = "$(ids "$F2")" ]; ok $? "with its parameters estimated again: what joindots resolve gives"
done_testing
