#!/usr/bin/env bash
# Synthetic county benchmark: generation time and bundle size for the default
# county and for about 1,000,000 events, then ingest of the latter.
# Run from the repository root after building: bash bench/synth_bench.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
jd="$build/src/cli/joindots"
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-synth-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "== default county (seed 1)"
/usr/bin/time -f "wall %e s, peak RSS %M KiB" "$jd" synth --out "$work/default" --seed 1
du -sh "$work/default" | sed 's/^/bundle size: /'
echo "== oxford scenario (seed 1)"
/usr/bin/time -f "wall %e s, peak RSS %M KiB" "$jd" synth --out "$work/oxford" --seed 1 --scenario oxford
echo "== about 1,000,000 events (seed 1)"
/usr/bin/time -f "wall %e s, peak RSS %M KiB" "$jd" synth --out "$work/big" --seed 1 --events 1000000
du -sh "$work/big" | sed 's/^/bundle size: /'
echo "== ingest of the 1,000,000-event county"
/usr/bin/time -f "wall %e s, peak RSS %M KiB" "$jd" ingest --db "$work/big.db" --quiet "$work/big"
echo "== baseline score (one identity per person_ref)"
"$jd" score --truth "$work/big/truth.json" --baseline singletons | head -8
