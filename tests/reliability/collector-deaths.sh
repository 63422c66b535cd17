#!/bin/sh
# collector-deaths.sh — RELIABILITY 17 and 23 under `provtrace run` itself: the run's
# collector killed (SIGKILL) while the job runs is started again by provtrace run on the
# same spool and store, five times; the sixth death leaves it dead, and at the job's end
# a last pass (`provtrace-collectd --once`) stores what waited in the spool.  Each death is
# said on stderr; the job's status is kept; the record is whole: every file, every byte, no
# gap in the sequence numbers.
. "$top_srcdir/tests/reliability/rlib.sh"

mkdir "$T/out"
cat >"$T/job.py" <<'PY'
import os, sys, time
d = sys.argv[1]
for i in range(300):
    with open(os.path.join(d, "f%d" % i), "w") as f:
        f.write("x" * (i + 1))
    while i % 50 == 49 and not os.path.exists(os.path.join(d, "go%d" % (i // 50))):
        time.sleep(0.02)
sys.exit(5)
PY
provtrace-run -o "$T/run" -- "$PY" "$T/job.py" "$T/out" 2>"$T/err" &
job=$!
# the collector of this run: the one whose spool is in this test's directory
collector() {
	for p in $(pgrep -x provtrace-colle); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q -- "-S $PROVTRACE_SPOOL_DIR/" && echo "$p"
	done
	return 0
}
last=
for k in 0 1 2 3 4 5; do
	# a new collector, listening (its log says so once per start)
	i=0
	until c=$(collector) && [ -n "$c" ] && [ "$c" != "$last" ] &&
		[ "$(grep -c ' info: listening on ' "$T/run/nodes/"*.log 2>/dev/null)" -gt $k ]; do
		i=$((i + 1))
		[ $i -lt 300 ] || fail "death $k: no new collector after 30 s: $(cat "$T/err")"
		sleep 0.1
	done
	kill -KILL "$c"
	last=$c
	touch "$T/out/go$k"
done
rc=0
wait "$job" || rc=$?
assert_eq 5 "$rc" "provtrace run's status: the job's"
assert_eq 5 "$(grep -c 'was killed by signal 9 during the job; restarted it on the same spool and store$' "$T/err")" \
	"restarts said"
assert_eq 1 "$(grep -c 'was killed by signal 9 during the job; it failed too often to be started again$' "$T/err")" \
	"the sixth death, said"
assert_eq 300 "$(count_log "$T/run/nodes/"*.mdb OPEN "$T/out/f")" "files opened"
assert_eq 45150 "$(stat_field "$T/run" bytes_written)" "bytes written (1 + ... + 300)"
assert_eq yes "$(seq_contiguous "$T/run/nodes/"*.mdb)" "sequence"
assert_eq 0 "$(stat_field "$T/run" dropped)" "dropped"
