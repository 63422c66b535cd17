#!/bin/sh
# collector-restart.sh — RELIABILITY 17 and 23: the collector killed with SIGKILL at
# random points and restarted while the job runs: nothing lost, nothing duplicated, no
# gap in the sequence numbers, the store reopens cleanly.
. "$top_srcdir/tests/reliability/rlib.sh"

mkdir "$T/out"
cat >"$T/job.py" <<'PY'
import os, sys, time
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(d, "f%d" % (i % 50)), "w") as f:
        f.write("x" * (i % 100 + 1))
    if i % 200 == 0:
        time.sleep(0.02)
PY
start_collector
traced "$PY" "$T/job.py" "$T/out" 4000 &
JOB=$!
for delay in 0.13 0.21 0.07 0.3; do
	sleep "$delay"
	kill -KILL "$CPID"
	wait "$CPID" 2>/dev/null || true
	start_collector
done
wait "$JOB"
stop_collector
provtrace-collectd --once -S "$SPOOL" -d "$STORE" -o "$T/final.mdb" -l "$WORK/log"
assert_eq 4000 "$(count_log "$T/final.mdb" OPEN "$T/out/f")" "opens stored"
# sum over i < 4000 of (i % 100 + 1)
assert_eq 202000 "$(stat_field "$T/final.mdb" bytes_written)" "bytes written"
assert_eq yes "$(seq_contiguous "$T/final.mdb")" "sequence"
assert_eq 0 "$(stat_field "$T/final.mdb" dropped)" "dropped"
