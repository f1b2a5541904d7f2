#!/usr/bin/env bash
# Identity-resolution accuracy on the FEBRL benchmark files (synthetic
# Australian records with ground truth; ../shared/data/febrl). Each file is
# read through its column mapping (data/mappings), resolved without labels,
# and scored pairwise: dataset3 as deduplication, 4a+4b as linkage (only
# cross-file pairs count). Prints precision, recall and F1 per data set.
# Each data set runs twice: with soc_sec_id (febrlN.map) and without it
# (febrlN-nossn.map), since real agencies rarely share an identifier.
# Run from the repository root after building: bash bench/febrl_bench.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
jd="$build/src/cli/joindots"
data=${FEBRL_DIR:-../shared/data/febrl}
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-febrl.XXXXXX")
trap 'rm -rf "$work"' EXIT
run() { # name mode mapping-suffix files...
  local name=$1 mode=$2 sfx=$3; shift 3
  local db="$work/$name.db"
  for f in "$@"; do
    local ds; ds=$(basename "$f" .csv); ds=${ds#dataset}
    "$jd" ingest --db "$db" --quiet --mapping "data/mappings/febrl$ds$sfx.map" "$f" >/dev/null
  done
  /usr/bin/time -f "  resolve: wall %e s, peak RSS %M KiB" "$jd" resolve --db "$db" | sed 's/^/  /'
  "$jd" export identities --db "$db" 2>/dev/null > "$work/$name.jsonl"
  python3 bench/febrl_score.py "$mode" "$work/$name.jsonl" | sed "s/^/$name: /"
}
run dataset3 dedup "" "$data/dataset3.csv"
run dataset4 link "" "$data/dataset4a.csv" "$data/dataset4b.csv"
run dataset3-nossn dedup -nossn "$data/dataset3.csv"
run dataset4-nossn link -nossn "$data/dataset4a.csv" "$data/dataset4b.csv"
