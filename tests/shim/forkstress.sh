#!/bin/sh
# forkstress.sh — RELIABILITY.md case 7: 16 threads doing I/O while another thread forks
# 1000 times.  No deadlock (the watchdog), every child's file written under the child's
# own identity (its pid, a fork child of the program), every thread session stored.
. "${top_srcdir:-.}/tests/lib.sh"

FORKS=${PT_FORKS:-1000}
THREADS=16
D=$(cd "$T" && pwd -P)/d
mkdir "$D"
# a slot of its own for every thread: past the slots, threads share the last one with a
# bounded wait that may drop a record under load (counted, but the counts here are exact)
PROVTRACE_SLOTS=32
export PROVTRACE_SLOTS
ptrun forkstress "$PROG/forkstress" "$D" "$FORKS" "$THREADS"
assert_eq 0 "$rc" "exit status ($(cat "$T/forkstress.err"))"
assert_eq "$((FORKS + 1)) $((FORKS + 1)) 0 0 0" "$(stat_of processes exited dropped torn corrupt)" \
	"stat: processes exited dropped torn corrupt"

# each c/N: one session, in a fork child of process 1 whose pid is what the file holds
ev sess "$D/c/*" -f path,proc,via,wbytes >"$T/c.sess"
ev procs -f proc,pid,parent,start_how >"$T/procs"
"$PY" - "$D" "$FORKS" "$T/c.sess" "$T/procs" <<'PY' || fail "children's files"
import os, sys
d, forks, sess, procs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
by_proc = {}
for line in open(procs):
    proc, pid, parent, how = line.split()
    by_proc[proc] = (pid, parent, how)
seen = {}
for line in open(sess):
    path, proc, via, wbytes = line.split()
    seen.setdefault(path, []).append((proc, via, wbytes))
bad = 0
for i in range(forks):
    path = "%s/c/%d" % (d, i)
    content = open(path).read()
    got = seen.get(path, [])
    if len(got) != 1:
        print("%s: %d sessions, expected 1" % (path, len(got)), file=sys.stderr)
        bad += 1
        continue
    proc, via, wbytes = got[0]
    pid, parent, how = by_proc[proc]
    if (via, wbytes, pid, parent, how) != ("OPEN", str(len(content)), content, "1", "1"):
        print("%s: via %s, %s bytes, by process %s: pid %s, parent %s, how %s; the file "
              "holds pid %s" % (path, via, wbytes, proc, pid, parent, how, content),
              file=sys.stderr)
        bad += 1
sys.exit(1 if bad else 0)
PY
# each thread's sessions: as many as it counted, in process 1, 8 bytes each; in the
# children only descriptors inherited from it, never written
ev sess "$D/t*" -f path,proc,wbytes,wops,end >"$T/t.sess"
"$PY" - "$D" "$T/t.sess" "$T/forkstress.out" "$THREADS" <<'PY' || fail "threads' sessions"
import collections, sys
d, sess, out, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rows = collections.Counter(tuple(l.split()) for l in open(sess))
bad = 0
counts = [l.split() for l in open(out)]
if len(counts) != threads:
    print("%d threads reported, expected %d" % (len(counts), threads), file=sys.stderr)
    bad += 1
for k, count in counts:
    path = "%s/t%s" % (d, k)
    mine = {r: n for r, n in rows.items() if r[0] == path}
    want = {(path, "1", "8", "1", "CLOSE"): int(count)}
    main = {r: n for r, n in mine.items() if r[1] == "1"}
    others = {r: n for r, n in mine.items() if r[1] != "1" and r[3] != "0"}
    if main != want or others:
        print("thread %s: %s in process 1 (expected %s), written in children: %s"
              % (k, main, want, others), file=sys.stderr)
        bad += 1
sys.exit(1 if bad else 0)
PY
