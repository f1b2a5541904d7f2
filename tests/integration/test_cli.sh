#!/usr/bin/env bash
# The option parsing the commands share (src/cli/cli.c: cli_usage,
# cli_common_opt): --help prints the command's usage on stdout and exits 0,
# an unknown option or a missing --db prints it on stderr and exits 2, and a
# bad --as-of is refused alike, naming the value, by every command that
# takes one; the shared options still reach the command (--as-of, --user,
# --reason in the audit entry).
# Usage: test_cli.sh JOINDOTS SOURCE_ROOT
JD=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
scratch

for c in analyse audit calibrate chronology concern demo export ingest link migrate profile \
  rejects resolve score serve synth token user watch; do
  "$JD" "$c" --help >"$SCRATCH/out" 2>"$SCRATCH/err"
  st=$?
  [ "$st" -eq 0 ] && grep -q "^usage: joindots $c" "$SCRATCH/out" && [ ! -s "$SCRATCH/err" ]
  ok $? "$c --help: usage on stdout, exit 0 (got $st)"
  "$JD" "$c" --no-such-option >"$SCRATCH/out" 2>"$SCRATCH/err"
  st=$?
  [ "$st" -eq 2 ] && grep -q "usage: joindots $c" "$SCRATCH/err" && [ ! -s "$SCRATCH/out" ]
  ok $? "$c --no-such-option: usage on stderr, exit 2 (got $st)"
done

for c in analyse chronology export profile rejects; do
  "$JD" "$c" x >"$SCRATCH/out" 2>"$SCRATCH/err"
  st=$?
  [ "$st" -eq 2 ] && grep -q "usage: joindots $c" "$SCRATCH/err"
  ok $? "$c without --db: usage on stderr, exit 2 (got $st)"
done

for c in "analyse" "chronology police:N1" "export alerts" "profile police:N1"; do
  # shellcheck disable=SC2086
  "$JD" $c --db "$SCRATCH/none.db" --as-of 2015-13-45 >"$SCRATCH/out" 2>"$SCRATCH/err"
  st=$?
  [ "$st" -eq 2 ] && grep -q -- '--as-of: not a date or date-time: 2015-13-45' "$SCRATCH/err" &&
    [ ! -e "$SCRATCH/none.db" ]
  ok $? "${c%% *} --as-of 2015-13-45: refused naming the value, exit 2, no store made (got $st)"
done

# the shared options reach the command: the audit entry of an export holds
# --user, --reason and --as-of
DB=$(new_store s)
"$JD" demo --small --no-serve --dir "$SCRATCH/demo" >/dev/null 2>&1
"$JD" ingest --db "$DB" --quiet "$SCRATCH/demo/bundle" >/dev/null 2>&1
"$JD" export alerts --db "$DB" --as-of 2015-06-01 --user alice --reason "case review" \
  >/dev/null 2>"$SCRATCH/err"
ok $? "export alerts with --as-of, --user and --reason runs"
"$JD" audit list --db "$DB" >"$SCRATCH/audit" 2>&1
grep 'export:alerts' "$SCRATCH/audit" | grep 'alice' | grep -q 'case review' &&
  grep 'export:alerts' "$SCRATCH/audit" | grep -q 'as_of='
ok $? "its audit entry names the user, the reason and the as-of time"

done_testing
