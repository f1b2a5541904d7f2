#!/usr/bin/env bash
# A feed's updates run behind the requests (issue 17): `serve --feed-nice N`
# gives the live thread's background lane (jd-live-bg: resolve, analysis,
# escalation, reloads) the server's nice value plus N (at most 19; default
# 0: off, so an urgent call never waits on an update starved by the web), while the request workers and the live thread itself (jd-live: the
# drop folder's ingest and the urgent-call lane) keep the server's own.
# Reads /proc/PID/task/*/stat (Linux).
# Usage: test_feed_nice.sh JOINDOTS SOURCE_ROOT
JD=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
scratch

"$JD" demo --dir "$SCRATCH/demo" >/dev/null 2>&1
DB=$(store_adopt "$SCRATCH/demo/joindots.db" s)
mkdir -p "$SCRATCH/drop"
start() { # extra serve options...
  rm -f "$SCRATCH/port"
  "$JD" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$SCRATCH/port" --feeds "$SCRATCH/drop" \
    "$@" 2>>"$SCRATCH/serve.log" &
  SPID=$!
  for _ in $(seq 1 600); do [ -s "$SCRATCH/port" ] && break; sleep 0.1; done
}
stop() { kill -TERM "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }
# the nice values of PID's threads named NAME (NAME* with a trailing *)
nice_of() { # PID NAME
  local t
  for t in /proc/"$1"/task/*; do
    # shellcheck disable=SC2254 # NAME is a pattern
    case "$(cat "$t/comm" 2>/dev/null)" in
    $2) awk '{sub(/.*\) /, ""); print $17}' "$t/stat" ;;
    esac
  done | sort -u
}
main_nice() { awk '{sub(/.*\) /, ""); print $17}' "/proc/$1/stat"; }

start --feed-nice 7
[ -s "$SCRATCH/port" ]; is $? 0 "serve --feed-nice 7 starts"
base=$(main_nice "$SPID")
want=$((base + 7 > 19 ? 19 : base + 7))
wait_bg() { for _ in $(seq 1 50); do [ -n "$(nice_of "$SPID" jd-live-bg)" ] && break; sleep 0.1; done; }
wait_bg
is "$(nice_of "$SPID" jd-live-bg)" "$want" "the background lane runs at the server's nice plus 7 ($base + 7)"
is "$(nice_of "$SPID" jd-live)" "$base" "the live thread (ingest, urgent calls) keeps the server's nice ($base)"
is "$(nice_of "$SPID" 'MHD*' | tr '\n' ' ')" "$base " "the request threads keep the server's nice ($base)"
grep -q "the live updates run at nice $want" "$SCRATCH/serve.log"
is $? 0 "the log says the background lane's nice value"
stop

start
wait_bg
is "$(nice_of "$SPID" jd-live-bg)" "$base" "by default the background lane runs at the server's own nice ($base)"
stop

start --feed-nice 0
wait_bg
is "$(nice_of "$SPID" jd-live-bg)" "$base" "--feed-nice 0: the background lane at the requests' own nice"
stop

"$JD" serve --db "$DB" --feed-nice 20 >/dev/null 2>&1
is $? 2 "--feed-nice 20 is refused (usage)"
"$JD" serve --db "$DB" --feed-nice x >/dev/null 2>&1
is $? 2 "--feed-nice x is refused (usage)"
done_testing
