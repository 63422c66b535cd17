#!/bin/sh
# uring.sh — RELIABILITY 4: file I/O through io_uring is done by the kernel, past every
# wrapper.  A program that writes and reads a file through a ring runs unaffected, and
# the run says what it could not see: exactly one io-uring gap for that process, however
# many rings it set up and however the ring showed (liburing's io_uring_queue_init,
# syscall(SYS_io_uring_setup), or, for inline system calls, the ring still open at the
# exit), listed with the process by provtrace stat (text and JSON) and the export.
. "${top_srcdir:-.}/tests/lib.sh"

uring="$PROG/uring"
line='written through a ring'

# the kernel may refuse io_uring altogether (a seccomp profile, kernel.io_uring_disabled)
set +e
"$uring" asm "$T/probe" >/dev/null 2>"$T/probe.err"
prc=$?
set -e
[ "$prc" != 77 ] || skip "$(cat "$T/probe.err")"
assert_eq 0 "$prc" "the program untraced ($(cat "$T/probe.err"))"

check() {   # check MODE HOW: one traced run of the program in MODE
	mode=$1 how=$2
	D=$(cd "$T" && pwd -P)/$mode
	mkdir "$D"
	ptrun "$mode" "$uring" "$mode" "$D/f"
	assert_eq 0 "$rc" "$mode: exit status ($(cat "$T/$mode.err"))"
	assert_eq "ok 23" "$(cat "$T/$mode.out")" "$mode: the program's output"
	assert_eq "$line" "$(cat "$D/f")" "$mode: the file the ring wrote"
	pid=$(ev procs -f pid)
	detail="$how: the ring's file operations are not recorded"
	# one gap, of the program's only image, whatever else showed the ring
	assert_eq "1 9 $detail" "$(ev rec GAP -f proc,kind,detail)" "$mode: GAP records (proc kind detail)"
	assert_eq 1 "$(stat_of gaps)" "$mode: gaps in provtrace stat"
	# the file's session is there, opened and closed by the wrappers; its bytes are not
	assert_eq "OPEN 0 0" "$(ev sess "$D/f" -f via,rbytes,wbytes)" "$mode: the session of the file"

	provtrace-stat --json "$RUN" | "$PY" -c '
import json, sys
for g in json.load(sys.stdin)["gap_list"]:
    print(g["pid"], g["exe"], g["kind"], g["kind_number"], g["detail"], sep="|")' >"$T/$mode.gaps"
	assert_eq "$pid|$top_builddir/tests/prog/uring|io-uring|9|$detail" "$(cat "$T/$mode.gaps")" \
		"$mode: stat --json gap_list (pid|exe|kind|number|detail)"
	provtrace-stat "$RUN" >"$T/$mode.stat"
	assert_eq "gaps       1: what the shim could not see, by kind and process
  io-uring (1): the process set up an io_uring ring: the file operations it submits there are not seen
    pid $pid $top_builddir/tests/prog/uring: $detail" \
		"$(sed -n '/^gaps /,/^index /p' "$T/$mode.stat" | sed '$d')" "$mode: provtrace stat's gaps"

	provtrace-export -q -f ntriples -o "$T/$mode.nt" "$RUN"
	"$PY" - "$T/$mode.nt" >"$T/$mode.q" <<'EOF'
import sys, rdflib
g = rdflib.Graph()
g.parse(sys.argv[1], format="nt")
q = """PREFIX pt: <https://w3id.org/provtrace/ns#>
SELECT ?pid ?exe ?n ?kind ?detail WHERE {
  ?g a pt:CoverageGap ; pt:gapKind ?kind ; pt:detail ?detail ; pt:process ?p .
  ?p pt:pid ?pid ; pt:executable ?exe ; pt:coverageGaps ?n }"""
for r in g.query(q):
    print("|".join(str(x) for x in r))
EOF
	assert_eq "$pid|file://$top_builddir/tests/prog/uring|1|io-uring|$detail" "$(cat "$T/$mode.q")" \
		"$mode: the export's gap and its process (pid|exe|gaps|kind|detail)"
}

# two rings through liburing, one left open at the exit
if "$uring" liburing "$T/probe2" >/dev/null 2>&1; then
	check liburing io_uring_queue_init
else
	liburing_missing=1
fi
# two rings set up and entered through syscall()
check syscall 'syscall(SYS_io_uring_setup)'
# inline system calls only: the ring open at the exit is all there is to see
check asm 'descriptor 3 open at the exit'

# a program that never touches io_uring has no such gap
ptrun plain /bin/cat "$T/asm/f"
assert_eq 0 "$(ev rec GAP)" "GAP records of a program without a ring"

[ -z "${liburing_missing:-}" ] ||
	skip "liburing mode not run: tests/prog/uring was built without liburing (install liburing-dev: scripts/install-deps.sh)"
