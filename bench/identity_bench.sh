#!/usr/bin/env bash
# Identity resolution on synthetic counties with realistic identity noise
# (sparse rows, households, twins, namesakes; docs/internals/synth.md):
# synth -> ingest -> resolve -> export identities -> score, then one table
# per county: pairwise P/R/F1 and people exactly right, overall, for
# children and by group (sparse and full refs, households, twins...).
# Run from the repository root after building:
#   bash bench/identity_bench.sh [BUILD_DIR] [SEEDS] [EVENTS] [NOISE]
# SEEDS: space-separated (default "1 2 3"); EVENTS: e.g. 1000000 (default:
# the default county); NOISE: realistic (default) or none.
set -euo pipefail
build=${1:-build}
seeds=${2:-1 2 3}
events=${3:-}
noise=${4:-realistic}
jd="$build/src/cli/joindots"
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-identity.XXXXXX")
trap 'rm -rf "$work"' EXIT
for seed in $seeds; do
  d="$work/s$seed"
  echo "== seed $seed, identity noise $noise${events:+, about $events events}"
  /usr/bin/time -f "  synth: wall %e s, peak RSS %M KiB" \
    "$jd" synth --out "$d" --seed "$seed" --identity-noise "$noise" ${events:+--events "$events"} >/dev/null 2>"$d.log" || { cat "$d.log"; exit 1; }
  tail -1 "$d.log"
  /usr/bin/time -f "  ingest: wall %e s, peak RSS %M KiB" "$jd" ingest --db "$d.db" --quiet "$d" >/dev/null
  /usr/bin/time -f "  resolve: wall %e s, peak RSS %M KiB" "$jd" resolve --db "$d.db" >/dev/null
  "$jd" export identities --db "$d.db" > "$d.ids.jsonl" 2>/dev/null
  "$jd" score --truth "$d/truth.json" --identities "$d.ids.jsonl" --json > "$d.score.json"
  python3 - "$d.score.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
g = s.get("identity_groups", {})
print(f"  {'group':<24} {'refs':>8} {'persons':>8} {'P':>7} {'R':>7} {'F1':>7} {'exact':>7}")
for k, v in g.items():
    p = v["pairwise"]
    print(f"  {k:<24} {v['refs']:>8} {v['persons']:>8} {p['precision']:7.4f} {p['recall']:7.4f}"
          f" {p['f1']:7.4f} {100 * v['share']:6.2f}%")
PY
  rm -rf "$d" "$d.db"* "$d.ids.jsonl"
done
