#!/bin/sh
# signal-run.sh — issue 20, part 4: a job ended by a signal to provtrace run (timeout's
# SIGTERM).  The launcher passes it to the job and says so (run.json signal_received,
# stat's job line, --json signal_received); the job's first process returns at once,
# while the processes it leaves take a moment to die: the collector waits for them (up
# to 3 s), so that every one is recorded as ended (here: killed), none as still running.
. "$top_srcdir/tests/reliability/rlib.sh"

cat >"$T/job.py" <<'PY'
import os, signal, subprocess, sys, time
# three children that take 0.5 s to die after SIGTERM
child = "import signal, time\n" \
        "signal.signal(signal.SIGTERM, lambda *a: (time.sleep(0.5), signal.signal(signal.SIGTERM, signal.SIG_DFL), __import__('os').kill(__import__('os').getpid(), signal.SIGTERM)))\n" \
        "open(__import__('sys').argv[1], 'w').close()\n" \
        "time.sleep(60)\n"
kids = [subprocess.Popen([sys.executable, "-c", child, "%s/up%d" % (sys.argv[1], i)]) for i in range(3)]
def stop(*a):
    for k in kids:
        k.terminate()
    os._exit(1)   # like mpirun: out at once, with status 1, without waiting
signal.signal(signal.SIGTERM, stop)
time.sleep(60)
PY
mkdir "$T/d"
# the signal comes once the three children are up
( while [ "$(ls "$T/d" | wc -l)" -lt 3 ]; do sleep 0.05; done; sleep 0.2
  pkill -TERM -f "provtrace-run -q -o $T/run" ) &
set +e
provtrace-run -q -o "$T/run" -- "$PY" "$T/job.py" "$T/d"
rc=$?
set -e
wait
assert_eq 1 "$rc" "provtrace run's status: the job's"
assert_eq 15 "$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("signal_received"))' "$T/run/run.json")" \
	"run.json: the signal the launcher passed on"
assert_eq "15 1 3 0" "$(provtrace-stat --json "$T/run" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
print(d["signal_received"], d["exited"], d["killed"], d["running"])')" \
	"signal received; processes exited, killed, still running"
provtrace-stat "$T/run" | grep -q "^job        exited with status 1 after provtrace run received signal 15 (Terminated) and passed it on" ||
	fail "stat's job line: $(provtrace-stat "$T/run" | grep '^job')"
