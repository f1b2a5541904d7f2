# Sourced by the server benches: mhd_cpu PID prints the CPU seconds of the
# server's request threads (libmicrohttpd's "MHD-..."), not of its live
# thread (a feed's ingest, resolve and analyse).
mhd_cpu() {
  local t f s=0
  t=$(getconf CLK_TCK)
  for f in /proc/"$1"/task/*; do
    grep -q '^MHD' "$f/comm" 2>/dev/null || continue
    s=$(awk -v s="$s" -v t="$t" '{printf "%.3f", s + ($14 + $15) / t}' "$f/stat" 2>/dev/null || echo "$s")
  done
  echo "$s"
}
# all_cpu PID: the CPU seconds of every thread of PID (the process's own
# utime and stime count every thread, the live thread and its lane too)
all_cpu() {
  awk -v t="$(getconf CLK_TCK)" '{sub(/.*\) /, ""); printf "%.3f", ($12 + $13) / t}' "/proc/$1/stat"
}
