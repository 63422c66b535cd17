#!/bin/sh
# rank-kill.sh — issue 19 part 4: nodeb's ranks killed (SIGKILL) after the messages of
# phase 1, before any event of theirs that would have written the counters into a record.
# The counters live in a file beside each rank's region (collector/region.h), which the
# collector reads when it finishes the region: every message of phase 1 is in the record,
# on both sides, for the killed ranks and for nodea's, which Open MPI then kills.  Before:
# the killed ranks' traffic was not in the record at all.
. "$top_srcdir/tests/hosts/hlib.sh"

host_up nodea nodeb
phases_run
between_phases "$D" 4
r=$(host_pids_of nodeb python3)
assert_eq 2 "$(echo "$r" | wc -w)" "ranks found on nodeb"
kill -9 $r
phases_wait
assert_eq 137 "$rc" "provtrace run's status: mpirun's, a rank was killed"
assert_eq "provtrace: run recorded in $RUN" "$(tail -1 "$T/err")" "provtrace run's last line"
assert_eq "2 True 0" "$(mpi_stat nodes) $(mpi_stat complete) $(mpi_stat running)" \
	"nodes, complete, processes still running"
assert_eq "$PHASE1_PEERS" "$(mpi_peers)" "every pair's traffic of phase 1, killed ranks included"
assert_eq "True 0" "$(mpi_stat mpi_consistent) $(mpi_stat mpi_self_messages)" \
	"every pair's sends match its receives"
for h in nodea nodeb; do
	assert_eq "" "$(node_local $h)" \
		"node-local files left on $h (regions and their MPI counters)"
done
