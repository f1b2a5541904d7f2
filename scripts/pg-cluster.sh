#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks: no system service,
# no TCP port, data and socket in one temporary folder.
#   scripts/pg-cluster.sh start [DIR]  -> prints the folder on stdout
#   scripts/pg-cluster.sh url DIR      -> the admin location (database postgres)
#   scripts/pg-cluster.sh stop DIR     -> stops the server and removes DIR
# The server runs as an unprivileged user: the caller, or `nobody` when the
# caller is root (PostgreSQL refuses to run as root). The superuser role is
# "jd" with trust authentication on the socket, which only the folder's
# owner... and root can reach (mode 0711 on the folder).
# Debian keeps the server binaries in /usr/lib/postgresql/VERSION/bin; PG_BIN
# overrides. JD_PG_SETTINGS adds server settings (-c name=value ...).
set -euo pipefail
cmd=${1:-}
find_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$d" ] || { echo "pg-cluster: no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 1; }
  echo "$d"
}
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
case "$cmd" in
  start)
    bin=$(find_bin)
    dir=${2:-$(mktemp -d "${TMPDIR:-/tmp}/jd-pg.XXXXXX")}
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown nobody "$dir"; fi
    chmod 0711 "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U jd --auth=trust -E UTF8 --locale=C \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    # shellcheck disable=SC2086
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-k $dir -c listen_addresses='' -c shared_buffers=256MB -c max_connections=60 ${JD_PG_SETTINGS:-}" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "$dir"
    ;;
  url)
    echo "postgresql:///postgres?host=$2&user=jd"
    ;;
  stop)
    dir=$2
    bin=$(find_bin)
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start [DIR] | url DIR | stop DIR" >&2
    exit 2
    ;;
esac
