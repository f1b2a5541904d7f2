# TAP helpers for the integration scripts. Each script sources this, calls
# `ok CONDITION-STATUS "description"` per check and `done_testing` at the end.
# Lines read "ok N - desc" / "not ok N - desc" (counted by scripts/count-tests.py).
set -u
shopt -s extglob
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
  store_cleanup
  echo "1..$TAP_N"
  [ "$TAP_FAILED" -eq 0 ]
}
# A scratch directory removed on exit.
scratch() {
  SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/joindots-test.XXXXXX")
  trap 'store_cleanup; rm -rf "$SCRATCH"' EXIT
}
# wait_port FILE PID: the port a server writes to FILE (--port-file), once
# written, or nothing once the server PID has ended (waited for at most
# 300 s: a slow machine's start is waited for, a failed one is not)
wait_port() {
  local _
  for _ in $(seq 1 3000); do [ -s "$1" ] || ! kill -0 "$2" 2>/dev/null && break; sleep 0.1; done
  cat "$1" 2>/dev/null
}
# skip "description" "why": a check that does not apply here, as a TAP skip
# (counted neither passed nor failed by scripts/count-tests.py).
skip() {
  TAP_N=$((TAP_N + 1))
  echo "ok $TAP_N - ${1//$'\n'/ | } # SKIP $2"
}

# ---- the store under test (issue 20) ----
# The integration scripts run twice: in the suite 'integration' on SQLite
# files, and in the suite 'postgres' (JD_TEST_BACKEND=postgres, set by
# tests/meson.build) on a throwaway cluster whose admin location is
# JD_TEST_DB (scripts/test-postgres.sh starts it). A script asks for its
# stores here, never writes `$SCRATCH/x.db` itself:
#   new_store NAME        -> a fresh, empty store's location
#   store_at PATH         -> the store a script names by a file path under
#                            $SCRATCH: PATH itself on SQLite, on PostgreSQL a
#                            database named after it, made on first use
#   store_copy FROM NAME  -> a copy of the store at FROM (no one may be using it)
#   store_adopt FILE [NAME] -> a store holding what the SQLite file FILE
#                            holds (`joindots demo` writes SQLite): on SQLite
#                            FILE moved to $SCRATCH/NAME.db (FILE itself
#                            without NAME), on PostgreSQL a `joindots migrate`
#                            of it
#   db_query LOC SQL      -> the rows of SQL, one a line, columns joined by '|'
#   sql_list EXPR, sql_hex EXPR -> SQLite's group_concat(EXPR) and hex(EXPR)
#                            in the store's dialect (a subquery in FROM needs
#                            an alias on PostgreSQL: give it one)
#   drop_trigger NAME TABLE -> the statement that drops a trigger (tampering tests)
#   on_pg                 -> status 0 when the stores are PostgreSQL databases
# On PostgreSQL each store is a database of its own (jdt_PID_NAME), dropped
# when the script ends.
JD_TEST_PG=0
# Python reaches the store through tests/integration/jdq.py (sqlite3 or psql),
# writing no bytecode into the source tree
export PYTHONPATH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
if [ "${JD_TEST_BACKEND:-sqlite}" = postgres ]; then
  if [ -z "${JD_TEST_DB:-}" ]; then
    echo "1..0 # SKIP JD_TEST_DB is not set: run scripts/test-postgres.sh"
    exit 0
  fi
  command -v psql >/dev/null || { echo "1..0 # SKIP psql missing"; exit 0; }
  JD_TEST_PG=1
fi
on_pg() { [ "$JD_TEST_PG" = 1 ]; }
pg_admin() { PGOPTIONS="-c client_min_messages=warning" psql -X -qAt -v ON_ERROR_STOP=1 -d "$JD_TEST_DB" -c "$1" >/dev/null; }
pg_name() { # NAME -> the database name of that store in this script
  local n=${1//[^A-Za-z0-9_]/_}
  echo "jdt_$$_${n,,}"
}
pg_url() { echo "$JD_TEST_DB" | sed "s#:///postgres?#:///$1?#"; }
new_store() {
  if ! on_pg; then echo "$SCRATCH/$1.db"; return; fi
  local name; name=$(pg_name "$1")
  echo "$name" >>"$SCRATCH/.jd_stores"
  pg_admin "DROP DATABASE IF EXISTS $name WITH (FORCE)" &&
    pg_admin "CREATE DATABASE $name" || return 1
  pg_url "$name"
}
store_at() {
  if ! on_pg; then echo "$1"; return; fi
  local rel=${1#"$SCRATCH"/} name
  name=$(pg_name "$rel")
  if ! grep -qx "$name" "$SCRATCH/.jd_stores" 2>/dev/null; then
    echo "$name" >>"$SCRATCH/.jd_stores"
    pg_admin "DROP DATABASE IF EXISTS $name WITH (FORCE)" &&
      pg_admin "CREATE DATABASE $name" || return 1
  fi
  pg_url "$name"
}
store_copy() {
  if ! on_pg; then
    # the store and its audit log's file (STORE-audit, store/sqlite_audit.c)
    cp "$1" "$SCRATCH/$2.db" && { [ ! -e "$1-audit" ] || cp "$1-audit" "$SCRATCH/$2.db-audit"; } &&
      echo "$SCRATCH/$2.db"
    return
  fi
  local from to
  from=$(echo "$1" | sed 's#^[^:]*:///\([^?]*\)?.*#\1#'); to=$(pg_name "$2")
  echo "$to" >>"$SCRATCH/.jd_stores"
  pg_admin "DROP DATABASE IF EXISTS $to WITH (FORCE)" &&
    pg_admin "CREATE DATABASE $to TEMPLATE $from" || return 1
  pg_url "$to"
}
store_adopt() {
  if ! on_pg; then
    if [ -z "${2:-}" ]; then echo "$1"; return; fi
    mv "$1" "$SCRATCH/$2.db" && { [ ! -e "$1-audit" ] || mv "$1-audit" "$SCRATCH/$2.db-audit"; } &&
      echo "$SCRATCH/$2.db"
    return
  fi
  local url
  url=$(new_store "${2:-${1#"$SCRATCH"/}}") && "$JD" migrate --from "$1" --to "$url" >/dev/null || return 1
  echo "$url"
}
db_query() {
  if ! on_pg; then sqlite3 "$1" "$2"; return; fi
  printf '%s\n' "$2" | psql -X -qAt -v ON_ERROR_STOP=1 -d "$1" -f -
}
# SQL on the store's audit log: on SQLite its own file, STORE-audit
audit_query() {
  if ! on_pg; then sqlite3 "$1-audit" "$2"; return; fi
  db_query "$1" "$2"
}
sql_list() {
  if on_pg; then echo "string_agg(($1)::text, ',')"; else echo "group_concat($1)"; fi
}
sql_hex() {
  if on_pg; then echo "upper(encode(convert_to($1, 'UTF8'), 'hex'))"; else echo "hex($1)"; fi
}
drop_trigger() { # PostgreSQL has one trigger for UPDATE and DELETE: TABLE_no_change
  if on_pg; then echo "DROP TRIGGER IF EXISTS ${1/%_no_@(update|delete)/_no_change} ON $2"; else echo "DROP TRIGGER $1"; fi
}
store_cleanup() {
  on_pg && [ -n "${SCRATCH:-}" ] && [ -f "$SCRATCH/.jd_stores" ] || return 0
  local name
  sort -u "$SCRATCH/.jd_stores" | while read -r name; do
    # no new connection (a server still running would reconnect), then drop
    pg_admin "ALTER DATABASE $name ALLOW_CONNECTIONS false" 2>/dev/null
    pg_admin "DROP DATABASE IF EXISTS $name WITH (FORCE)" 2>/dev/null
  done
  rm -f "$SCRATCH/.jd_stores"
}
