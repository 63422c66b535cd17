#!/bin/sh
# deferred-index.sh — the collector only logs while the job runs and the first reader
# indexes the store: a query issued while indexing is pending completes it first (never
# a partial answer); a reader killed (SIGKILL) half way loses nothing and the next one
# resumes where it stopped; concurrent first readers agree; a store nobody here may write
# is reported as pending by stat and refused, with a clear error, by the other tools; a
# reader of a store that a collector still writes waits for the run's end.
. "$top_srcdir/tests/reliability/rlib.sh"

mkdir "$T/data" "$T/out"
for i in 0 1 2; do printf 'shard %s\n' "$i" >"$T/data/in$i"; done
printf 'unused\n' >"$T/data/unused"
cat >"$T/job.py" <<'PY'
import os, subprocess, sys
data, out = sys.argv[1], sys.argv[2]
acc = b""
for i in range(3):
    with open(os.path.join(data, "in%d" % i), "rb") as f:
        acc += f.read()
subprocess.run(["/bin/true"], check=True)
with open(os.path.join(out, "model.tmp"), "wb") as f:
    f.write(acc * 10)
os.rename(os.path.join(out, "model.tmp"), os.path.join(out, "model"))
PY

ptrun base "$PY" "$T/job.py" "$T/data" "$T/out"
assert_eq 0 "$rc" "job exit status"
for c in A B C D R; do cp -a "$RUN" "$T/$c"; done
store() { echo "$T/$1/nodes/"*.mdb; }

# stat --json read through a read-only bind mount: indexing cannot happen there
ro_stat() {
	unshare -m sh -c 'mount --bind -o ro "$1" "$1" && provtrace-stat --json "$1"' sh "$1" |
		"$PY" -c 'import json,sys; d = json.load(sys.stdin); print(" ".join(str(d[k]) for k in sys.argv[1:]))' \
			index_pending indexed_now events
}
unshare -m true 2>/dev/null || skip "no mount namespaces here (unshare -m)"

# as the collector left it: everything logged, nothing indexed
set -- $(ro_stat "$T/R")
N=$3
assert_ge 40 "$N" "events logged"
assert_eq "$N 0" "$1 $2" "pending records of the fresh run (read-only)"
# a tool that needs the indices refuses a store it cannot index, and says why
set +e
unshare -m sh -c 'mount --bind -o ro "$1" "$1" && provtrace-lineage --ancestors "$2" "$1"' \
	sh "$T/R" "$T/out/model" >"$T/ro.out" 2>"$T/ro.err"
lrc=$?
set -e
[ "$lrc" -ne 0 ] || fail "lineage answered from an unindexed store: $(cat "$T/ro.out")"
grep -q "not indexed yet" "$T/ro.err" || fail "no clear error: $(cat "$T/ro.err")"
assert_eq "" "$(cat "$T/ro.out")" "a partial answer was printed"

# the first query indexes first, then answers in full
expect=$(printf '%s\n' "$T/data/in0" "$T/data/in1" "$T/data/in2" "$T/job.py" | sort)
got=$(provtrace-lineage --ancestors "$T/out/model" "$T/A" | grep -v '^/usr/' | sort)
assert_eq "$expect" "$got" "ancestors from the first query"
assert_eq "0 0 $N" "$(ro_stat "$T/A")" "after the first query: nothing pending"

# a reader killed in its third step (steps of 5 records): the two committed steps stay
set +e
PROVTRACE_INDEX_STEP=5 PROVTRACE_FAULT=index:3 provtrace-stat "$T/B" >/dev/null 2>&1
krc=$?
set -e
assert_eq 137 "$krc" "the indexing reader died by SIGKILL"
assert_eq "$((N - 10)) 0 $N" "$(ro_stat "$T/B")" "progress kept by the killed reader"
# the next reader resumes: it indexes exactly the rest
set -- $(PROVTRACE_INDEX_STEP=5 provtrace-stat --json "$T/B" | "$PY" -c \
	'import json,sys; d = json.load(sys.stdin); print(d["index_pending"], d["indexed_now"])')
assert_eq "0 $((N - 10))" "$1 $2" "the resumed reader's work"

# the same store whichever way it was indexed: in one go (A), resumed after a kill (B),
# in steps of one record (C), by two readers racing (D)
PROVTRACE_INDEX_STEP=1 provtrace-stat "$T/C" >/dev/null
PROVTRACE_INDEX_STEP=3 provtrace-lineage --ancestors "$T/out/model" "$T/D" >"$T/d1" &
p1=$!
PROVTRACE_INDEX_STEP=3 provtrace-lineage --ancestors "$T/out/model" "$T/D" >"$T/d2" &
p2=$!
wait "$p1" || fail "first concurrent reader failed"
wait "$p2" || fail "second concurrent reader failed"
assert_eq "$expect" "$(grep -v '^/usr/' "$T/d1" | sort)" "first concurrent reader"
assert_eq "$expect" "$(grep -v '^/usr/' "$T/d2" | sort)" "second concurrent reader"
for c in A B C D; do
	provtrace-export -f ntriples -o "$T/$c.nt" "$T/$c"
	provtrace-stat --json "$T/$c" | sed 's/"indexed_now":[0-9]*//' >"$T/$c.stat"
done
for c in B C D; do
	cmp -s "$T/A.nt" "$T/$c.nt" || fail "export of $c differs from A"
	cmp -s "$T/A.stat" "$T/$c.stat" || fail "stat of $c differs from A: $(cat "$T/$c.stat")"
done
# nothing beside the store: no lock file left in the run directory
assert_eq "$(basename "$(store A)")" "$(cd "$T/D/nodes" && ls | grep -v '\.log$')" "files in nodes/"

# a live store: the collector holds it; a reader started while a traced process still
# runs answers only once the collector has stopped, with the process's end in its answer
start_collector
mkfifo "$T/go"
traced "$PY" -c 'import sys
for i in range(20):
    open(sys.argv[1] + "/live%d" % i, "w").write("x")
open(sys.argv[2]).read()' "$T/out" "$T/go" &
jp=$!
provtrace-stat --json "$STORE" >"$T/live.json" &
sp=$!
echo go >"$T/go"
wait "$jp"
stop_collector
CPID=
wait "$sp" || fail "the reader of the live store failed"
assert_eq "1 0 0 20" "$("$PY" -c 'import json,sys; d = json.load(open(sys.argv[1]))
print(d["exited"], d["running"], d["index_pending"], d["files_written"])' "$T/live.json")" \
	"exited, running, pending, files written, as seen by a reader of the live store"
