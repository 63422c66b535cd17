#!/bin/sh
# fault-commit.sh — RELIABILITY 24: a failed LMDB commit loses nothing (the batch stays
# in the rings and is stored by the next one), and a commit that keeps failing makes the
# run say so, keeps the job's exit status, and leaves everything for `--once` to finish.
. "$top_srcdir/tests/reliability/rlib.sh"

mkdir "$T/out"
cat >"$T/job.py" <<'PY'
import os, sys
for i in range(200):
    with open(os.path.join(sys.argv[1], "f%d" % i), "w") as f:
        f.write("x" * i)
sys.exit(3)
PY

# one failure: everything arrives
for fault in commit:2 commit:3 commit:4:28; do
	rm -rf "$T/run"
	set +e
	PROVTRACE_FAULT=$fault provtrace-run -q -o "$T/run" -- "$PY" "$T/job.py" "$T/out"
	rc=$?
	set -e
	assert_eq 3 "$rc" "exit status with $fault"
	assert_eq 200 "$(count_log "$T/run/nodes/"*.mdb OPEN "$T/out/f")" "files opened, $fault"
	assert_eq 19900 "$(stat_field "$T/run" bytes_written)" "bytes written, $fault"
	assert_eq 0 "$(stat_field "$T/run" dropped)" "dropped, $fault"
	assert_eq yes "$(seq_contiguous "$T/run/nodes/"*.mdb)" "sequence, $fault"
done

# every commit from the third on fails: the launcher reports it and keeps the job's status
rm -rf "$T/run"
set +e
PROVTRACE_FAULT=commit:3+:28 provtrace-run -q -o "$T/run" -- "$PY" "$T/job.py" "$T/out" 2>"$T/err"
rc=$?
set -e
assert_eq 3 "$rc" "exit status while the store fails"
grep -q "the collector failed" "$T/err" || fail "no report of the failure: $(cat "$T/err")"
grep -q "No space left on device" "$T/run/nodes/"*.log || fail "the log does not name ENOSPC"
# the printed recovery command, without the fault, stores everything
cmd=$(sed -n 's/^  \(.*--once.*\)$/\1/p' "$T/err")
[ -n "$cmd" ] || fail "no recovery command printed: $(cat "$T/err")"
rm -f "$T/run/nodes/"*.mdb
$cmd || fail "recovery failed"
assert_eq 200 "$(count_log "$T/run/nodes/"*.mdb OPEN "$T/out/f")" "files opened after recovery"
assert_eq 19900 "$(stat_field "$T/run" bytes_written)" "bytes written after recovery"
assert_eq yes "$(seq_contiguous "$T/run/nodes/"*.mdb)" "sequence after recovery"
