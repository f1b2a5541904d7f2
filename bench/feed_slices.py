#!/usr/bin/env python3
"""Feed bundles for bench/load_bench.sh's concurrent feed, from a county bundle.

Usage: feed_slices.py BUNDLE OUT SLICES EVENTS

Writes OUT/NNN/AGENCY/ for NNN in 0..SLICES-1: a bundle of EVENTS new
events of one agency (the agencies in turn), each a copy of one of the
county's events under a new record id (RECORD-LNNN) with its person rows,
so that every slice is a day's extract of new records about people the
store already knows: ingest stores them (nothing is "unchanged"), resolve
finds no new ref, analyse and escalation run over the county again.
"""
import csv
import os
import sys

AGENCIES = ['police', 'csc', 'school', 'health_ae', 'call_handling', 'gp']


def main():
    bundle, out, slices, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    for a, ag in enumerate(AGENCIES):
        ks = list(range(a, slices, len(AGENCIES)))
        if not ks:
            continue
        with open(os.path.join(bundle, 'events_%s.csv' % ag), newline='', encoding='utf-8') as f:
            r = csv.DictReader(f)
            ev_fields = r.fieldnames
            events = []
            for row in r:
                events.append(row)
                if len(events) == len(ks) * n:
                    break
        people = {}
        with open(os.path.join(bundle, 'persons_%s.csv' % ag), newline='', encoding='utf-8') as f:
            r = csv.DictReader(f)
            pe_fields = r.fieldnames
            wanted = {row['record_id'] for row in events}
            for row in r:
                if row['record_id'] in wanted:
                    people.setdefault(row['record_id'], []).append(row)
        for j, k in enumerate(ks):
            rows = events[j * n:(j + 1) * n]
            d = os.path.join(out, '%03d' % k, ag)
            os.makedirs(d, exist_ok=True)
            suffix = '-L%03d' % k
            with open(os.path.join(d, 'events.csv'), 'w', newline='', encoding='utf-8') as f:
                w = csv.DictWriter(f, fieldnames=ev_fields)
                w.writeheader()
                for row in rows:
                    w.writerow(dict(row, record_id=row['record_id'] + suffix))
            with open(os.path.join(d, 'persons.csv'), 'w', newline='', encoding='utf-8') as f:
                w = csv.DictWriter(f, fieldnames=pe_fields)
                w.writeheader()
                for row in rows:
                    for p in people.get(row['record_id'], []):
                        w.writerow(dict(p, record_id=p['record_id'] + suffix))


if __name__ == '__main__':
    main()
