#!/bin/sh
# absent-collector.sh — RELIABILITY 13 and 17: with no collector (no socket, a stale
# socket file, a socket that is not listening) the program runs unchanged, is never hit
# by SIGPIPE and never waits; its events stay in the spool and a collector that runs
# later ingests every one.
. "$top_srcdir/tests/reliability/rlib.sh"

mkdir "$T/out"
cat >"$T/job.py" <<'PY'
import os, signal, subprocess, sys, time
signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # a SIGPIPE would kill us
t0 = time.monotonic()
for i in range(50):
    with open(os.path.join(sys.argv[1], "f%d" % i), "w") as f:
        f.write("a" * 7)
for i in range(5):
    subprocess.run(["/bin/true"], check=True)
print("%.3f" % (time.monotonic() - t0))
PY
"$PY" -c 'import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.bind(sys.argv[1])' "$WORK/stale.sock"
for sock in "$WORK/none.sock" "$WORK/stale.sock"; do
	secs=$(env LD_PRELOAD="$SHIM" PROVTRACE_SPOOL="$SPOOL" PROVTRACE_SOCKET="$sock" "$PY" "$T/job.py" "$T/out")
	"$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 10 else 1)' "$secs" ||
		fail "the job took $secs s without a collector"
done
# two runs of the job: 2 x (python + 5 true) images, all waiting in the spool
assert_eq 12 "$(ls "$SPOOL" | wc -l)" "regions waiting in the spool"
provtrace-collectd --once -S "$SPOOL" -d "$STORE" -o "$T/out.mdb" -l "$WORK/log"
assert_eq 100 "$(count_log "$T/out.mdb" OPEN "$T/out/f")" "files opened"
assert_eq 700 "$(stat_field "$T/out.mdb" bytes_written)" "bytes written"
assert_eq 12 "$(stat_field "$T/out.mdb" processes)" "processes"
assert_eq 0 "$(ls "$SPOOL" | wc -l)" "regions left in the spool"
