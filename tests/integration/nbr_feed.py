#!/usr/bin/env python3
"""A second feed through a neighbour a bounded walk reached only at its edge
(tests/integration/test_resolve_incremental.sh, --hops 1).

Usage: nbr_feed.py ROWS FEED BUNDLE OUT

ROWS: the stored refs before the first feed, "agency|ref|person_id|nbr"
lines (nbr: its neighbours' person_ids, space-separated); FEED: that
feed's bundles (FEED/AGENCY/persons.csv); BUNDLE: the county's bundle.
The identities of the feed's refs (0 links away), their neighbours (1
away: the edge of a walk of one link), and a ref e of one of those whose
neighbour Y is neither: e's links to Y are not scored again by the first
feed's walk. OUT gets a bundle of one event naming e again (a copy of one
of its rows), which makes e's identity 0 away in a second feed and Y 1.
Prints "AGENCY REF Y", or nothing when the county has no such ref.
"""
import csv
import glob
import os
import sys


def main():
    rows, feed, bundle, out = sys.argv[1:5]
    pid, nbr, refs_of = {}, {}, {}
    with open(rows, encoding='utf-8') as f:
        for line in f:
            agency, ref, p, n = line.rstrip('\n').split('|', 3)
            pid[(agency, ref)] = p
            nbr[(agency, ref)] = n.split()
            refs_of.setdefault(p, []).append((agency, ref))
    near = set()
    for path in glob.glob(os.path.join(feed, '*', 'persons*.csv')):
        with open(path, newline='', encoding='utf-8') as f:
            near |= {pid[k] for k in ((r['agency'], r['person_ref']) for r in csv.DictReader(f))
                     if k in pid}
    edge = sorted({y for p in near for k in refs_of[p] for y in nbr[k]} - near)
    pick = None
    for p in edge:
        for k in sorted(refs_of.get(p, [])):
            far = [y for y in nbr[k] if y not in near and y not in edge]
            if far:
                pick = (k, far[0])
                break
        if pick:
            break
    if not pick:
        return
    (agency, ref), y = pick
    for path in sorted(glob.glob(os.path.join(bundle, 'persons*.csv'))):
        with open(path, newline='', encoding='utf-8') as f:
            r = csv.DictReader(f)
            person = next((x for x in r if x['agency'] == agency and x['person_ref'] == ref), None)
            pfields = r.fieldnames
        if person:
            break
    epath = os.path.join(bundle, 'events_%s.csv' % agency)
    with open(epath, newline='', encoding='utf-8') as f:
        r = csv.DictReader(f)
        event = next(x for x in r if x['record_id'] == person['record_id'])
        efields = r.fieldnames
    os.makedirs(out, exist_ok=True)
    event['record_id'] = person['record_id'] = 'NBR2-' + person['record_id']
    for name, fields, row in (('events.csv', efields, event), ('persons.csv', pfields, person)):
        with open(os.path.join(out, name), 'w', newline='', encoding='utf-8') as f:
            w = csv.DictWriter(f, fieldnames=fields, lineterminator='\n')
            w.writeheader()
            w.writerow(row)
    print(agency, ref, y)


main()
