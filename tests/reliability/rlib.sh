# rlib.sh — sourced by the reliability tests: a collector the test starts, kills and
# restarts itself, and the environment that preloads the shim against it.
. "$top_srcdir/tests/lib.sh"

# a test that fails midway must not leave its collector running
rcleanup() {
	rc=$?
	set +e   # a collector already stopped makes kill fail: not the test's result
	[ -n "${CPID:-}" ] && kill -KILL "$CPID" 2>/dev/null
	[ -n "${PT_KEEP:-}" ] || rm -rf "$T"
	exit $rc
}
trap rcleanup EXIT

SPOOL="$T/sp"
WORK="$T/wk"
SOCK="$WORK/c.sock"
STORE="$WORK/store.mdb"
mkdir -m 700 "$SPOOL" "$WORK"

# start_collector [EXTRA-ARGS...]: in the background, returns once it listens
start_collector() {
	rm -f "$T/ready"
	mkfifo "$T/ready"
	provtrace-collectd -s "$SOCK" -S "$SPOOL" -d "$STORE" -l "$WORK/log" -r 3 "$@" \
		3>"$T/ready" &
	CPID=$!
	[ "$(head -c 1 "$T/ready")" = R ] || fail "collector did not start: $(cat "$WORK/log")"
}

# stop_collector OUTPUT: SIGTERM; the collector drains, finishes and copies to OUTPUT
stop_collector() {
	kill -TERM "$CPID"
	wait "$CPID" || fail "collector exited with $?: $(tail -3 "$WORK/log")"
}

traced() {
	env LD_PRELOAD="$SHIM" PROVTRACE_SPOOL="$SPOOL" PROVTRACE_SOCKET="$SOCK" "$@"
}

# count_log STORE TYPE [PATH-PREFIX]: records of TYPE (whose path starts with PREFIX)
count_log() {
	provtrace-dump --log "$1" | "$PY" -c '
import json, sys
t = sys.argv[1]; pre = sys.argv[2] if len(sys.argv) > 2 else None
n = 0
for line in sys.stdin:
    r = json.loads(line)
    if r["type"] == t and (pre is None or r.get("path", "").startswith(pre)):
        n += 1
print(n)' "$2" ${3:+"$3"}
}

# seq_contiguous STORE: the log's sequence numbers are 1..N without a gap
seq_contiguous() {
	provtrace-dump --log "$1" | "$PY" -c '
import json, sys
seqs = [json.loads(l)["seq"] for l in sys.stdin]
print("yes" if seqs == list(range(1, len(seqs) + 1)) else "gap")'
}

stat_field() {
	provtrace-stat --json "$1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}
