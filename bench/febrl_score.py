#!/usr/bin/env python3
"""Pairwise precision, recall and F1 of joindots identities on FEBRL data.

Ground truth: records rec-N-org and rec-N-dup-k with the same N are one
person. mode 'dedup' counts all pairs; 'link' counts only pairs whose two
records come from different files (agencies febrl4a and febrl4b).
"""
import json
import re
import sys
from collections import Counter
from itertools import combinations

mode, path = sys.argv[1], sys.argv[2]
clusters = []
entity = {}
for line in open(path, encoding="utf-8"):
    o = json.loads(line)
    refs = [(r["agency"], r["person_ref"]) for r in o["refs"]]
    clusters.append(refs)
    for a, r in refs:
        entity[(a, r)] = re.match(r"rec-(\d+)-", r).group(1)

def ok(a, b):
    return mode == "dedup" or a[0] != b[0]

pred = tp = 0
for c in clusters:
    for a, b in combinations(c, 2):
        if ok(a, b):
            pred += 1
            tp += entity[a] == entity[b]
true = 0
by_entity = {}
for ref, e in entity.items():
    by_entity.setdefault(e, []).append(ref)
for refs in by_entity.values():
    true += sum(1 for a, b in combinations(refs, 2) if ok(a, b))
p = tp / pred if pred else 0.0
r = tp / true if true else 0.0
f = 2 * p * r / (p + r) if p + r else 0.0
print(f"pairs predicted {pred}, true {true}, correct {tp}: precision {p:.4f} recall {r:.4f} F1 {f:.4f}")
