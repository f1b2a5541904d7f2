#!/usr/bin/env bash
# Runs every test suite against an existing build and ends with one line
# "N passed, N failed" counting individual test cases (cmocka cases and
# integration checks), so CI and people can read the totals.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
status=0
meson test -C "$build" --print-errorlogs --num-processes 2 || status=1
python3 scripts/count-tests.py "$build/meson-logs/testlog.json" || status=1
exit $status
