#!/usr/bin/env bash
# Browser tests of the web application (issues 8 and 18): playwright-core drives
# Debian's chromium, headless, against `joindots serve` on loopback. The
# node script prints the TAP; screenshots of each main page go to OUTDIR.
# Skips (TAP "1..0 # SKIP") only when node, playwright-core or chromium
# is missing or chromium cannot start.
# Usage: test_browser.sh JOINDOTS SOURCE_ROOT OUTDIR
JD=$1 SRC=$2 OUTDIR=$3
. "$SRC/tests/integration/lib.sh"
scratch
if ! command -v node >/dev/null 2>&1 || [ ! -f "$SRC/node_modules/playwright-core/package.json" ] ||
   [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "1..0 # SKIP node, playwright-core or chromium is not installed (scripts/install-deps.sh)"
  exit 0
fi
setup() {
  "$JD" demo --dir "$SCRATCH/demo" >/dev/null 2>&1 || return 1
  DB=$(store_adopt "$SCRATCH/demo/joindots.db" w)
  python3 "$SRC/tests/integration/make_web_bundle.py" "$SCRATCH/zq" 2000 || return 1
  "$JD" ingest --db "$DB" --quiet "$SCRATCH/zq" >/dev/null 2>&1 || return 1
  "$JD" resolve --db "$DB" >/dev/null 2>&1 && "$JD" analyse --db "$DB" >/dev/null 2>&1 || return 1
  # A strategic item on the board's agenda, for the board's decision.
  rec=$(db_query "$DB" "SELECT record_id FROM person_mention WHERE agency = 'csc' AND person_ref = 'C-ZQ1' LIMIT 1") &&
  "$JD" concern raise --db "$DB" --by lead --as exploitation_meeting --kind pattern --strategic \
    --subject "group of men at the takeaway" --title "organised group" \
    --records "[{\"agency\":\"csc\",\"record_id\":\"$rec\"}]" >/dev/null 2>&1 || return 1
  for r in practitioner analyst manager board auditor admin; do
    ag=""; [ "$r" = practitioner ] && ag="--agency csc"; [ "$r" = manager ] && ag="--agency police"
    echo "password-of-$r-1" | "$JD" user add --db "$DB" --role "$r" $ag --password-stdin "$r" 2>/dev/null || return 1
  done
}
if ! setup; then
  echo "not ok 1 - set up the store for the browser tests"; echo "1..1"; exit 1
fi
"$JD" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$SCRATCH/port" 2>"$SCRATCH/serve.log" &
SPID=$!
trap 'kill -TERM $SPID 2>/dev/null; wait $SPID 2>/dev/null; rm -rf "$SCRATCH"' EXIT
# Up to 60 s: the CI machine runs two test processes and sanitizer builds on two cores.
for _ in $(seq 1 600); do [ -s "$SCRATCH/port" ] && break; sleep 0.1; done
if [ ! -s "$SCRATCH/port" ]; then
  echo "not ok 1 - joindots serve starts"; echo "1..1"; exit 1
fi
mkdir -p "$OUTDIR"
cd "$SRC" && node tests/browser/web.test.mjs "http://127.0.0.1:$(cat "$SCRATCH/port")" "$OUTDIR"
status=$?
# On failure, the server's last words go into the log as TAP comments.
[ $status -eq 0 ] || tail -n 20 "$SCRATCH/serve.log" | sed 's/^/# serve: /'
exit $status
