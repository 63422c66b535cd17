#!/bin/sh
# kill9-program.sh — RELIABILITY 14: a program killed with SIGKILL at random points
# keeps every event whose call returned: the program reports each finished write session
# on a pipe the test reads; after the kill the store holds at least those (and at most
# one more, the session in flight), the process is marked killed, the store is sound.
. "$top_srcdir/tests/reliability/rlib.sh"

mkdir "$T/out"
cat >"$T/job.py" <<'PY'
import os, sys
d, report = sys.argv[1], int(sys.argv[2])
i = 0
while True:
    fd = os.open(os.path.join(d, "f%d" % i), os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"z" * 16)
    os.close(fd)
    os.write(report, b".")
    i += 1
PY
for round in 1 2 3 4 5 6; do
	rm -rf "$T/out"/* "$T/run"
	"$PY" - "$T" "$round" <<'PY'
import os, random, signal, subprocess, sys, time
t, rnd = sys.argv[1], int(sys.argv[2])
random.seed(rnd)
r, w = os.pipe()
job = subprocess.Popen(["provtrace-run", "-q", "-o", t + "/run", "--", os.environ["PY"],
                        t + "/job.py", t + "/out", str(w)], pass_fds=[w])
os.close(w)
want = random.randint(50, 3000)
done = 0
while done < want:
    done += len(os.read(r, 4096))
# the traced python is the launcher's child that runs job.py (the other is the collector)
kids = open("/proc/%d/task/%d/children" % (job.pid, job.pid)).read().split()
victim = [k for k in kids if b"job.py" in open("/proc/%s/cmdline" % k, "rb").read()]
os.kill(int(victim[0]), signal.SIGKILL)
# reports already in the pipe count too: they were sent before the kill
while True:
    chunk = os.read(r, 4096)
    if not chunk:
        break
    done += len(chunk)
assert job.wait() == 128 + 9, job.returncode
open(t + "/done", "w").write("%d\n" % done)
PY
	done_n=$(cat "$T/done")
	stored=$(count_log "$T/run/nodes/"*.mdb OPEN "$T/out/f")
	[ "$stored" -ge "$done_n" ] && [ "$stored" -le $((done_n + 1)) ] ||
		fail "round $round: $done_n sessions returned, $stored stored"
	assert_eq 1 "$(stat_field "$T/run" killed)" "round $round: processes killed"
	assert_eq yes "$(seq_contiguous "$T/run/nodes/"*.mdb)" "round $round: sequence"
	# every byte the finished sessions wrote is accounted for (the table keeps the counters
	# of a session the kill cut short)
	bytes=$(stat_field "$T/run" bytes_written)
	[ "$bytes" -ge $((done_n * 16)) ] || fail "round $round: $bytes bytes for $done_n sessions"
done
