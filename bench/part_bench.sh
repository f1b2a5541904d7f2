#!/bin/sh
# One pass of a partitioned analysis (issue 20) against the whole, on a
# SQLite county: peak RSS and CPU of the full load and run, and of pass 0
# of K (bench/part_pass.c).
#   bench/part_bench.sh BUILD_DIR DB [K]
set -eu
build=$1 db=$2 k=${3:-4}
keys=$(mktemp)
trap 'rm -f "$keys"' EXIT
sqlite3 "$db" "SELECT person_id FROM identity;
  SELECT DISTINCT 'U:' || pm.agency || ':' || pm.person_ref FROM person_mention pm
  LEFT JOIN identity_ref ir ON ir.agency = pm.agency AND ir.person_ref = pm.person_ref
  WHERE ir.identity_id IS NULL;" >"$keys"
for a in "0 0 load" "$k 0 load" "0 0 run" "$k 0 run"; do
  echo "== K k: $a"
  # shellcheck disable=SC2086
  /usr/bin/time -f "  %U s user, %S s sys, %M KiB peak" "$build/bench/part_pass" "$db" "$keys" $a
done
