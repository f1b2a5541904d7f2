#!/usr/bin/env bash
# Issue 17: time to first paint of the child's page and the alert queue in
# headless chromium (tests/browser/paint.test.mjs) against `joindots serve`
# on an analysed store (e.g. the 1M-event county bench/live_bench.sh keeps),
# on the child with the most records among those at risk. Adds an account
# (paintanalyst) to DB if missing: use a copy.
#   bash bench/paint_bench.sh BUILD_DIR DB [RUNS]
set -euo pipefail
build=${1:?BUILD_DIR}
db=${2:?DB}
runs=${3:-5}
src=$(cd "$(dirname "$0")/.." && pwd)
jd="$build/src/cli/joindots"
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-paint.XXXXXX")
spid=
cleanup() {
  set +e
  [ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
echo "paint-bench-password-1" | "$jd" user add --db "$db" --role analyst \
  --password-stdin paintanalyst >/dev/null 2>&1 || true
pid=$(sqlite3 "$db" "SELECT a.subject FROM alert a JOIN identity i ON i.person_id = a.subject
  JOIN identity_ref r ON r.identity_id = i.id JOIN person_mention m ON m.agency = r.agency
  AND m.person_ref = r.person_ref WHERE a.kind = 'child_at_risk'
  GROUP BY a.subject ORDER BY count(*) DESC LIMIT 1")
"$jd" serve --db "$db" --web "$src/web" --listen 127.0.0.1:0 --port-file "$work/port" 2>"$work/serve.log" &
spid=$!
for _ in $(seq 1 6000); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { cat "$work/serve.log" >&2; exit 1; }
echo "== child $pid, $runs runs ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
NODE_PATH="$src/node_modules" node "$src/tests/browser/paint.test.mjs" "http://127.0.0.1:$(cat "$work/port")" \
  paintanalyst paint-bench-password-1 "$pid" "$runs"
