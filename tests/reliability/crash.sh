#!/bin/sh
# crash.sh — RELIABILITY 14: abort(), a segmentation fault and exit() from a secondary
# thread: every session that ended before the death is stored, the death is recorded
# (the signal, through the launcher and the parent's view; the status of exit), and
# `provtrace run` exits as a shell would (128 + the signal).
. "$top_srcdir/tests/lib.sh"

prog="$top_builddir/tests/reliability/crash"
field() { provtrace-stat --json "$1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"; }
opens() {
	provtrace-dump --log "$1/nodes/"*.mdb | "$PY" -c '
import json, sys
print(sum(1 for r in map(json.loads, sys.stdin) if r["type"] == "OPEN" and r["path"].startswith(sys.argv[1])))' "$2"
}

for how in abort segv; do
	mkdir "$T/$how"
	set +e
	provtrace-run -q -o "$T/r-$how" -- "$prog" "$how" "$T/$how" 300 2>/dev/null
	rc=$?
	set -e
	case $how in abort) sig=6 ;; segv) sig=11 ;; esac
	assert_eq $((128 + sig)) "$rc" "$how: exit status of provtrace run"
	assert_eq 300 "$(opens "$T/r-$how" "$T/$how/f")" "$how: sessions before the death"
	assert_eq 3000 "$(field "$T/r-$how" bytes_written)" "$how: bytes written"
	assert_eq 1 "$(field "$T/r-$how" killed)" "$how: the process is recorded as killed"
	assert_eq 0 "$(field "$T/r-$how" dropped)" "$how: events lost"
	# the launcher's wait status reaches the process record: stat says which signal
	provtrace-stat "$T/r-$how" | grep -q "killed by signal $sig" ||
		fail "$how: stat does not name signal $sig: $(provtrace-stat "$T/r-$how")"
done

# exit() from a thread while main writes: status 42, all 300 first files stored, and
# every "g" file whose session finished before the exit
mkdir "$T/et"
set +e
provtrace-run -q -o "$T/r-et" -- "$prog" exit-thread "$T/et" 300
rc=$?
set -e
assert_eq 42 "$rc" "exit from a thread: status"
assert_eq 300 "$(opens "$T/r-et" "$T/et/f")" "exit from a thread: sessions before it"
assert_eq 1 "$(field "$T/r-et" exited)" "exit from a thread: recorded as an exit"
assert_eq 0 "$(field "$T/r-et" dropped)" "exit from a thread: events lost"
