#!/usr/bin/env bash
# Runs every test suite and ends with one line "N passed, N failed" counting
# individual test cases (cmocka cases, TAP checks, corpus replays):
#   1. the normal build (BUILD, default build/), every suite but 'postgres';
#   2. the suite again under AddressSanitizer and UBSan (build-asan/), unless
#      JD_NO_SANITIZERS=1: every unit test, and the integration scripts that
#      have no PostgreSQL twin (the suite 'twinned' runs under the
#      sanitizers in 3; with JD_NO_POSTGRES=1 here);
#   3. the store tests on PostgreSQL, on a throwaway cluster
#      (scripts/test-postgres.sh; JD_NO_POSTGRES=1 skips it): once, in the
#      sanitizer build when there is one (its checks are the normal build's
#      and more), else in BUILD;
#   4. the server's tests under ThreadSanitizer (build-tsan/,
#      scripts/test-tsan.sh), unless JD_NO_TSAN=1.
# Each phase prints its wall time ("test.sh: PHASE took N s"): the whole run
# must fit the CI's 5,400 s on 2 cores.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
status=0
logs=()
phase_start=$SECONDS
phase() { # NAME: the time since the last phase ended
  echo "test.sh: $1 took $((SECONDS - phase_start)) s" >&2
  phase_start=$SECONDS
}
meson test -C "$build" --no-suite postgres --print-errorlogs --num-processes 2 || status=1
logs+=("$build/meson-logs/testlog.json")
phase "the normal suite"
pg_build=$build
if [ "${JD_NO_SANITIZERS:-0}" != 1 ]; then
  asan=${JD_ASAN_BUILD_DIR:-build-asan}
  if [ ! -f "$asan/build.ninja" ]; then
    meson setup "$asan" -Db_sanitize=address,undefined -Db_lundef=false \
      >/dev/null || status=1
  fi
  if ninja -C "$asan" >"$asan/ninja-last.log" 2>&1 || { cat "$asan/ninja-last.log" >&2; false; }; then
    phase "the sanitizer build"
    # an integration script that runs again on PostgreSQL (the suite
    # 'twinned', tests/meson.build) runs under the sanitizers once, there:
    # not here a second time on SQLite
    skip=(--no-suite postgres)
    [ "${JD_NO_POSTGRES:-0}" = 1 ] || skip+=(--no-suite twinned)
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
      meson test -C "$asan" "${skip[@]}" --print-errorlogs --num-processes 2 || status=1
    logs+=("$asan/meson-logs/testlog.json")
    phase "the sanitizer suite"
    pg_build=$asan
  else
    echo "sanitizer build failed" >&2
    status=1
    pg_build=
  fi
fi
if [ "${JD_NO_POSTGRES:-0}" != 1 ] && [ -n "$pg_build" ]; then
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
    bash scripts/test-postgres.sh "$pg_build" || status=1
  logs+=("$pg_build/meson-logs/testlog-postgres.json")
  phase "the PostgreSQL suite ($pg_build)"
fi
if [ "${JD_NO_TSAN:-0}" != 1 ]; then
  bash scripts/test-tsan.sh || status=1
  logs+=("${JD_TSAN_BUILD_DIR:-build-tsan}/meson-logs/testlog-tsan.json")
  phase "the ThreadSanitizer build and suite"
fi
python3 scripts/count-tests.py "${logs[@]}" || status=1
exit $status
