#!/usr/bin/env python3
"""Cut a bundle into N feeds by time, one per slice and agency (issue 17).

Usage: slice_bundle.py BUNDLE OUT N

Events are ordered by occurred_at and cut into N slices of equal size (the
"days" of a county fed day by day); person and object rows go with their
event. Writes OUT/sNNN/AGENCY/{events,persons,objects}.csv, each with the
header of the file it came from. Only synthetic data.
"""
import csv
import glob
import os
import sys


def read(pattern):
    for path in sorted(glob.glob(pattern)):
        with open(path, newline='', encoding='utf-8') as f:
            r = csv.DictReader(f)
            for row in r:
                yield r.fieldnames, row


def main():
    bundle, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    events = list(read(os.path.join(bundle, 'events*.csv')))
    events.sort(key=lambda e: (e[1]['occurred_at'], e[1]['agency'], e[1]['record_id']))
    slice_of = {}
    for i, (_, e) in enumerate(events):
        slice_of[(e['agency'], e['record_id'])] = i * n // len(events)
    files = {}  # (slice, agency, kind) -> (header, rows)
    def put(kind, header, row):
        s = slice_of.get((row['agency'], row['record_id']))
        if s is None:
            return
        files.setdefault((s, row['agency'], kind), (header, []))[1].append(row)
    for header, e in events:
        put('events', header, e)
    for kind in ('persons', 'objects'):
        for header, row in read(os.path.join(bundle, kind + '*.csv')):
            put(kind, header, row)
    for (s, agency, kind), (header, rows) in sorted(files.items()):
        d = os.path.join(out, 's%03d' % s, agency)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, kind + '.csv'), 'w', newline='', encoding='utf-8') as f:
            w = csv.DictWriter(f, fieldnames=header, lineterminator='\n')
            w.writeheader()
            w.writerows(rows)


main()
