#!/bin/sh
# killn.sh — SIGKILL after N writes: a child makes N write sessions, then N writes on a
# descriptor it never closes, tells its parent, and is killed with SIGKILL.  Every
# session and every byte whose call returned before the kill is in the store.
. "${top_srcdir:-.}/tests/lib.sh"

N=1000
D=$(cd "$T" && pwd -P)/d
mkdir "$D"
ptrun killn "$PROG/killn" "$D" "$N"
assert_eq 0 "$rc" "exit status"
pid=$(cat "$T/killn.out")
child=$(ev procs pid="$pid" -f proc)
assert_eq 2 "$child" "the child's process record"
# the N sessions: one per file, each with its 10 bytes, each closed by its CLOSE
assert_eq "$N 2 10 1 CLOSE" "$(ev sess "$D/w*" -f proc,wbytes,wops,end | sort | uniq -c | sed 's/^ *//')" \
	"the write sessions (count proc wbytes wops end)"
assert_eq "$N" "$(ev sess "$D/w*" -f path | sort -u | wc -l | tr -d ' ')" "distinct files written"
# the descriptor left open: its counters came from the dead image's session table
assert_eq "C_SESS_END $((7 * N)) $N table" "$(ev sess "$D/open" -f end,wbytes,wops,how)" \
	"the unclosed session (end wbytes wops how)"
# killed: state 3 (died), status from its parent's WAIT; nothing torn or lost
assert_eq "$pid 9" "$(ev rec WAIT proc=1 -f pid,status)" "WAIT record of the parent"
assert_eq "- 3 0 0 0" "$(ev procs proc="$child" -f exit_how,state,dropped,torn,corrupt)" \
	"the child (exit_how state dropped torn corrupt)"
# (and the pid the parent printed to its standard output, the file $T/killn.out)
assert_eq "1 0 0 $((10 * N + 7 * N + $(wc -c <"$T/killn.out")))" \
	"$(stat_of killed dropped corrupt bytes_written)" "stat: killed dropped corrupt bytes_written"
