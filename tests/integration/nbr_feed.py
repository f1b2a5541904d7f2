#!/usr/bin/env python3
"""A second feed through a neighbour a bounded walk reached only at its edge
(tests/integration/test_resolve_incremental.sh, --hops 1).

Usage: nbr_feed.py OLD ROWS MARK BUNDLE OUT

OLD: the stored refs before a bounded run, "agency|ref|person_id|nbr"
lines (nbr: its neighbours' person_ids, space-separated); ROWS: the same
after it, on a store whose every nbr had MARK (an id of no identity)
appended before the run: the refs re-resolved lost it, the others keep
it. A ref e re-resolved with an old neighbour Y none of whose refs was:
e's links to Y were not scored again. OUT/AGENCY/ gets a bundle naming
another ref f of e's identity, without Y among its neighbours, again (a
copy of one of its rows in BUNDLE): in a second feed f's links are scored
again, not e's, and e's identity is 0 links away, Y 1 through e's stored
neighbours only. Prints "F E Y" (refs as AGENCY:REF), or nothing when there
is no such ref.
"""
import csv
import glob
import os
import sys


def main():
    old, rows, mark, bundle, out = sys.argv[1:6]
    refs_of, scope = {}, set()
    with open(old, encoding='utf-8') as f:
        nbr = {tuple(x[:2]): x[3].split() for x in (l.rstrip('\n').split('|', 3) for l in f)}
    with open(rows, encoding='utf-8') as f:
        for line in f:
            agency, ref, p, n = line.rstrip('\n').split('|', 3)
            k = (agency, ref)
            refs_of.setdefault(p, []).append(k)
            if mark not in n.split():
                scope.add(k)
    out_of_scope = {p for p, ks in refs_of.items() if not scope.intersection(ks)}
    pid = {k: p for p, ks in refs_of.items() for k in ks}
    pick = next(((f, k, y) for k in sorted(scope) for y in nbr.get(k, []) if y in out_of_scope
                 for f in sorted(refs_of[pid[k]]) if f != k and y not in nbr.get(f, [])), None)
    if not pick:
        return
    (agency, ref), e, y = pick
    for path in sorted(glob.glob(os.path.join(bundle, 'persons*.csv'))):
        with open(path, newline='', encoding='utf-8') as f:
            r = csv.DictReader(f)
            person = next((x for x in r if (x['agency'], x['person_ref']) == (agency, ref)), None)
            pfields = r.fieldnames
        if person:
            break
    with open(os.path.join(bundle, 'events_%s.csv' % agency), newline='', encoding='utf-8') as f:
        r = csv.DictReader(f)
        event = next(x for x in r if x['record_id'] == person['record_id'])
        efields = r.fieldnames
    d = os.path.join(out, agency)
    os.makedirs(d, exist_ok=True)
    for name, fields, row in (('events.csv', efields, event), ('persons.csv', pfields, person)):
        with open(os.path.join(d, name), 'w', newline='', encoding='utf-8') as f:
            w = csv.DictWriter(f, fieldnames=fields, lineterminator='\n')
            w.writeheader()
            w.writerow(dict(row, record_id='NBR2-' + row['record_id']))
    print('%s:%s' % (agency, ref), '%s:%s' % e, y)


main()
