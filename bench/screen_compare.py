#!/usr/bin/env python3
"""Two screens of the same corpora, side by side, one kind: per corpus and pooled.

usage: screen_compare.py [--kind off|lang|ind] [--part tune|heldout|all] A_DIR B_DIR CORPUS...

A_DIR and B_DIR hold `joindots screen --batch CORPUS` output for each corpus,
named as the corpus's file (A_DIR/heldout7.jsonl). One line a corpus on the
part (default: the held-out part, numbers only): tp/fp/fn and micro F1, A ->
B. The pool is every corpus named heldoutN with N >= 2 (the screen
engineers' pool); then how many of its corpora rise and fall, and the codes
of the pool that move most. For `bench/screen_retrain.sh` (a model retrained
against the shipped one). Scoring as bench/screen_score.py.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from screen_score import prf  # noqa: E402
from screen_sets import score  # noqa: E402


def micro(t):
    return [sum(c[i] for c in t.values()) for i in range(3)]


def line(name, a, b):
    fa, fb = prf(*a)[2], prf(*b)[2]
    print("%-12s %d/%d/%d P%.3f R%.3f F%.4f -> %d/%d/%d P%.3f R%.3f F%.4f  %+.4f" %
          (name, *a, *prf(*a)[:2], fa, *b, *prf(*b)[:2], fb, fb - fa))
    return fb - fa


def main(argv):
    kind, part = "ind", "heldout"
    while len(argv) > 1 and argv[0] in ("--kind", "--part"):
        if argv[0] == "--kind":
            kind = argv[1]
        else:
            part = argv[1]
        argv = argv[2:]
    if len(argv) < 3 or kind not in ("off", "lang", "ind") or part not in ("tune", "heldout", "all"):
        print(__doc__, file=sys.stderr)
        return 2
    da, db, corpora = argv[0], argv[1], argv[2:]
    pool = [{}, {}]
    moves = [0, 0, 0]
    for c in corpora:
        base = os.path.basename(c)
        try:
            ta, tb = (score(c, os.path.join(d, base), kind, part) for d in (da, db))
        except (OSError, ValueError) as e:
            print("screen_compare: %s" % e, file=sys.stderr)
            return 1
        d = line(base.rsplit(".", 1)[0], micro(ta), micro(tb))
        m = re.fullmatch(r"heldout(\d+)\.jsonl", base)
        if m and int(m.group(1)) >= 2:
            moves[0 if d > 1e-9 else 1 if d < -1e-9 else 2] += 1
            for p, t in zip(pool, (ta, tb)):
                for code, x in t.items():
                    p[code] = [u + v for u, v in zip(p.get(code, [0, 0, 0]), x)]
    line("POOL", micro(pool[0]), micro(pool[1]))
    print("pool corpora up/down/same: %d/%d/%d" % tuple(moves))
    codes = sorted(set(pool[0]) | set(pool[1]), key=lambda k: -sum(
        abs(u - v) for u, v in zip(pool[0].get(k, [0, 0, 0]), pool[1].get(k, [0, 0, 0]))))
    print("codes of the pool that move most (tp/fp/fn):")
    for k in codes[:10]:
        print("  %-28s %d/%d/%d -> %d/%d/%d" % (k, *pool[0].get(k, [0, 0, 0]),
                                                *pool[1].get(k, [0, 0, 0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
