#!/usr/bin/env bash
# The resolve stage of live operation (issue 17), A/B against another
# binary: a county less its FEED_EVENTS latest events is ingested (by the
# baseline binary, so both read the same store) and resolved in full by
# each binary; then, on copies, the feed (one bundle per agency) and the
# one-event urgent call of tests/data/bundles/feed_call are ingested and
# resolved with `resolve --incremental --hops HOPS` (the live default: 1).
# Per run: user + system CPU, wall, peak RSS (/usr/bin/time), the store's
# size after the full run, and the run's own report (scope, refs written,
# per-phase times), alternating the binaries REPEATS times.
#
#   bash bench/resolve_incr_bench.sh BUILD_DIR BASELINE_JOINDOTS WORK_DIR BUNDLE \
#        [REPEATS] [FEED_EVENTS] [HOPS]
#
# BUNDLE is a county's bundle directory (`joindots synth --out`); WORK_DIR
# keeps base.db and feed/ between runs. Defaults: 1 repeat, 5000 events,
# hops 1. The machine is shared: read CPU, not wall.
set -euo pipefail
new="$(cd "${1:?build dir}" && pwd)/src/cli/joindots"
old=${2:?baseline joindots}
work=${3:?work dir}
bundle=$(cd "${4:?bundle}" && pwd)
reps=${5:-1}
feedn=${6:-5000}
hops=${7:-1}
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
cd "$work"
if [ ! -f base.db ]; then
  python3 "$src/bench/cut_feed.py" "$bundle" base feed "$feedn"
  "$old" ingest --db base.db --quiet base >/dev/null
fi
T() { /usr/bin/time -f "  $1: %U user %S sys s, wall %e s, peak RSS %M KiB" "${@:2}"; }
for r in $(seq 1 "$reps"); do
  for v in new old; do
    jd=$([ "$v" = new ] && echo "$new" || echo "$old")
    echo "== $v, repeat $r"
    cp base.db "r_$v.db"; [ ! -e base.db-audit ] || cp base.db-audit "r_$v.db-audit"
    T "full resolve" "$jd" resolve --db "r_$v.db" > "full_$v.out"
    grep -E '^  load ' "full_$v.out" || true
    echo "  store after the full run: $(stat -c %s "r_$v.db") bytes"
    for kind in feed call; do
      cp "r_$v.db" "x_$v.db"; [ ! -e "r_$v.db-audit" ] || cp "r_$v.db-audit" "x_$v.db-audit"
      if [ "$kind" = feed ]; then
        for a in feed/*/; do "$jd" ingest --db "x_$v.db" --quiet "$a" >/dev/null 2>&1; done
      else
        "$jd" ingest --db "x_$v.db" --quiet "$src/tests/data/bundles/feed_call" >/dev/null 2>&1
      fi
      T "$kind --incremental --hops $hops" "$jd" resolve --db "x_$v.db" --incremental \
        --hops "$hops" > "${kind}_$v.out"
      grep -E '^incremental:|^  refs written|^  load ' "${kind}_$v.out" || true
      rm -f "x_$v.db" "x_$v.db"-*
    done
    rm -f "r_$v.db" "r_$v.db"-*
  done
done
