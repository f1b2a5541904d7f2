#!/usr/bin/env python3
"""Cut the latest K events of a bundle off as a feed (bench/feed_bench.sh).

Usage: cut_feed.py BUNDLE BASE_OUT FEED_OUT K

BASE_OUT gets every file of the bundle without the K events that occurred
last (and their person and object rows); FEED_OUT/AGENCY/ gets those, one
bundle per agency. Streams the files (a 1M-event county in little memory).
"""
import csv
import glob
import heapq
import os
import sys


def main():
    bundle, base, feed, k = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    events = sorted(glob.glob(os.path.join(bundle, 'events*.csv')))
    latest = []  # heap of (occurred_at, agency, record_id): the k latest
    for path in events:
        with open(path, newline='', encoding='utf-8') as f:
            for row in csv.DictReader(f):
                key = (row['occurred_at'], row['agency'], row['record_id'])
                if len(latest) < k:
                    heapq.heappush(latest, key)
                elif key > latest[0]:
                    heapq.heapreplace(latest, key)
    cut = {(a, r) for _, a, r in latest}
    os.makedirs(base, exist_ok=True)
    writers = {}
    files = []
    for path in sorted(glob.glob(os.path.join(bundle, '*.csv'))):
        name = os.path.basename(path)
        kind = name.split('_')[0].split('.')[0]
        with open(path, newline='', encoding='utf-8') as f, \
             open(os.path.join(base, name), 'w', newline='', encoding='utf-8') as out:
            r = csv.DictReader(f)
            w = csv.DictWriter(out, fieldnames=r.fieldnames, lineterminator='\n')
            w.writeheader()
            for row in r:
                if (row['agency'], row['record_id']) not in cut:
                    w.writerow(row)
                    continue
                key = (row['agency'], kind)
                if key not in writers:
                    d = os.path.join(feed, row['agency'])
                    os.makedirs(d, exist_ok=True)
                    fo = open(os.path.join(d, kind + '.csv'), 'w', newline='', encoding='utf-8')
                    files.append(fo)
                    writers[key] = csv.DictWriter(fo, fieldnames=r.fieldnames, lineterminator='\n')
                    writers[key].writeheader()
                writers[key].writerow(row)
    for fo in files:
        fo.close()


main()
