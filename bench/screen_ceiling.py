#!/usr/bin/env python3
"""The recall ceiling of the text screen's candidates (stdlib only).

usage: screen_ceiling.py [--part all|tune|heldout] [--build DIR] [--rules FILE] [--labels]
                         CORPUS.jsonl...

A candidate is a label some rule matched in a note: a counted match, or a
match an attribute ruled out (`joindots screen --batch --all`, "not_counted"),
except one the ages alone ruled out (the ages decide the offence code, the
model never does; as jd_screen__candidate in src/lib/screen/model.c). A model
that decides candidates can find no gold label that has none, so the share of
gold labels with a candidate is the ceiling of its recall. The corpora are
pooled. Printed per kind (offences are unrecorded only, as in screen_score.py):
gold labels, counted by the rules alone (their recall), candidates (the
ceiling), and of those the candidates that rest on weak evidence only (rules
marked "weak" in data/rules/screen.json: never counted without a model), and
the candidates per note (what a model must sift). For offences, "+family"
is the ceiling when the model may also raise a label no rule of its own
matched in a note where some offence rule matched (scr-learn's family
candidates; an upper bound, the ages of the label are not checked here). --labels adds the table
per label; --rules screens with another rules file (before -> after). The split
is screen_score.py's (id number divisible by 3: held out).
"""
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from screen_score import INDICATORS, OFFENCES, SLUGS, part_of  # noqa: E402

KINDS = (("off", "offences (unrecorded only)", OFFENCES), ("lang", "language", SLUGS),
         ("ind", "indicators", INDICATORS))


def kind_of(m):
    if "slug" in m:
        return "lang"
    c = m.get("code", "")
    return "off" if c.startswith("C") else "ind"


def label_of(m):
    return m.get("slug") or m.get("code")


def candidates(res):
    """kind -> {label: "counted" | "strong" | "weak"} for one result line."""
    out = {k: {} for k, _, _ in KINDS}
    for key, kind in (("offences", "off"), ("language", "lang"), ("indicators", "ind")):
        for m in res.get(key, []):
            if kind == "off" and m.get("recorded"):
                continue
            out[kind][label_of(m)] = "counted"
    for m in res.get("not_counted", []):
        a = m.get("attributes", {})
        k = kind_of(m)
        if a.get("ages_do_not_fit") or (k == "off" and m.get("recorded")):
            continue
        lab = label_of(m)
        how = "weak" if a.get("weak") else "strong"
        if out[k].get(lab) in ("counted", "strong"):
            continue
        out[k][lab] = how
    return out


def screen(build, corpus, rules=None):
    binp = os.path.join(build, "src", "cli", "joindots")
    cmd = [binp, "screen", "--batch", corpus, "--all"] + (["--rules", rules] if rules else [])
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as f:
        subprocess.run(cmd, stdout=f, check=True)
        f.seek(0)
        return [json.loads(l) for l in f if l.strip()]


def tally(corpora, build, part, rules):
    # gold, counted, cand, weak, family (no own candidate, some match of the kind)
    t = {k: defaultdict(lambda: [0, 0, 0, 0, 0]) for k, _, _ in KINDS}
    ncand = defaultdict(int)
    notes = 0
    for corpus in corpora:
        gold = [json.loads(l) for l in open(corpus, encoding="utf-8") if l.strip()]
        pred = screen(build, corpus, rules)
        if len(gold) != len(pred):
            raise SystemExit("screen_ceiling: %s: %d notes, %d results" % (corpus, len(gold),
                                                                           len(pred)))
        for g, p in zip(gold, pred):
            if part != "all" and part_of(g.get("id")) != part:
                continue
            notes += 1
            c = candidates(p)
            rec = g.get("crime_recorded") == "Y"
            gs = {"off": set() if rec else set(g.get("offences", [])),
                  "lang": set(g.get("language", [])), "ind": set(g.get("indicators", []))}
            for k, _, _ in KINDS:
                ncand[k] += len(c[k])
                for lab in gs[k]:
                    row = t[k][lab]
                    row[0] += 1
                    how = c[k].get(lab)
                    row[1] += how == "counted"
                    row[2] += how is not None
                    row[3] += how == "weak"
                    row[4] += how is None and bool(c[k])
    return t, ncand, notes


def share(a, b):
    return a / b if b else 0.0


def main():
    args = sys.argv[1:]
    opts = {"--part": "all", "--build": "build", "--rules": None}
    for opt in opts:
        if opt in args:
            i = args.index(opt)
            opts[opt] = args[i + 1]
            del args[i:i + 2]
    part, build, labels = opts["--part"], opts["--build"], False
    if "--labels" in args:
        labels = True
        args.remove("--labels")
    if not args or part not in ("all", "tune", "heldout"):
        print(__doc__, file=sys.stderr)
        return 2
    t, ncand, notes = tally(args, build, part, opts["--rules"])
    print("notes: %d (part %s) from %s" % (notes, part,
                                           " ".join(os.path.basename(a) for a in args)))
    print("%-28s %5s %7s %7s %7s %6s  %9s  %s" % ("kind / label", "gold", "counted", "ceiling",
                                                  "weak", "rules R", "cand/note", "+family"))
    for k, title, order in KINDS:
        T = [0, 0, 0, 0, 0]
        rows = []
        for lab in order:
            row = t[k].get(lab)
            if not row:
                continue
            T = [a + b for a, b in zip(T, row)]
            rows.append((lab, row))
        if labels:
            print(title)
            for lab, row in sorted(rows, key=lambda r: share(r[1][2], r[1][0])):
                print("  %-26s %5d %7d %7.2f %7d %6.2f" % (lab, row[0], row[1],
                                                          share(row[2], row[0]), row[3],
                                                          share(row[1], row[0])))
        fam = "%.2f" % share(T[2] + T[4], T[0]) if k == "off" else ""
        print("%-28s %5d %7d %7.2f %7d %6.2f  %9.2f  %s" % (
            title if not labels else "  ALL " + k, T[0], T[1], share(T[2], T[0]), T[3],
            share(T[1], T[0]), share(ncand[k], notes), fam))
    return 0


if __name__ == "__main__":
    sys.exit(main())
