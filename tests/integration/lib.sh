# TAP helpers for the integration scripts. Each script sources this, calls
# `ok CONDITION-STATUS "description"` per check and `done_testing` at the end.
# Lines read "ok N - desc" / "not ok N - desc" (counted by scripts/count-tests.py).
set -u
TAP_N=0
TAP_FAILED=0
ok() {
  local status=$1; shift
  local desc="$*"
  desc=${desc//$'\n'/ | }   # one TAP line, whatever the description holds
  TAP_N=$((TAP_N + 1))
  if [ "$status" -eq 0 ]; then
    echo "ok $TAP_N - $desc"
  else
    echo "not ok $TAP_N - $desc"
    TAP_FAILED=$((TAP_FAILED + 1))
  fi
}
# is ACTUAL EXPECTED "description"
is() {
  if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3 (got '$1', expected '$2')"; fi
}
done_testing() {
  echo "1..$TAP_N"
  [ "$TAP_FAILED" -eq 0 ]
}
# A scratch directory removed on exit.
scratch() {
  SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/joindots-test.XXXXXX")
  trap 'rm -rf "$SCRATCH"' EXIT
}
