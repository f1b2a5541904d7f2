#!/usr/bin/env python3
"""Score `joindots screen --batch` output against a labelled corpus (stdlib only).

usage: screen_score.py CORPUS.jsonl RESULTS.jsonl [--part all|tune|heldout]

The split is fixed here, never tuned: a note is in the tuning part when the
number in its id is not divisible by 3 (D0001, D0002, D0004...), and held out
when it is (D0003, D0006...). Notes from other corpora (ids without a number
divisible by 3 or not) follow the same rule; --part all scores everything.

Offences are scored at event level, unrecorded only: a note's gold offences
count when its crime_recorded is not "Y"; a predicted offence counts when the
screen says recorded = false. Traps: the share of notes carrying a trap class
that get any false match (an offence, a slug or an indicator not in the gold).
"""
import json
import re
import sys
from collections import defaultdict

OFFENCES = ["C%d" % i for i in range(1, 21)]
SLUGS = ["prostitution", "consent", "sexually_active", "sexual_activity_with_adult", "boyfriend",
         "putting_self_at_risk", "lifestyle_choice", "streetwise", "promiscuous",
         "contacting_adults", "exchanging_sex", "absconded", "recruiting", "refused_to_engage",
         "asking_for_it", "own_accord", "enjoys", "sexually_available", "rent_boy",
         "out_of_control", "experimenting"]
INDICATORS = (["V0%d" % i for i in range(1, 8)] + ["M%02d" % i for i in range(1, 14)] +
              ["S%02d" % i for i in range(1, 13)])


def part_of(note_id):
    m = re.search(r"(\d+)", note_id or "")
    if not m:
        return "tune"
    return "heldout" if int(m.group(1)) % 3 == 0 else "tune"


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def note_sets(g, p):
    """Gold and predicted codes of one note per kind: {"off": (gold, pred), "lang": ..., "ind": ...}."""
    recorded = g.get("crime_recorded") == "Y"
    return {
        "off": (set() if recorded else set(g.get("offences", [])),
                {o["code"] for o in p.get("offences", []) if not o.get("recorded")}),
        "lang": (set(g.get("language", [])), {o["slug"] for o in p.get("language", [])}),
        "ind": (set(g.get("indicators", [])), {o["code"] for o in p.get("indicators", [])}),
    }


def main():
    args = sys.argv[1:]
    part = "all"
    if "--part" in args:
        i = args.index("--part")
        part = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2 or part not in ("all", "tune", "heldout"):
        print(__doc__, file=sys.stderr)
        return 2
    gold = [json.loads(l) for l in open(args[0], encoding="utf-8") if l.strip()]
    pred = [json.loads(l) for l in open(args[1], encoding="utf-8") if l.strip()]
    if len(gold) != len(pred):
        print("screen_score: %d notes but %d results" % (len(gold), len(pred)), file=sys.stderr)
        return 1
    counts = {k: defaultdict(lambda: [0, 0, 0]) for k in ("off", "lang", "ind")}
    note_level = {k: [0, 0, 0] for k in ("off", "lang", "ind")}
    traps = defaultdict(lambda: [0, 0])
    n = 0
    errors = []
    for g, p in zip(gold, pred):
        if g.get("id") != p.get("id"):
            print("screen_score: id %s has result %s (order differs)" % (g.get("id"), p.get("id")),
                  file=sys.stderr)
            return 1
        if part != "all" and part_of(g.get("id")) != part:
            continue
        n += 1
        sets = note_sets(g, p)
        false_match = False
        for k, (gs, ps) in sets.items():
            for c in gs | ps:
                t = counts[k][c]
                if c in gs and c in ps:
                    t[0] += 1
                elif c in ps:
                    t[1] += 1
                    false_match = True
                else:
                    t[2] += 1
            nl = note_level[k]
            if gs and ps:
                nl[0] += 1
            elif ps:
                nl[1] += 1
            elif gs:
                nl[2] += 1
            if gs != ps:
                errors.append((g["id"], k, sorted(gs - ps), sorted(ps - gs)))
        for t in g.get("traps", []):
            traps[t][0] += 1
            # a trap note's false match: offences or language it does not carry
            fm = (sets["off"][1] - sets["off"][0]) | (sets["lang"][1] - sets["lang"][0])
            if fm:
                traps[t][1] += 1
    print("notes scored: %d (part %s; held out = id number divisible by 3)" % (n, part))
    names = {"off": ("offences (unrecorded only)", OFFENCES), "lang": ("language", SLUGS),
             "ind": ("indicators", INDICATORS)}
    for k in ("off", "lang", "ind"):
        title, labels = names[k]
        print("\n%s\n%-28s %5s %5s %5s  %5s %5s %5s" % (title, "label", "tp", "fp", "fn", "P", "R",
                                                         "F1"))
        T = [0, 0, 0]
        for c in labels:
            t = counts[k].get(c, [0, 0, 0])
            T = [a + b for a, b in zip(T, t)]
            if sum(t):
                print("%-28s %5d %5d %5d  %5.2f %5.2f %5.2f" % ((c, *t, *prf(*t))))
        print("%-28s %5d %5d %5d  %5.2f %5.2f %5.2f" % (("MICRO", *T, *prf(*T))))
        nl = note_level[k]
        print("%-28s %5d %5d %5d  %5.2f %5.2f %5.2f" % (("note level (any label)", *nl, *prf(*nl))))
    print("\ntraps: notes with a false offence or wording match (target <= 5%%)\n%-24s %5s %5s %6s"
          % ("trap", "notes", "false", "share"))
    for t in sorted(traps):
        a, b = traps[t]
        print("%-24s %5d %5d %5.1f%%" % (t, a, b, 100.0 * b / a if a else 0.0))
    if "-v" in sys.argv or "--errors" in sys.argv:
        pass
    import os
    if os.environ.get("SCREEN_ERRORS"):
        with open(os.environ["SCREEN_ERRORS"], "w") as f:
            for e in errors:
                f.write("%s %s missed=%s extra=%s\n" % e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
