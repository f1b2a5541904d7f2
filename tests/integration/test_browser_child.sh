#!/usr/bin/env bash
# Browser tests of the child's page (issue 18): playwright-core drives
# Debian's chromium, headless, against `joindots serve` on the demo, at
# 1366x768 and 768x1024, on the demo's busiest girl (Ava Wilson). The node
# script prints the TAP; screenshots go to OUTDIR.
# Skips (TAP "1..0 # SKIP") only when node, playwright-core or chromium
# is missing or chromium cannot start.
# Usage: test_browser_child.sh JOINDOTS SOURCE_ROOT OUTDIR
JD=$1 SRC=$2 OUTDIR=$3
. "$SRC/tests/integration/lib.sh"
scratch
if ! command -v node >/dev/null 2>&1 || [ ! -f "$SRC/node_modules/playwright-core/package.json" ] ||
   [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "1..0 # SKIP node, playwright-core or chromium is not installed (scripts/install-deps.sh)"
  exit 0
fi
setup() {
  "$JD" demo --dir "$SCRATCH/demo" --no-serve >/dev/null 2>&1 || return 1
  DB=$(store_adopt "$SCRATCH/demo/joindots.db" w)
  for u in practitioner:police analyst: manager:csc board: outsider:housing; do
    IFS=: read -r name ag <<< "$u"
    role=$name; [ "$name" = outsider ] && role=practitioner
    a=""; [ -n "$ag" ] && a="--agency $ag"
    echo "password-of-$name-1" | "$JD" user add --db "$DB" --role "$role" $a --password-stdin "$name" 2>/dev/null || return 1
  done
}
if ! setup; then
  echo "not ok 1 - set up the store for the browser tests"; echo "1..1"; exit 1
fi
# the busiest child: the most events
PID=$(db_query "$DB" "SELECT i.person_id FROM identity i JOIN identity_ref r ON r.identity_id = i.id
  JOIN person_mention m ON m.agency = r.agency AND m.person_ref = r.person_ref WHERE i.is_child = 1
  GROUP BY i.id ORDER BY count(DISTINCT m.event_id) DESC LIMIT 1")
"$JD" serve --db "$DB" --web "$SRC/web" --listen 127.0.0.1:0 --port-file "$SCRATCH/port" 2>"$SCRATCH/serve.log" &
SPID=$!
trap 'kill -TERM $SPID 2>/dev/null; wait $SPID 2>/dev/null; rm -rf "$SCRATCH"' EXIT
# Up to 60 s: the CI machine runs two test processes and sanitizer builds on two cores.
for _ in $(seq 1 600); do [ -s "$SCRATCH/port" ] && break; sleep 0.1; done
if [ ! -s "$SCRATCH/port" ]; then
  echo "not ok 1 - joindots serve starts"; echo "1..1"; exit 1
fi
mkdir -p "$OUTDIR"
# A sanitizer build is several times slower: the draw time is then reported, not asserted.
if ldd "$JD" 2>/dev/null | grep -q 'libasan\|libubsan'; then export JD_TIMING=0; fi
cd "$SRC" && node tests/browser/child.test.mjs "http://127.0.0.1:$(cat "$SCRATCH/port")" "$OUTDIR" "$PID"
status=$?
# On failure, the server's last words go into the log as TAP comments.
[ $status -eq 0 ] || tail -n 20 "$SCRATCH/serve.log" | sed 's/^/# serve: /'
exit $status
