#!/usr/bin/env bash
# Integration tests of the risk levels on a county with the confounder
# stories (issue 15): false alarms by confounder group, every explanation at
# high names its corroboration, `joindots calibrate` proposes a threshold
# from the figures, and `joindots score` shows the capacity view.
# Usage: test_risk.sh JOINDOTS SOURCE_ROOT
JD=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
scratch

"$JD" synth --out "$SCRATCH/c" --seed 3 --children 1200 --years 6 --confounders stories >/dev/null 2>&1
ok $? "synth writes a county with the confounder stories"
"$JD" ingest --db "$(store_at "$SCRATCH/c.db")" --quiet "$SCRATCH/c" >/dev/null 2>&1 &&
  "$JD" resolve --db "$(store_at "$SCRATCH/c.db")" >/dev/null 2>&1 &&
  "$JD" analyse --db "$(store_at "$SCRATCH/c.db")" >/dev/null 2>&1 &&
  "$JD" export alerts --db "$(store_at "$SCRATCH/c.db")" >"$SCRATCH/a.jsonl" 2>/dev/null &&
  "$JD" export identities --db "$(store_at "$SCRATCH/c.db")" >"$SCRATCH/i.jsonl" 2>/dev/null
ok $? "ingest, resolve, analyse and export succeed"

"$JD" score --truth "$SCRATCH/c/truth.json" --identities "$SCRATCH/i.jsonl" \
  --alerts "$SCRATCH/a.jsonl" --json >"$SCRATCH/s.json"
ok $? "score runs"
python3 - "$SCRATCH/s.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
g = s['false_alarms_by_confounder']
stories = ['pet_injuries', 'sport_injuries', 'phone_stolen', 'many_professionals',
           'in_care_missing_to_family', 'young_carer']
missing = [x for x in stories if x not in g]
assert not missing, missing
bad = {k: v for k, v in g.items() if v['children'] and v['false_alarms'] / v['children'] > 0.03}
assert not bad, bad
assert s['false_alarm_rate'] <= 0.01, s['false_alarm_rate']
assert s['recall_high'] >= 0.95, s['recall_high']
print('# false alarms %d of %d, recall %.3f' % (s['false_alarms'], s['non_exploited_children'],
                                               s['recall_high']))
cap = s['capacity']
assert cap['children_known'] > 0 and cap['by_year'], cap
assert sum(y['new_at_high'] for y in cap['by_year']) == cap['by_year'][-1]['reached_high_by_year_end']
PY
ok $? "at most 1% false alarms at high, at most 3% in every group (story groups present), recall >= 0.95; capacity by year adds up"

python3 - "$SCRATCH/a.jsonl" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    a = json.loads(line)
    if a['kind'] != 'child_at_risk' or a['level'] not in ('high', 'critical'):
        continue
    n += 1
    ex = a['explanation']
    assert any(e.startswith('corroborated: ') or e.startswith('corroboration not required')
               for e in ex), ex[:3]
    assert 'score_path' in a and 'high_by_trigger_at' in a, a.keys()
assert n > 0
print('# %d explanations at high' % n)
PY
ok $? "every explanation at high names its corroboration (or the trigger that stands instead)"

"$JD" calibrate --truth "$SCRATCH/c/truth.json" --alerts "$SCRATCH/a.jsonl" --json >"$SCRATCH/cal.json"
ok $? "calibrate runs"
python3 - "$SCRATCH/cal.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
levels = [l['level'] for l in c['levels']]
assert levels == ['low', 'medium', 'high', 'critical'], levels
th = c['high_thresholds']
fa = [t['false_alarm_rate'] for t in th]
assert all(a >= b for a, b in zip(fa, fa[1:])), fa   # a higher bar never adds false alarms
rc = [t['recall'] for t in th]
assert all(a >= b for a, b in zip(rc, rc[1:])), rc
p = c['proposed_high_min_score']
assert p is not None
t = [t for t in th if t['high_min_score'] == p][0]
assert t['meets_targets'] and t['false_alarm_rate'] <= 0.01 and t['worst_group_rate'] <= 0.03
lower = [t for t in th if t['high_min_score'] < p]
assert all(not t['meets_targets'] for t in lower)
print('# proposed high at %d: false alarms %.4f, recall %.3f' % (p, t['false_alarm_rate'], t['recall']))
PY
ok $? "calibrate: shares per level, thresholds monotone, the proposal is the lowest that meets the targets"
"$JD" calibrate --truth "$SCRATCH/c/truth.json" --alerts "$SCRATCH/a.jsonl" --target 2 >/dev/null 2>&1
is $? 2 "calibrate refuses a target above 1"
"$JD" calibrate --truth "$SCRATCH/c/truth.json" --alerts "$SCRATCH/none.jsonl" >/dev/null 2>&1
is $? 4 "calibrate reports a missing alerts file"
"$JD" calibrate --truth "$SCRATCH/c/truth.json" --alerts "$SCRATCH/a.jsonl" | grep -q "^proposed: high at"
ok $? "calibrate prints its proposal"

done_testing
