#!/usr/bin/env bash
# Ingest benchmark: a generated bundle of N events (default 1,000,000) with
# about 3 person rows each, ingested into a fresh store. Prints rows per
# second per file (events, persons and objects counted separately), the
# total time and the peak resident memory. Run from the repository root
# after building:  bash bench/ingest_bench.sh [EVENTS] [BUILD_DIR]
set -euo pipefail
n=${1:-1000000}
build=${2:-build}
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-ingest-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$build/bench/gen_bundle" "$work/bundle" "$n" 3 1
du -sh "$work/bundle" | sed 's/^/bundle size: /'
sync # the generator's writes are flushed before the clock starts, not during
# Ingest is single-threaded; pinned to one core to show the rate is one core's.
pin=(); command -v taskset >/dev/null && pin=(taskset -c 0)
/usr/bin/time -f "peak RSS: %M KiB, wall %e s, user %U s, sys %S s" \
  "${pin[@]}" "$build/src/cli/joindots" ingest --db "$work/bench.db" --quiet "$work/bundle"
echo "re-ingest of the same bundle (idempotent, files skipped):"
/usr/bin/time -f "peak RSS: %M KiB, wall %e s" \
  "$build/src/cli/joindots" ingest --db "$work/bench.db" --quiet "$work/bundle" | tail -1
