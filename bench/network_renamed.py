#!/usr/bin/env python3
# bench/network_renamed.py BEFORE.alerts AFTER.alerts: for bench/identical.sh
# output across the change to lifetime network ids (issue 17 item 2).
# Compare two sorted alert exports modulo network renaming: network alerts
# are matched by member sets, their ids substituted everywhere (ids and
# explanation text), the new 'around' field dropped; then byte comparison.
import json, sys, re
def load(p):
    return [json.loads(l) for l in open(p)]
b, a = load(sys.argv[1]), load(sys.argv[2])
def key(x): return frozenset(m['person_id'] for m in x['members'])
bn = {key(x): x['id'] for x in b if x['kind'] == 'exploitation_network'}
an = {key(x): x['id'] for x in a if x['kind'] == 'exploitation_network'}
ren = {an[k]: bn[k] for k in an if k in bn}
print('networks before', len(bn), 'after', len(an), 'matched by members', len(ren))
pat = re.compile(r'exploitation_network:[A-Za-z0-9-]+')
def norm(x):
    x = dict(x); x.pop('around', None)
    s = json.dumps(x, sort_keys=True)
    return pat.sub(lambda m: ren.get(m.group(0), m.group(0)), s)
B = sorted(json.dumps(x, sort_keys=True) for x in b)
A = sorted(norm(x) for x in a)
same = B == A
print('alerts', len(B), len(A), 'identical after renaming' if same else 'DIFFERENT')
if not same:
    sb, sa = set(B), set(A)
    print(len(sb - sa), 'only before', len(sa - sb), 'only after')
    for l in list(sb - sa)[:2]: print('  B', l[:300])
    for l in list(sa - sb)[:2]: print('  A', l[:300])
sys.exit(0 if same else 1)
