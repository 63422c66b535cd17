#!/bin/sh
# pid-reuse.sh — a region names its image by pid, and pids are reused.  The collector
# tells the owner from a later holder of the pid by when each began: /proc's starttime
# (CLOCK_BOOTTIME ticks) against the region's start_boot_ns.  A region older than the
# process now holding its pid is over (drained, counted as killed, removed); a region
# younger than it is that process's, still running (drained, kept for the rest).
. "$top_srcdir/tests/reliability/rlib.sh"

sleep 30 &
live=$!
trap 'kill $live 2>/dev/null; rcleanup' EXIT
# /proc has the sleeper's start only once it runs: wait for the exec
i=0
while [ "$(cat /proc/$live/comm 2>/dev/null)" != sleep ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done

# began 5 s before the sleeper: the pid has been reused since
"$top_builddir/tests/reliability/mkregion" "$SPOOL" "$live" 1000 -5000 >/dev/null
provtrace-collectd --once -S "$SPOOL" -d "$STORE" -o "$T/old.mdb" -l "$WORK/log"
assert_eq 1 "$(stat_field "$T/old.mdb" killed)" "a region older than its pid's process ended"
assert_eq 0 "$(ls "$SPOOL" | wc -l)" "the reused pid's old region removed"
assert_eq 3 "$(count_log "$T/old.mdb" GAP)" "its records stored"

# began 1 s after the sleeper: the sleeper's own, alive
rm -f "$STORE"
"$top_builddir/tests/reliability/mkregion" "$SPOOL" "$live" 2000 1000 >/dev/null
provtrace-collectd --once -S "$SPOOL" -d "$STORE" -o "$T/live.mdb" -l "$WORK/log"
assert_eq 0 "$(stat_field "$T/live.mdb" killed)" "the live owner's region not ended"
assert_eq 1 "$(ls "$SPOOL" | wc -l)" "the live owner's region kept"
assert_eq 3 "$(count_log "$T/live.mdb" GAP)" "its records stored"
