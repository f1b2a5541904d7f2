#!/usr/bin/env python3
"""Per-label F1 of the screen on each corpus (one writer each), side by side.

usage: screen_sets.py [--kind off|lang|ind] [--part tune|heldout|all] CORPUS RESULTS [CORPUS RESULTS...]

RESULTS is `joindots screen --batch CORPUS` output. One column per corpus:
F1/gold count of each label on the chosen part (default: tune), then the
label over every corpus but the first (the writers the first was not
written by; pass dev first). Rules do not learn, so a corpus's column is
its leave-one-set-out figure for the rules alone: the lowest columns are
the labels that hold worst for a writer the rules were not tuned on.
Scoring as bench/screen_score.py (offences unrecorded only).
"""
import json
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from screen_score import INDICATORS, OFFENCES, SLUGS, note_sets, part_of, prf  # noqa: E402


def score(corpus, results, kind, part):
    """{label: [tp, fp, fn]} over the notes of `part`."""
    gold = [json.loads(l) for l in open(corpus, encoding="utf-8") if l.strip()]
    pred = [json.loads(l) for l in open(results, encoding="utf-8") if l.strip()]
    if len(gold) != len(pred) or any(g.get("id") != p.get("id") for g, p in zip(gold, pred)):
        raise ValueError("%s: results %s do not follow the corpus note by note" % (corpus, results))
    t = defaultdict(lambda: [0, 0, 0])
    for g, p in zip(gold, pred):
        if part != "all" and part_of(g.get("id")) != part:
            continue
        gs, ps = note_sets(g, p)[kind]
        for c in gs | ps:
            t[c][0 if c in gs and c in ps else 1 if c in ps else 2] += 1
    return t


def main(argv):
    kind, part = "ind", "tune"
    while argv and argv[0].startswith("--"):
        if len(argv) < 2:
            break
        if argv[0] == "--kind":
            kind = argv[1]
        elif argv[0] == "--part":
            part = argv[1]
        else:
            break
        argv = argv[2:]
    if (not argv or len(argv) % 2 or kind not in ("off", "lang", "ind")
            or part not in ("tune", "heldout", "all")):
        print(__doc__, file=sys.stderr)
        return 2
    pairs = list(zip(argv[0::2], argv[1::2]))
    try:
        cols = [score(c, r, kind, part) for c, r in pairs]
    except (OSError, ValueError) as e:
        print("screen_sets: %s" % e, file=sys.stderr)
        return 1
    labels = {"off": OFFENCES, "lang": SLUGS, "ind": INDICATORS}[kind]
    names = [os.path.basename(c).rsplit(".", 1)[0][-8:] for c, _ in pairs]
    print("%-24s" % ("label (%s, %s)" % (kind, part)) + "".join("%10s" % n for n in names) +
          "   not %-8s tp/fp/fn" % names[0])
    total = [[0, 0, 0] for _ in cols]
    for lab in labels + ["MICRO"]:
        ts = ([col.get(lab, [0, 0, 0]) for col in cols] if lab != "MICRO" else total)
        if lab != "MICRO":
            if not any(sum(t) for t in ts):
                continue
            for T, t in zip(total, ts):
                T[:] = [a + b for a, b in zip(T, t)]
        rest = [sum(x) for x in zip(*ts[1:])] if len(ts) > 1 else ts[0]
        cells = "".join("%5.2f/%-4d" % (prf(*t)[2], t[0] + t[2]) if sum(t) else "%10s" % "-"
                        for t in ts)
        print("%-24s%s   %5.2f    %d/%d/%d" % (lab, cells, prf(*rest)[2], *rest))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
