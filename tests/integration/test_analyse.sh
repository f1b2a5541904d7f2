#!/usr/bin/env bash
# Integration tests of `joindots analyse` and `joindots export alerts` on
# synthetic counties: protected characteristics never change an alert,
# alerts are time-true (a sample of every kind is found again as of its
# raised_at), and the Oxfordshire landmarks (DOMAIN.md §7.2) are flagged.
# Usage: test_analyse.sh JOINDOTS SOURCE_ROOT
JD=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
scratch

pipeline() { # DIR DB ALERTS: ingest, resolve, analyse, export alerts to ALERTS
  "$JD" ingest --db "$2" --quiet "$1" >/dev/null 2>&1 &&
    "$JD" resolve --db "$2" >/dev/null 2>&1 &&
    "$JD" analyse --db "$2" >/dev/null 2>&1 &&
    "$JD" export alerts --db "$2" >"$3" 2>/dev/null
}

# --- a county, and the same county with every ethnicity changed
"$JD" synth --out "$SCRATCH/c" --seed 11 --children 400 >/dev/null 2>&1
ok $? "synth writes a county"
CDB=$(new_store c)
pipeline "$SCRATCH/c" "$CDB" "$SCRATCH/c.db.alerts.jsonl"; ok $? "ingest, resolve, analyse and export succeed"
stats=$("$JD" analyse --db "$CDB" --no-save 2>/dev/null | head -1)
python3 - "$stats" <<'EOF'
import re, sys
m = re.search(r'(\d+) persons, (\d+) children', sys.argv[1])
sys.exit(0 if m and 0 < int(m.group(2)) <= int(m.group(1)) else 1)
EOF
ok $? "analyse counts each child once ($stats)"
times=$("$JD" analyse --db "$CDB" 2>/dev/null | grep -E '^  load ')
python3 - "$times" <<'EOF'
import re, sys
m = re.search(r'load ([0-9.]+) s, screening ([0-9.]+) s', sys.argv[1])
sys.exit(0 if m and float(m.group(1)) > 0 else 1)
EOF
ok $? "a saved analysis reports the time it took to load its snapshot ($times)"
n=$(wc -l <"$SCRATCH/c.db.alerts.jsonl")
ok $([ "$n" -gt 20 ] && echo 0 || echo 1) "the county raises alerts ($n)"
python3 - "$SCRATCH/c.db.alerts.jsonl" <<'EOF'
import json, sys
from collections import Counter
alerts = [json.loads(l) for l in open(sys.argv[1])]
ids = Counter(a['id'] for a in alerts)
per_event = Counter((a['kind'], r['agency'], r['record_id']) for a in alerts
                    if a['kind'] in ('unrecorded_crime', 'language', 'overdue_return_interview')
                    for r in a['records'])
sys.exit(0 if ids and max(ids.values()) == 1 and max(per_event.values(), default=1) == 1 else 1)
EOF
ok $? "alert ids are unique, one unrecorded_crime, language or overdue alert per event (contract 2.2)"

# --- the risk walk on threads: the same alerts and counts, byte for byte
counts() { grep -vE '^  load | in [0-9.]+ s' ; }
"$JD" analyse --db "$CDB" --threads 1 2>/dev/null | counts >"$SCRATCH/t1.out" &&
  "$JD" export alerts --db "$CDB" >"$SCRATCH/t1.jsonl" 2>/dev/null
ok $? "analyse --threads 1 runs"
for t in 2 5; do
  "$JD" analyse --db "$CDB" --threads $t 2>/dev/null | counts >"$SCRATCH/t$t.out" &&
    "$JD" export alerts --db "$CDB" >"$SCRATCH/t$t.jsonl" 2>/dev/null &&
    cmp -s "$SCRATCH/t1.jsonl" "$SCRATCH/t$t.jsonl" && cmp -s "$SCRATCH/t1.out" "$SCRATCH/t$t.out"
  ok $? "analyse --threads $t stores the alerts and counts of --threads 1, byte for byte"
done
cmp -s "$SCRATCH/t1.jsonl" "$SCRATCH/c.db.alerts.jsonl"
ok $? "the default threads store the alerts of --threads 1"
for bad in 0 -1 x 65; do
  "$JD" analyse --db "$CDB" --threads $bad >/dev/null 2>&1
  is $? 2 "analyse --threads $bad is refused as a usage error"
done

# --- the screen's learned combiner (--screen-model): the indicators model
# changes what the screen finds, the same on 1 and 2 threads (each worker
# loads its own copy); a missing file is an I/O failure
"$JD" analyse --db "$CDB" --no-save --threads 1 --screen-model "$SRC/data/rules/screen_model_ind.json" \
  2>/dev/null | counts >"$SCRATCH/m1.out"
ok $? "analyse --screen-model screen_model_ind.json runs"
"$JD" analyse --db "$CDB" --no-save --threads 2 --screen-model "$SRC/data/rules/screen_model_ind.json" \
  2>/dev/null | counts >"$SCRATCH/m2.out" && cmp -s "$SCRATCH/m1.out" "$SCRATCH/m2.out"
ok $? "analyse --screen-model: the counts of --threads 1 on 2 threads"
! cmp -s "$SCRATCH/m1.out" "$SCRATCH/t1.out"
ok $? "analyse --screen-model: the model changes the county's counts"
"$JD" analyse --db "$CDB" --no-save --screen-model "$SCRATCH/none.json" >/dev/null 2>&1
is $? 1 "analyse --screen-model with a missing file is an I/O failure"
# the wording model's veto floor: the county's "seeing a man called M, aged
# about A" (DOMAIN 6's relationship with an older male), which the model alone
# would veto, stays a language alert and the alert says why
"$JD" analyse --db "$CDB" --screen-model "$SRC/data/rules/screen_model_lang.json" >/dev/null 2>&1 &&
  "$JD" export alerts --db "$CDB" >"$SCRATCH/lang.jsonl" 2>/dev/null
python3 - "$SCRATCH/lang.jsonl" "$SCRATCH/c" <<'EOF'
import csv, glob, json, re, sys
floor = "which may not veto an adult named with an age"
a = {v["id"]: v for v in (json.loads(l) for l in open(sys.argv[1])) if v["kind"] == "language"}
# the county's notes "seeing a man called M, aged about A" with A an adult's age
aged = set()
for f in glob.glob(sys.argv[2] + "/events_*.csv"):
    for r in csv.DictReader(open(f, newline="")):
        m = re.search(r"seeing a man called \w+, aged about (\d+)", r.get("narrative") or "")
        if m and int(m.group(1)) >= 18:
            aged.add("language:%s:%s" % (r["agency"], r["record_id"]))
assert aged, "the county plants no aged 'seeing a man' note"
for i in sorted(aged):  # each such note's own alert names the floor beside its words
    ex = a[i]["explanation"] if i in a else []
    assert any(x.startswith('L14: "seeing a man"') and floor in x for x in ex), (i, ex)
# and the floor's explanation is on those alerts only
others = [i for i, v in a.items() if i not in aged and any(floor in x for x in v["explanation"])]
assert not others, others
EOF
ok $? "analyse --screen-model screen_model_lang.json: the veto floor's language alert says why"

# --- partitions of persons (issue 20): each pass on its own load, the
# networks on a narrow load of the whole county; the same alerts, counts
# and analysis documents (concern bases, network graph, hotspots,
# profiles, network feedback; the bases' save tag aside), byte for byte
docs() { db_query "$CDB" "SELECT name, doc FROM analysis_doc ORDER BY name" |
  sed -E 's/[0-9]{10}\.[0-9]{9}\.[0-9]+/TAG/g'; }
"$JD" analyse --db "$CDB" --threads 1 >/dev/null 2>&1 && docs >"$SCRATCH/t1.docs"
ok $? "the analysis documents of one partition"
grep -q '^m09:links|\[\[' "$SCRATCH/t1.docs"
ok $? "the county has network feedback, so the feedback round runs"
for k in "1" "2" "3" "3 --threads 2" "7 --threads 3" "auto --memory-mb 1"; do
  "$JD" analyse --db "$CDB" --partitions $k 2>/dev/null | counts >"$SCRATCH/k.out" &&
    "$JD" export alerts --db "$CDB" >"$SCRATCH/k.jsonl" 2>/dev/null && docs >"$SCRATCH/k.docs" &&
    cmp -s "$SCRATCH/t1.jsonl" "$SCRATCH/k.jsonl" && cmp -s "$SCRATCH/t1.out" "$SCRATCH/k.out" &&
    cmp -s "$SCRATCH/t1.docs" "$SCRATCH/k.docs"
  ok $? "analyse --partitions $k stores the alerts, counts and documents of one, byte for byte"
done
for k in 1 3; do
  "$JD" analyse --db "$CDB" --no-save --partitions $k 2>/dev/null | counts >"$SCRATCH/n$k.out"
done
grep -vE '^  concern bases|^saved; ' "$SCRATCH/t1.out" >"$SCRATCH/t1.counts"
cmp -s "$SCRATCH/n1.out" "$SCRATCH/n3.out" && cmp -s "$SCRATCH/n1.out" "$SCRATCH/t1.counts" &&
  grep -q '^saved; ' "$SCRATCH/t1.out" && ! grep -q '^saved; ' "$SCRATCH/n1.out"
ok $? "analyse --no-save --partitions 3 counts as one partition, as the saved run, and saves nothing"
"$JD" analyse --db "$CDB" --partitions 3 2>/dev/null | grep -q 'in 3 partitions:'
ok $? "analyse --partitions 3 says it walked in 3 partitions"
parts=$("$JD" analyse --db "$CDB" --partitions auto --memory-mb 1 2>/dev/null |
  sed -nE 's/.* in ([0-9]+) partitions:.*/\1/p')
ok $([ "${parts:-0}" -gt 1 ] && echo 0 || echo 1) "--partitions auto on a 1 MB budget cuts the county ($parts)"
"$JD" analyse --db "$CDB" --partitions auto 2>/dev/null | grep -q 'in 1 partition:'
ok $? "--partitions auto on the default budget keeps a small county whole"
# The network pass on partitions reads 5 bytes of each event's screening
# from the passes: two girls of 13 named as associates of notes disclosing
# sex with "a man in his 30s" (Dan, of no recorded age). The link is of
# concern only by the offence (the indicator it gives does not reach an
# associate) and Dan is an adult only by the text: without either flag
# the network is lost.
mkdir "$SCRATCH/pn"
printf '%s\n' 'agency,record_id,event_type,occurred_at,reported_at,location,postcode,narrative' \
  'police,M1,missing_report,2006-01-10T22:00,,,OX4 1AA,Amy reported missing overnight from home.' \
  'csc,W1,case_note,2006-01-20T10:00,,,OX4 1AA,Amy talks about an older boyfriend aged 25 who buys her gifts and alcohol.' \
  'police,M2,missing_report,2006-02-03T21:00,,,OX4 2BB,Beth reported missing overnight from home.' \
  'csc,W2,case_note,2006-02-14T11:00,,,OX4 2BB,Beth talks about an older boyfriend aged 30 who buys her gifts and alcohol.' \
  'csc,C1,case_note,2006-03-10T15:00,,"Flat 2, 14 Iffley Rd",OX4 1AA,Amy (13) disclosed that a man in his 30s had sex with her at a flat on Iffley Road.' \
  'csc,C2,case_note,2006-04-02T15:30,,"flat 2 14 iffley road",OX4 2BB,Beth (13) disclosed that a man in his 30s had sex with her at the same flat.' \
  >"$SCRATCH/pn/events.csv"
printf '%s\n' 'agency,record_id,person_ref,role,surname,forenames,dob,gender,postcode' \
  'police,M1,N1,subject,Adams,Amy,1992-02-01,F,OX4 1AA' 'csc,W1,N1,subject,Adams,Amy,1992-02-01,F,OX4 1AA' \
  'police,M2,N2,subject,Brown,Beth,1992-05-05,F,OX4 2BB' 'csc,W2,N2,subject,Brown,Beth,1992-05-05,F,OX4 2BB' \
  'csc,C1,N1,associate,Adams,Amy,1992-02-01,F,OX4 1AA' 'csc,C1,N10,suspect,Dixon,Dan,,M,OX4 7GG' \
  'csc,C2,N2,associate,Brown,Beth,1992-05-05,F,OX4 2BB' 'csc,C2,N10,suspect,Dixon,Dan,,M,OX4 7GG' \
  >"$SCRATCH/pn/persons.csv"
PDB=$(new_store pn)
pipeline "$SCRATCH/pn" "$PDB" "$SCRATCH/pn1.jsonl" && grep -q '"kind":"exploitation_network"' "$SCRATCH/pn1.jsonl"
ok $? "two girls linked to a man in his 30s by disclosed offences: one network"
for k in 2 3; do
  "$JD" analyse --db "$PDB" --partitions $k >/dev/null 2>&1 &&
    "$JD" export alerts --db "$PDB" >"$SCRATCH/pnk.jsonl" 2>/dev/null &&
    cmp -s "$SCRATCH/pn1.jsonl" "$SCRATCH/pnk.jsonl"
  ok $? "the same network and alerts on $k partitions (the offence and adult-text flags handed on)"
done

EDB=$(new_store empty) && mkdir "$SCRATCH/empty" &&
  printf 'agency,record_id,event_type,occurred_at,reported_at,location,postcode,narrative\n' \
    >"$SCRATCH/empty/events.csv" && "$JD" ingest --db "$EDB" --quiet "$SCRATCH/empty" >/dev/null 2>&1 &&
  out=$("$JD" analyse --db "$EDB" --partitions 3 2>/dev/null) &&
  grep -q '^analysed 0 events' <<<"$out" && grep -q 'in 3 partitions:' <<<"$out"
ok $? "analyse --partitions 3 on a store with no event"
for bad in 0 -1 x 65 1025 "auto --memory-mb 0" "2 --memory-mb 100"; do
  "$JD" analyse --db "$CDB" --partitions $bad >/dev/null 2>&1
  is $? 2 "analyse --partitions $bad is refused as a usage error"
done

cp -r "$SCRATCH/c" "$SCRATCH/e"
python3 - "$SCRATCH/e" <<'EOF'
import csv, glob, io, sys
# Rotate every ethnicity (and blank some), keeping everything else byte for byte.
for path in glob.glob(sys.argv[1] + '/persons*.csv'):
    with open(path, newline='', encoding='utf-8') as f:
        rows = list(csv.reader(f))
    head = [h.strip().lower() for h in rows[0]]
    if 'ethnicity' not in head:
        continue
    k = head.index('ethnicity')
    values = sorted({r[k] for r in rows[1:] if len(r) > k and r[k]}) or ['x']
    for i, r in enumerate(rows[1:]):
        if len(r) > k:
            r[k] = '' if i % 7 == 0 else values[(values.index(r[k]) + 1) % len(values)] if r[k] in values else values[0]
    out = io.StringIO()
    csv.writer(out, lineterminator='\n').writerows(rows)
    open(path, 'w', encoding='utf-8').write(out.getvalue())
EOF
ok $? "every person's ethnicity rewritten"
changed=$(cat "$SCRATCH"/c/persons*.csv | md5sum); changed2=$(cat "$SCRATCH"/e/persons*.csv | md5sum)
ok $([ "$changed" != "$changed2" ] && echo 0 || echo 1) "the rewritten persons files differ"
EDB=$(new_store e)
pipeline "$SCRATCH/e" "$EDB" "$SCRATCH/e.db.alerts.jsonl"; ok $? "the rewritten county runs"
cmp -s "$SCRATCH/c.db.alerts.jsonl" "$SCRATCH/e.db.alerts.jsonl"
ok $? "changing every ethnicity changes no alert (byte-identical export)"
is "$(db_query "$EDB" "SELECT CASE WHEN count(DISTINCT ethnicity) > 1 THEN 1 ELSE 0 END FROM person_mention")" 1 \
  "the changed ethnicities were stored (equality monitoring still has them)"

# --- time travel: a sample of every kind, each history step, as of its raised_at
python3 - "$SCRATCH/c.db.alerts.jsonl" >"$SCRATCH/steps" <<'EOF'
import json, sys
seen = {}
for line in open(sys.argv[1]):
    a = json.loads(line)
    k = a['kind']
    if seen.get(k, 0) >= 4:
        continue
    seen[k] = seen.get(k, 0) + 1
    steps = a.get('history') or [{'level': a['level'], 'raised_at': a['raised_at']}]
    for s in steps:
        print(a['id'], s['level'], s['raised_at'], k)
EOF
kinds=$(awk '{print $4}' "$SCRATCH/steps" | sort -u | tr '\n' ' ')
ok $([ "$(echo $kinds | wc -w)" -ge 5 ] && echo 0 || echo 1) "the sample covers the alert kinds raised ($kinds)"
bad=0; checks=0
while read -r id lvl t kind; do
  checks=$((checks + 1))
  "$JD" export alerts --db "$CDB" --as-of "$t" 2>/dev/null >"$SCRATCH/asof.jsonl"
  python3 - "$SCRATCH/asof.jsonl" "$id" "$lvl" <<'EOF' || { bad=$((bad + 1)); echo "# missing as of $t: $id $lvl"; }
import json, sys
path, id, lvl = sys.argv[1:]
rank = {'low': 1, 'medium': 2, 'high': 3, 'critical': 4}
for l in open(path):
    o = json.loads(l)
    if o['id'] == id:
        sys.exit(0 if rank[o['level']] >= rank[lvl] else 1)
sys.exit(1)
EOF
done <"$SCRATCH/steps"
ok $((bad != 0)) "every sampled alert step is raised as of its raised_at, at that level or higher ($checks checks, $bad missing)"
# ... and not one second earlier than the evidence it cites (no look-ahead).
python3 - "$SCRATCH/c.db.alerts.jsonl" <<'EOF'
import json, sys
from datetime import datetime
bad = 0
for line in open(sys.argv[1]):
    a = json.loads(line)
    t = datetime.fromisoformat(a['raised_at'])
    if not a.get('records') or not a.get('explanation'):
        bad += 1
    for s in a.get('history', []):
        if datetime.fromisoformat(s['raised_at']) > t and s['level'] == a['level']:
            bad += 1
sys.exit(1 if bad else 0)
EOF
ok $? "every alert names its records and explanation; no history step at its level is later than its raised_at"
first=$(head -1 "$SCRATCH/steps" | awk '{print $1, $3}')
set -- $first
early=$(python3 -c "
from datetime import datetime, timedelta; import sys
print((datetime.fromisoformat('$2') - timedelta(seconds=1)).isoformat())")
"$JD" export alerts --db "$CDB" --as-of "$early" 2>/dev/null >"$SCRATCH/early.jsonl"
python3 - "$SCRATCH/early.jsonl" "$1" "$(head -1 "$SCRATCH/steps" | awk '{print $2}')" <<'EOF'
import json, sys
path, id, lvl = sys.argv[1:]
rank = {'low': 1, 'medium': 2, 'high': 3, 'critical': 4}
for l in open(path):
    o = json.loads(l)
    if o['id'] == id and rank[o['level']] >= rank[lvl]:
        sys.exit(1)
sys.exit(0)
EOF
ok $? "one second before its first raised_at the alert is not there at that level"

# --- network feedback (M09): a child member of a network gains "associates
# of exploited children", naming the network, from the moment it is known
python3 - "$SCRATCH/c.db.alerts.jsonl" >"$SCRATCH/m09" <<'EOF'
import json, sys
alerts = [json.loads(l) for l in open(sys.argv[1])]
nets = {a['id']: a for a in alerts if a['kind'] == 'exploitation_network'}
for a in alerts:
    if a['kind'] != 'child_at_risk':
        continue
    for line in a['explanation']:
        if line.startswith('M09') and 'member of exploitation_network:' in line:
            net = line.split('member of ')[1].split(',')[0]
            member = [m for m in nets.get(net, {}).get('members', [])
                      if m['person_id'] == a['subject']['person_id']]
            if member:
                print(a['subject']['person_id'], net, member[0]['raised_at'])
                sys.exit(0)
sys.exit(1)
EOF
ok $? "a child in a network has M09 in the explanation of their risk, naming that network ($(cat "$SCRATCH/m09"))"
read -r m09_child m09_net m09_t <"$SCRATCH/m09"
before=$(python3 -c "
from datetime import datetime, timedelta
print((datetime.fromisoformat('$m09_t') - timedelta(seconds=1)).isoformat())")
"$JD" export alerts --db "$CDB" --as-of "$before" 2>/dev/null >"$SCRATCH/m09.jsonl"
python3 - "$SCRATCH/m09.jsonl" "$m09_child" "$m09_net" <<'EOF'
import json, sys
path, child, net = sys.argv[1:]
for l in open(path):
    a = json.loads(l)
    if a['kind'] == 'child_at_risk' and a['subject']['person_id'] == child:
        if any(net in x for x in a['explanation']):
            sys.exit(1)
sys.exit(0)
EOF
ok $? "one second before that membership was known, the child's risk does not cite it (no look-ahead)"

# --- the oxford scenario's landmarks (DOMAIN.md §7.2)
"$JD" synth --out "$SCRATCH/ox" --seed 3 --scenario oxford >/dev/null 2>&1
OXDB=$(new_store ox)
pipeline "$SCRATCH/ox" "$OXDB" "$SCRATCH/ox.db.alerts.jsonl"; ok $? "oxford scenario: pipeline succeeds"
lm() { python3 -c "import json,sys; print(json.load(open('$SCRATCH/ox/truth.json'))['landmarks']['$1']['record_id'])"; }
has() { # KIND RECORD [LEVEL]: an alert of KIND whose records include RECORD
  python3 - "$SCRATCH/ox.db.alerts.jsonl" "$1" "$2" "${3:-}" <<'EOF'
import json, sys
path, kind, rec, lvl = sys.argv[1:]
for l in open(path):
    o = json.loads(l)
    if o['kind'] == kind and any(r['record_id'] == rec for r in o.get('records', [])):
        if not lvl or o['level'] == lvl:
            sys.exit(0)
sys.exit(1)
EOF
}
ae=$(lm ae_disclosure_14); call=$(lm held_against_will_call); nfa=$(lm nfa_13); sw=$(lm streetwise)
has unrecorded_crime "$ae"; ok $? "A&E rape disclosure at 14 with no crime recorded: unrecorded_crime ($ae)"
grep "\"$call\"" "$SCRATCH/ox.db.alerts.jsonl" | grep -q '"level":"critical"'
ok $? "'held against her will' call: a critical alert cites it ($call)"
has escalation "$call"; ok $? "'held against her will' call: escalation alert ($call)"
has unrecorded_crime "$nfa"; ok $? "13-year-old with older men closed NFA: unrecorded_crime ($nfa)"
has language "$nfa"; ok $? "13-year-old closed NFA as 'consensual': language alert ($nfa)"
has language "$sw"; ok $? "'streetwise' note: language alert ($sw)"
grep "\"$sw\"" "$SCRATCH/ox.db.alerts.jsonl" | grep '"kind":"language"' | grep -qi 'exploit'
ok $? "the language alert offers the alternative wording"
python3 - "$SCRATCH/ox.db.alerts.jsonl" "$SCRATCH/ox/truth.json" <<'EOF'
import json, sys
alerts = [json.loads(l) for l in open(sys.argv[1])]
truth = json.load(open(sys.argv[2]))
ref2t = {(r['agency'], r['person_ref']): p['id'] for p in truth['persons'] for r in p['refs']}
girls = {e['person'] for e in truth['exploited']}
high = set()
for a in alerts:
    if a['kind'] == 'child_at_risk' and a['level'] in ('high', 'critical'):
        for r in a['subject']['refs']:
            t = ref2t.get((r['agency'], r['person_ref']))
            if t in girls and a['raised_at'][:4] < '2011':
                high.add(t)
sys.exit(0 if len(girls) == 6 and high == girls else 1)
EOF
ok $? "all six girls reach high before 2011 (long before Bullfinch)"
grep -q '"kind":"exploitation_network"' "$SCRATCH/ox.db.alerts.jsonl"; ok $? "the men around them form an exploitation_network alert"

done_testing
