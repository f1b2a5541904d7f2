#!/bin/sh
# Partitioned analysis (issue 20) against the whole, on a SQLite county:
# peak RSS and CPU (bench/part_pass.c) of the full load and of its run
# (screening and walk, no networks), of pass 0 of K through the subset
# load (the keys of the partition, index seeks), and of all K passes
# through the partition load (one scan of the mentions marks the
# partitions, then each pass scans the rows and keeps its events).
#   bench/part_bench.sh BUILD_DIR DB [K]
set -eu
build=$1 db=$2 k=${3:-4}
keys=$(mktemp)
trap 'rm -f "$keys"' EXIT
sqlite3 "$db" "SELECT person_id FROM identity;
  SELECT DISTINCT 'U:' || pm.agency || ':' || pm.person_ref FROM person_mention pm
  LEFT JOIN identity_ref ir ON ir.agency = pm.agency AND ir.person_ref = pm.person_ref
  WHERE ir.identity_id IS NULL;" >"$keys"
for a in "0 0 load" "$k 0 load" "$k -1 scan" "0 0 run" "$k 0 run" "$k -1 scanrun"; do
  echo "== K k: $a"
  # shellcheck disable=SC2086
  /usr/bin/time -f "  %U s user, %S s sys, %M KiB peak" "$build/bench/part_pass" "$db" "$keys" $a
done
