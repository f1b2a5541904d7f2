#!/usr/bin/env python3
"""The alerts a county's practitioners would see, by rule, level and words.

Reads the alerts of the last analysis in an analysed SQLite store (opened
read-only) and counts the ones raised from text: unrecorded_crime by offence,
level and the words that disclose it; language by row and wording; and the
text evidence of child_at_risk by indicator and words. On a synthetic county
most notes are ordinary, so the largest rows are the false alarms a county
lives with (issue 17, scr-county). Run after `joindots analyse`, e.g. on a
store kept by `JD_PIPELINE_KEEP=DIR bash bench/pipeline_bench.sh`:

    python3 bench/alert_words.py DIR/s1.db [--top N]
"""
import argparse
import collections
import json
import re
import sqlite3
import sys

KINDS = ("unrecorded_crime", "language", "child_at_risk")
EVIDENCE = re.compile(r'(\w\d\d) .*?\("([^"]*)"\)')


def count(db):
    rows = collections.Counter()
    run = db.execute("select max(run_id) from alert").fetchone()[0]
    q = "select kind, level, doc from alert where run_id = ? and kind in (?, ?, ?)"
    for kind, level, doc in db.execute(q, (run,) + KINDS):
        d = json.loads(doc)
        if kind == "unrecorded_crime":
            rows[(kind, d.get("rule"), level, d.get("words", "").lower())] += 1
        elif kind == "language":
            for s in d.get("suggestions", []):
                rows[(kind, s["rule"], level, s["found"].lower())] += 1
        else:  # the first line is the level's reason; then one line an indicator
            for line in d.get("explanation", [])[1:]:
                m = EVIDENCE.match(line)
                if m:
                    rows[("child_at_risk evidence", m.group(1), "-", m.group(2).lower())] += 1
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("db")
    ap.add_argument("--top", type=int, default=20, help="rows by words (default 20)")
    a = ap.parse_args()
    try:
        db = sqlite3.connect("file:%s?mode=ro" % a.db, uri=True)
        rows = count(db)
    except sqlite3.Error as e:
        print("alert_words: %s: %s" % (a.db, e), file=sys.stderr)
        return 1
    by_rule = collections.Counter()
    for k, n in rows.items():
        by_rule[k[:3]] += n
    print("by kind, rule and level")
    for k, n in sorted(by_rule.items(), key=lambda x: (-x[1], x[0])):
        print("%8d  %s" % (n, " ".join(k)))
    print("by words (top %d)" % a.top)
    for k, n in sorted(rows.items(), key=lambda x: (-x[1], x[0]))[: a.top]:
        print("%8d  %s" % (n, " | ".join(k)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
