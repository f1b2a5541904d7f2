#!/usr/bin/env bash
# The analysis time of two builds on one store, alternated so that both see
# the same machine load: synth (seed 1, about EVENTS events, default the
# default county), ingest and resolve once with BUILD_A, then `analyse`
# ROUNDS times with each build in turn; prints each run and the medians.
#   bash bench/analyse_ab.sh BUILD_A BUILD_B [EVENTS] [ROUNDS]
set -euo pipefail
a=${1:?usage: analyse_ab.sh BUILD_A BUILD_B [EVENTS] [ROUNDS]}
b=${2:?usage: analyse_ab.sh BUILD_A BUILD_B [EVENTS] [ROUNDS]}
events=${3:-}
rounds=${4:-5}
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-ab.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$a/src/cli/joindots" synth --out "$work/bundle" --seed 1 ${events:+--events "$events"} >/dev/null
"$a/src/cli/joindots" ingest --db "$work/s.db" --quiet "$work/bundle" >/dev/null
"$a/src/cli/joindots" resolve --db "$work/s.db" >/dev/null
for r in $(seq 1 "$rounds"); do
  for side in a b; do
    build=${!side}
    /usr/bin/time -f "$side %e %M" -a -o "$work/times" "$build/src/cli/joindots" analyse \
      --db "$work/s.db" >/dev/null
  done
done
cat "$work/times"
for side in a b; do
  awk -v s="$side" '$1 == s { print $2, $3 }' "$work/times" | sort -n |
    awk -v s="$side" '{ t[NR] = $1; m[NR] = $2 } END {
      printf "%s: median wall %.2f s, median peak RSS %d KiB (%d runs)\n", s, t[int((NR + 1) / 2)],
        m[int((NR + 1) / 2)], NR }'
done
