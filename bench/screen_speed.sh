#!/usr/bin/env bash
# Speed of the text screen against the whole analysis on a synthetic county.
#
#   bash bench/screen_speed.sh COUNTY_DIR [BUILD_DIR]
#
# COUNTY_DIR is a `joindots synth --out DIR` county (e.g. made once with
# `joindots synth --seed 7 --events 1000000 --out DIR`, outside the repo). The
# script ingests, resolves and analyses it in a temporary database (timing
# analyse), then times the screen alone over every event narrative (as notes
# of a 14-year-old) with build/bench/screen_speed, and prints both rates.
set -euo pipefail
county=${1:?usage: bench/screen_speed.sh COUNTY_DIR [BUILD_DIR]}
build=${2:-build}
jd="$build/src/cli/joindots"
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-screen-speed.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 - "$county" "$work/notes.jsonl" <<'PY'
import csv, glob, json, sys
n = 0
with open(sys.argv[2], "w") as out:
    for f in sorted(glob.glob(sys.argv[1] + "/events*.csv")):
        for row in csv.DictReader(open(f, newline="")):
            out.write(json.dumps({"text": row.get("narrative") or "",
                                  "event_type": row.get("event_type") or "",
                                  "agency": row.get("agency") or "", "child_age": 14}) + "\n")
            n += 1
print("notes:", n)
PY
"$build/bench/screen_speed" "$work/notes.jsonl"
"$jd" ingest --db "$work/c.db" --quiet "$county" | tail -1
"$jd" resolve --db "$work/c.db" | head -1
/usr/bin/time -f "analyse: wall %e s, peak RSS %M KiB" "$jd" analyse --db "$work/c.db" | grep -E 'analysed|load .* screening'
