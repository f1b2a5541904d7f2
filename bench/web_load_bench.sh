#!/usr/bin/env bash
# Issue 17's web target as written, in one command: on the 1M-event county,
# 16 connections for 30 s a route (child page, alert queue, search,
# dashboard, network; bench/load_bench.sh), first alone, then while a
# 5,000-event feed lands, REPEATS times each on a fresh copy of the base,
# alone and fed alternated; then per route and case the median and range
# of requests/s, p50, p99, the request threads' CPU a request and the
# errors (non-2xx answers and wrk's socket errors and time-outs).
#
#   bash bench/web_load_bench.sh BUILD_DIR [BASE_DIR] [REPEATS] [SECONDS] [CONNECTIONS]
#
# BASE_DIR (default /tmp/lead/livebase2) holds base.db (and base.db-audit)
# and feed/, the 5,000 events cut off before the base was made, as
# bench/feed_bench.sh keeps them (JD_LIVE_KEEP); with the feed the whole of
# it lands at each route's start (as it is, then copies under new record
# ids: load_bench.sh). Defaults: 3 repeats, 30 s, 16 connections.
# JD_LOAD_ROUTES as in load_bench.sh (default: the child's page as the web
# app loads it, summary, alerts and newest events; the alert queue; search;
# the dashboard; the network). JD_WEB_ONLY=alone or fed runs one case.
# JD_WEB_KEEP=DIR keeps each run's output and server log there. With
# JD_REQ_PHASES=1 (the server logs each request's phases, server.c) the
# summary adds, per route, where the server's time went over all runs of a
# case: the wait for idx_lock, the route (wall and CPU) and the wait for
# the audit rows' commit, p50 / p99 / max in ms; the rest of wrk's figure
# is the wait for a worker and for the CPU.
#
# The machine this was written on has 2 cores shared by about eight
# engineers: latencies follow their load (printed with each run); the
# request threads' CPU a request (libmicrohttpd's MHD- threads; the live
# thread's feed work is not in it) is the figure that compares across
# hours. On 2 cores, 16 connections queue 16 x cpu / 2 behind each other
# before any other load: p99 <= 50 ms needs about 5 ms of CPU a request at
# most on an otherwise idle machine.
set -euo pipefail
build=${1:?BUILD_DIR}
base=${2:-/tmp/lead/livebase2}
repeats=${3:-3}
secs=${4:-30}
conns=${5:-16}
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$base/base.db" ] && [ -d "$base/feed" ] || { echo "$base: no base.db and feed/" >&2; exit 2; }
export JD_LOAD_ROUTES=${JD_LOAD_ROUTES:-summary alerts events queue search dashboard network}
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-web.XXXXXX")
trap 'rm -rf "$work"' EXIT
# the benches run from a copy: bash reads a script as it runs, so an edit
# of the tree's copy meanwhile would break a run in hand
mkdir -p "$work/bench"
cp "$here/load_bench.sh" "$here/feed_slices.py" "$here/mhd_cpu.sh" "$work/bench/"
one() { # CASE REPEAT
  local db="$work/s.db" out="$work/$1.$2.txt"
  cp "$base/base.db" "$db"; rm -f "$db-audit" "$db-wal" "$db-shm"
  [ ! -e "$base/base.db-audit" ] || cp "$base/base.db-audit" "$db-audit"
  local feed=""; [ "$1" = fed ] && feed="$base/feed"
  JD_LOAD_LOG="$work/$1.$2.log" bash "$work/bench/load_bench.sh" "$build" "$db" "$secs" "$conns" $feed >"$out" 2>&1 || true
  sed "s/^/  [$1 $2] /" "$out"
  if [ -n "${JD_WEB_KEEP:-}" ]; then mkdir -p "$JD_WEB_KEEP"; cp "$out" "$work/$1.$2.log" "$JD_WEB_KEEP/"; fi
  rm -f "$db" "$db-audit" "$db-wal" "$db-shm"
}
echo "== $build on $base, $repeats repeats, $conns connections, $secs s a route ($(nproc) cores)"
cases="alone fed"; [ -n "${JD_WEB_ONLY:-}" ] && cases=$JD_WEB_ONLY
for i in $(seq 1 "$repeats"); do
  for c in $cases; do one "$c" "$i"; done
done
echo "== per route: median (min-max) over the repeats; p50 and p99 in ms; cpu = the request threads' CPU ms a request"
python3 - "$work" $cases <<'EOF'
import glob, os, re, statistics, sys
work, cases = sys.argv[1], sys.argv[2:]
UNIT = {'us': 1e-3, 'ms': 1.0, 's': 1e3, 'm': 60e3}
def ms(v):
    m = re.match(r'([0-9.]+)(us|ms|s|m)$', v)
    return float(m.group(1)) * UNIT[m.group(2)] if m else float('nan')
LINE = re.compile(r'^  (.{16}) +([0-9.]+) req/s +p50 +(\S+) +p99 +(\S+) +cpu +([0-9.]+) ms/req +requests +(\d+) +non-2xx (\d+)(.*?)  load ([0-9.]+)')
def spread(xs, f='%.1f'):
    xs = sorted(xs)
    if not xs:
        return '-'
    return (f % statistics.median(xs)) + (' (' + f % xs[0] + '-' + f % xs[-1] + ')' if len(xs) > 1 else '')
for c in cases:
    rows, loads = {}, []
    for path in sorted(glob.glob(os.path.join(work, c + '.*.txt'))):
        for line in open(path):
            m = LINE.match(line)
            if not m:
                continue
            label = m.group(1).strip()
            errs = int(m.group(7)) + sum(int(x) for x in re.findall(r'(?:connect|read|write|timeout) (\d+)', m.group(8)))
            rows.setdefault(label, []).append((float(m.group(2)), ms(m.group(3)), ms(m.group(4)),
                                               float(m.group(5)), errs))
            loads.append(float(m.group(9)))
    print('%s (load %s):' % (c, spread(loads)))
    print('  %-16s %-22s %-22s %-24s %-20s %s' % ('route', 'req/s', 'p50 ms', 'p99 ms', 'cpu ms/req', 'errors'))
    for label, rs in rows.items():
        col = list(zip(*rs))
        print('  %-16s %-22s %-22s %-24s %-20s %s' % (label, spread(col[0], '%.0f'), spread(col[1]),
              spread(col[2], '%.0f'), spread(col[3], '%.2f'), '+'.join(str(e) for e in col[4])))
    ph = {}
    for path in sorted(glob.glob(os.path.join(work, c + '.*.log'))):
        for line in open(path, errors='replace'):
            m = re.search(r'phases GET (\S+) status=\d+ lock_ms=([\d.]+) route_ms=([\d.]+) '
                          r'route_cpu_ms=([\d.]+) audit_ms=([\d.]+)', line)
            if m:
                ph.setdefault(m.group(1), []).append([float(x) for x in m.group(2, 3, 4, 5)])
    if ph:
        def q(xs, p):
            return xs[min(len(xs) - 1, int(p * len(xs)))]
        def f(xs):
            xs = sorted(xs)
            return '%.1f / %.1f / %.0f' % (q(xs, .5), q(xs, .99), xs[-1])
        print('  server side (JD_REQ_PHASES), ms p50 / p99 / max:')
        print('  %-30s %8s  %-18s %-18s %-18s %s' % ('route', 'requests', 'lock', 'route', 'route cpu', 'audit'))
        for r, v in ph.items():
            col = list(zip(*v))
            print('  %-30s %8d  %-18s %-18s %-18s %s' % (r, len(v), f(col[0]), f(col[1]), f(col[2]), f(col[3])))
EOF
