#!/bin/sh
# load.sh — RELIABILITY 19 and issue 5's load: 32 processes x 8 threads opening, writing
# and closing at full speed, the collector killed and restarted in the middle.  Every
# operation that returned is stored, or counted as dropped; the collector's memory stays
# bounded; no producer is held up past the documented bound for long.
. "$top_srcdir/tests/reliability/rlib.sh"

seconds=${PT_LOAD_SECONDS:-6}
mkdir "$T/out"
start_collector
traced "$top_builddir/tests/reliability/loadgen" "$T/out" 32 8 "$seconds" >"$T/loadgen.out" &
LOAD=$!
sleep $((seconds / 2))
kill -KILL "$CPID"
wait "$CPID" 2>/dev/null || true
start_collector
wait "$LOAD"
hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$CPID/status")
stop_collector
provtrace-collectd --once -S "$SPOOL" -d "$STORE" -o "$T/final.mdb" -l "$WORK/log"

ops=$(sed -n 's/^ops \([0-9]*\) .*/\1/p' "$T/loadgen.out")
block=$(sed -n 's/.*max_block_ms \([0-9.]*\)$/\1/p' "$T/loadgen.out")
opens=$(count_log "$T/final.mdb" OPEN "$T/out/load-")
dropped=$(stat_field "$T/final.mdb" dropped)
echo "load: $ops operations, $opens opens stored, $dropped events dropped, longest" \
	"iteration $block ms, collector peak RSS $hwm kB"
[ "$ops" -gt 1000 ] || fail "the load did not run: $(cat "$T/loadgen.out")"
if [ "$dropped" -eq 0 ]; then
	assert_eq "$ops" "$opens" "opens stored without drops"
else
	[ "$opens" -le "$ops" ] && [ $((opens + dropped)) -ge "$ops" ] ||
		fail "$ops operations, $opens stored and $dropped dropped do not add up"
fi
assert_eq yes "$(seq_contiguous "$T/final.mdb")" "sequence"
# the collector maps each region (sparse, 64 MiB of address space) and touches what it
# reads: bounded by the data in flight, not by the run's length
[ "$hwm" -lt 400000 ] || fail "collector peak RSS $hwm kB"
