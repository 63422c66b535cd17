#!/bin/sh
# twonode.sh — two nodes simulated on one machine: two collectors with their own node
# names, spools and sockets, ranks 0-1 recording on "nodea" and 2-3 on "nodeb", each node
# leaving its store in the run directory.  The merged stat sees both nodes and every
# pair's traffic; lineage crosses from one node to the other through MPI alone (a
# broadcast from rank 0 on nodea reaches rank 2 on nodeb).
. "$top_srcdir/tests/mpi/mlib.sh"

D="$T/data"
mpiprog_data "$D"
RUN="$T/run"
node_start a nodea "$RUN"
node_start b nodeb "$RUN"
# each rank picks its node's collector; the shell that picks runs untraced
$MPIRUN -np 4 /bin/sh -c '
	if [ "$OMPI_COMM_WORLD_RANK" -lt 2 ]; then n=a; else n=b; fi
	exec env LD_PRELOAD="$1" PROVTRACE_SPOOL="$2/$n/sp" PROVTRACE_SOCKET="$2/$n/c.sock" \
		PROVTRACE_HOST="node$n" "$3" "$4"' sh "$SHIM" "$T" "$MPIDIR/mpiprog" "$D" \
	>"$T/out" 2>&1 || fail "mpirun: $(tail -5 "$T/out")"
node_stop a
node_stop b
assert_eq ok "$(cat "$T/out")" "the program's output"
assert_eq "nodea.mdb nodeb.mdb" "$(cd "$RUN/nodes" && ls *.mdb | tr '\n' ' ' | sed 's/ $//')" "a store per node"

# merged: both nodes, their processes and ranks, and every pair's traffic
assert_eq "2 2 4" "$(mpi_stat nodes) $(mpi_stat mpi_nodes) $(mpi_stat mpi_ranks)" "nodes, nodes with ranks, ranks"
for n in nodea nodeb; do
	LOG="$T/$n.jsonl"
	provtrace-dump --log "$RUN/nodes/$n.mdb" >"$LOG"
	assert_eq "2" "$(ev rec MPI_INIT)" "ranks recorded on $n"
	assert_eq "$n" "$(ev rec C_PROC -f host | sort -u)" "host of the processes of $n"
done
assert_eq "$MPIPROG_PEERS" "$(mpi_peers)" "messages and bytes per pair, across the nodes"

# lineage: within a node, and across the two
assert_eq "a.in" "$(lineage_in "$D" --ancestors "$D/b.out")" "b.out (0 -> 1 on nodea)"
assert_eq "c.in" "$(lineage_in "$D" --ancestors "$D/d.out")" "d.out (2 -> 3 on nodeb)"
assert_eq "a.in c.in e.in" "$(lineage_in "$D" --ancestors "$D/f.out")" "f.out on nodeb: e.in from nodea by a broadcast"
assert_eq "b.out f.out h.out io.dat" "$(lineage_in "$D" --descendants "$D/a.in")" "what a.in of nodea became on both nodes"
assert_eq "h.out" "$(lineage_in "$D" --descendants "$D/g.in")" "g.in reached no other rank"
