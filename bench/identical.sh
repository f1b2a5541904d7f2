#!/usr/bin/env bash
# Results byte-identical before and after a change that should not alter
# them (issue 13): the same synthetic counties go through ingest, resolve
# and analyse with two builds, and the identities and alerts they export
# (JSON Lines, sorted) are compared byte for byte. Each step is timed (wall
# time and peak RSS) for both builds, so the speed can be compared too.
#
#   bash bench/identical.sh BUILD_BEFORE BUILD_AFTER [SETS]
#
# SETS is a space-separated list of data sets: "seedN" (the default county
# of seed N), "oxford" (the oxford scenario, seed 1) or "eventsN" (a county
# of about N events, seed 1). Default: "seed1 seed2 seed3 oxford".
# Bundles are made once with BUILD_BEFORE's synth and kept in $JD_IDENT_WORK
# when it is set (to rerun without making them again), else in a temporary
# folder removed at the end; there, the before side's results are reused
# too when present (delete $JD_IDENT_WORK/SET.before.* to redo them).
# Exit 0 when every set is identical, 1 if not.
set -euo pipefail
before=${1:?usage: identical.sh BUILD_BEFORE BUILD_AFTER [SETS]}
after=${2:?usage: identical.sh BUILD_BEFORE BUILD_AFTER [SETS]}
sets=${3:-seed1 seed2 seed3 oxford}
if [ -n "${JD_IDENT_WORK:-}" ]; then
  work=$JD_IDENT_WORK
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/jd-identical.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
timed() { # label logfile command...
  local label=$1 log=$2; shift 2
  /usr/bin/time -f "$label %e %M" -a -o "$log" "$@"
}
fail=0
for set in $sets; do
  case $set in
    seed*) synth_args=(--seed "${set#seed}") ;;
    oxford) synth_args=(--seed 1 --scenario oxford) ;;
    events*) synth_args=(--seed 1 --events "${set#events}") ;;
    *) echo "unknown set $set" >&2; exit 2 ;;
  esac
  bundle="$work/$set"
  if [ ! -f "$bundle/truth.json" ]; then
    rm -rf "$bundle"
    "$before/src/cli/joindots" synth --out "$bundle" "${synth_args[@]}" >/dev/null
  fi
  echo "== $set: $(($(cat "$bundle"/events*.csv | wc -l) - $(ls "$bundle"/events*.csv | wc -l))) events"
  for side in before after; do
    build=${!side}
    jd="$build/src/cli/joindots"
    db="$work/$set.$side.db"
    log="$work/$set.$side.time"
    if [ "$side" = before ] && [ -n "${JD_IDENT_WORK:-}" ] && [ -s "$log" ] &&
      [ -f "$work/$set.before.alerts" ]; then
      continue
    fi
    rm -f "$db" "$db"-* "$log"
    timed ingest "$log" "$jd" ingest --db "$db" --quiet "$bundle" >/dev/null
    timed resolve "$log" "$jd" resolve --db "$db" >/dev/null
    timed analyse "$log" "$jd" analyse --db "$db" >/dev/null
    "$jd" export identities --db "$db" --user bench --reason identical | LC_ALL=C sort \
      > "$work/$set.$side.ids"
    "$jd" export alerts --db "$db" --user bench --reason identical | LC_ALL=C sort \
      > "$work/$set.$side.alerts"
    rm -f "$db" "$db"-*
  done
  for what in ids alerts; do
    n=$(wc -l < "$work/$set.before.$what")
    if cmp -s "$work/$set.before.$what" "$work/$set.after.$what"; then
      echo "  $what: identical ($n lines)"
    else
      echo "  $what: DIFFERENT ($n lines before, $(wc -l < "$work/$set.after.$what") after)"
      { diff "$work/$set.before.$what" "$work/$set.after.$what" || true; } | head -c 2000 |
        sed 's/^/    /'
      fail=1
    fi
  done
  paste "$work/$set.before.time" "$work/$set.after.time" |
    awk '{ printf "  %-8s wall %7.2f s -> %7.2f s, peak RSS %8d -> %8d KiB\n", $1, $2, $5, $3, $6 }'
done
exit $fail
