#!/usr/bin/env bash
# Runs every test suite and ends with one line "N passed, N failed" counting
# individual test cases (cmocka cases, TAP checks, corpus replays):
#   1. the normal build (BUILD, default build/);
#   2. the store tests again on PostgreSQL, on a throwaway cluster
#      (scripts/test-postgres.sh; JD_NO_POSTGRES=1 skips it);
#   3. the whole suite again under AddressSanitizer and UBSan (build-asan/),
#      PostgreSQL half included, unless JD_NO_SANITIZERS=1;
#   4. the server's tests under ThreadSanitizer (build-tsan/,
#      scripts/test-tsan.sh), unless JD_NO_TSAN=1.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
status=0
logs=()
meson test -C "$build" --no-suite postgres --print-errorlogs --num-processes 2 || status=1
logs+=("$build/meson-logs/testlog.json")
if [ "${JD_NO_POSTGRES:-0}" != 1 ]; then
  bash scripts/test-postgres.sh "$build" || status=1
  logs+=("$build/meson-logs/testlog-postgres.json")
fi
if [ "${JD_NO_SANITIZERS:-0}" != 1 ]; then
  asan=${JD_ASAN_BUILD_DIR:-build-asan}
  if [ ! -f "$asan/build.ninja" ]; then
    meson setup "$asan" -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || status=1
  fi
  if ninja -C "$asan" >"$asan/ninja-last.log" 2>&1 || { cat "$asan/ninja-last.log" >&2; false; }; then
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
      meson test -C "$asan" --no-suite postgres --print-errorlogs --num-processes 2 || status=1
    logs+=("$asan/meson-logs/testlog.json")
    if [ "${JD_NO_POSTGRES:-0}" != 1 ]; then
      UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
        bash scripts/test-postgres.sh "$asan" || status=1
      logs+=("$asan/meson-logs/testlog-postgres.json")
    fi
  else
    echo "sanitizer build failed" >&2
    status=1
  fi
fi
if [ "${JD_NO_TSAN:-0}" != 1 ]; then
  bash scripts/test-tsan.sh || status=1
  logs+=("${JD_TSAN_BUILD_DIR:-build-tsan}/meson-logs/testlog-tsan.json")
fi
python3 scripts/count-tests.py "${logs[@]}" || status=1
exit $status
