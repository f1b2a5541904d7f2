#!/usr/bin/env bash
# The server's tests under ThreadSanitizer (issue 17 item 5): a build with
# -Db_sanitize=thread in build-tsan/, only the joindots program
# (gcc; clang when gcc's TSan cannot
# build or run here), then the suites that start `joindots serve` and send
# it requests on several worker threads at once (serve, serve_sec, stored).
# TSan writes each report to a file of its own
# (log_path); any report fails the run, whatever the tests said.
# Usage: scripts/test-tsan.sh   (JD_NO_TSAN=1 skips it; JD_TSAN_BUILD_DIR
# names the build folder). The meson log is
# BUILD/meson-logs/testlog-tsan.json, which scripts/count-tests.py counts.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "${JD_NO_TSAN:-0}" = 1 ]; then
  echo "test-tsan: skipped (JD_NO_TSAN=1)" >&2
  exit 0
fi
tsan=${JD_TSAN_BUILD_DIR:-build-tsan}
setup() { # CC
  rm -rf "$tsan"
  CC=$1 meson setup "$tsan" -Db_sanitize=thread -Db_lundef=false >/dev/null &&
    ninja -C "$tsan" src/cli/joindots >"$tsan/ninja-last.log" 2>&1 &&
    "$tsan/src/cli/joindots" --help >/dev/null 2>&1
}
if [ ! -f "$tsan/build.ninja" ]; then
  setup gcc || { echo "test-tsan: gcc's ThreadSanitizer failed here, trying clang" >&2; setup clang; } ||
    { echo "test-tsan: no ThreadSanitizer build" >&2; exit 1; }
elif ! ninja -C "$tsan" src/cli/joindots >"$tsan/ninja-last.log" 2>&1; then
  cat "$tsan/ninja-last.log" >&2
  exit 1
fi
reports=$(mktemp -d "${TMPDIR:-/tmp}/jd-tsan.XXXXXX")
trap 'rm -rf "$reports"' EXIT
status=0
# TSan runs code 5 to 15 times slower: longer meson timeouts, and the
# latency bounds of the server tests scaled (JD_TEST_TIME_FACTOR).
# No suppressions: the sort comparators' globals are qsort_r contexts now
# (scripts/check-cycles.py refuses mutable file-scope state).
JD_TEST_TIME_FACTOR=20 \
  TSAN_OPTIONS="log_path=$reports/tsan second_deadlock_stack=1 history_size=4" \
  meson test -C "$tsan" --no-rebuild --print-errorlogs --num-processes 1 --logbase testlog-tsan --timeout-multiplier 5 \
  serve serve_sec stored || status=1
if compgen -G "$reports/tsan.*" >/dev/null; then
  echo "test-tsan: ThreadSanitizer reports:" >&2
  cat "$reports"/tsan.* >&2
  status=1
fi
exit $status
