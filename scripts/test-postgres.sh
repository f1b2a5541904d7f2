#!/usr/bin/env bash
# The PostgreSQL half of the test suite: starts a throwaway cluster as an
# unprivileged user in a temporary folder (scripts/pg-cluster.sh: no system
# service, no TCP port), runs the meson suite 'postgres' against it (the
# store-backed unit tests with their scratch stores as databases on it,
# tests/integration/test_postgres.sh, and every integration script that
# opens a store, again, with its stores as databases on it: NAME_pg), and
# stops the cluster whatever
# happens. The meson log is BUILD/meson-logs/testlog-postgres.json, which
# scripts/count-tests.py counts with the others.
# Usage: scripts/test-postgres.sh [BUILD]   (JD_NO_POSTGRES=1 skips it)
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
if [ "${JD_NO_POSTGRES:-0}" = 1 ]; then
  echo "test-postgres: skipped (JD_NO_POSTGRES=1)" >&2
  exit 0
fi
dir=$(scripts/pg-cluster.sh start) || { echo "test-postgres: cannot start a cluster" >&2; exit 1; }
trap 'scripts/pg-cluster.sh stop "$dir"' EXIT INT TERM
# the test programs run as this user; the cluster's socket folder lets them in
JD_TEST_DB=$(scripts/pg-cluster.sh url "$dir") \
  meson test -C "$build" --suite postgres --print-errorlogs --num-processes 1 \
  --logbase testlog-postgres
