#!/bin/sh
# report-mpi.sh — provtrace report on a real 4-rank Open MPI run of tests/mpi/mpiprog,
# opened in headless Chromium: the tree holds every process (mpirun, its helpers, the
# ranks), the MPI matrix holds exactly the program's known traffic (MPIPROG_PEERS: the
# messages and bytes each rank sent each peer), the timeline has a row per rank; no
# console message, no request to the network; screenshot tests/rdf/report-mpi.png.
. "$top_srcdir/tests/mpi/mlib.sh"

command -v provtrace-report >/dev/null || skip "provtrace-report is not built (no libgvc)"
. "$top_srcdir/tests/rdf/chrome.sh"

D="$T/data"
mpiprog_data "$D"
ptrun c $MPIRUN -np 4 "$MPIDIR/mpiprog" "$D"
assert_eq 0 "$rc" "mpirun's status (stderr: $(tail -5 "$T/c.err"))"
assert_eq ok "$(cat "$T/c.out")" "the program's output"

provtrace report -q -o "$T/mpi.html" "$RUN"
rm -f "$top_builddir/tests/rdf/report-mpi.png"
chrome mpi "$T/mpi.html" "$top_builddir/tests/rdf/report-mpi.png"
[ -s "$top_builddir/tests/rdf/report-mpi.png" ] || fail "no screenshot"

assert_eq "$(ev procs -f pid | sort -n)" "$($RCHECK pids "$T/mpi.dom" | sort -n)" \
	"pids in the process tree"
assert_eq 4 "$(grep -c '<span class="pid">rank [0-3]</span>' "$T/mpi.dom")" "ranks in the tree"
# each cell: what the sending rank counted it sent to that peer
want=$(printf '%s\n' "$MPIPROG_PEERS" | awk '$3 > 0 { print $1, $2, $3, $4 }')
assert_eq "$want" "$($RCHECK mpi "$T/mpi.dom")" "cells of the MPI matrix"
grep -q '<h3>job <code>[^<]*</code>: 4 ranks</h3>' "$T/mpi.dom" || fail "no 4-rank job heading"
for r in 0 1 2 3; do
	grep -q ">$(hostname) rank $r<" "$T/mpi.dom" || fail "no timeline row for rank $r"
done
assert_eq "" "$(grep CONSOLE "$T/mpi.err" || true)" "console messages"
assert_eq "" "$($RCHECK net "$T/mpi.net")" "network requests"
exit 0
