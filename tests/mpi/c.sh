#!/bin/sh
# c.sh — a C MPI program with 4 ranks under provtrace run: the exact messages and bytes of
# every pair of ranks, every collective, MPI-IO per file, communicator ranks translated to
# MPI_COMM_WORLD, and lineage across a send/recv and a broadcast, none where no data
# flowed.  The shim itself never needs libmpi.
. "$top_srcdir/tests/mpi/mlib.sh"

# the shim names no MPI symbol it does not define: a program without MPI never loads it
und=$(nm -D --undefined-only "$SHIM" | grep -ci mpi || true)
assert_eq 0 "$und" "MPI symbols the shim needs from elsewhere"
ptrun nompi /bin/cat /proc/self/maps
grep -q libmpi "$T/nompi.out" && fail "a program without MPI loaded libmpi under the shim"

D="$T/data"
mpiprog_data "$D"

ptrun c $MPIRUN -np 4 "$MPIDIR/mpiprog" "$D"
assert_eq 0 "$rc" "mpirun's status (stderr: $(tail -5 "$T/c.err"))"
assert_eq ok "$(cat "$T/c.out")" "the program's output"

# ---- ranks: one job, four ranks, each tied to its process image
assert_eq "4" "$(ev rec MPI_INIT size=4)" "MPI_INIT records"
assert_eq "1" "$(ev rec MPI_INIT -f job,size | sort -u | wc -l)" "one job name in every rank"
assert_eq "0 1 2 3" "$(ev rec MPI_INIT -f rank | sort -n | tr '\n' ' ' | sed 's/ $//')" "ranks"
assert_eq "4" "$(ev rec MPI_FINI dropped=0)" "MPI_FINI records, nothing lost"
assert_eq "4" "$(mpi_stat mpi_ranks)" "stat: ranks"
assert_eq "1" "$(mpi_stat mpi_nodes)" "stat: nodes"
assert_eq "1" "$(mpi_stat mpi_jobs)" "stat: jobs"
# the forked child of rank 2 wrote no MPI record
assert_eq "4" "$(ev rec MPI_P2P -f proc | sort -u | wc -l)" "images with point-to-point records"

# ---- point to point, per pair: rank peer sent(msgs bytes) received(msgs bytes); every
# kind of completion (Wait, Waitall, Waitany, Testsome) and of send
want=$MPIPROG_PEERS
assert_eq "$want" "$(mpi_peers)" "messages and bytes per pair of ranks"
assert_eq "True 0" "$(mpi_stat mpi_consistent) $(mpi_stat mpi_self_messages)" \
	"every pair's sends match its receives; no rank sent to itself"
assert_eq "16 5572 16 5572" "$(mpi_stat mpi_messages_sent) $(mpi_stat mpi_bytes_sent) $(mpi_stat mpi_messages_received) $(mpi_stat mpi_bytes_received)" "point-to-point totals"
assert_eq '{"irecv": {"bytes": 1072, "messages": 5}, "isend": {"bytes": 1056, "messages": 3}, "recv": {"bytes": 4372, "messages": 5}, "send": {"bytes": 4388, "messages": 7}, "sendrecv-recv": {"bytes": 128, "messages": 6}, "sendrecv-send": {"bytes": 128, "messages": 6}}' \
	"$(mpi_stat mpi_p2p)" "point to point per kind (persistent sends count as isend)"

# ---- collectives: calls per operation over the ranks, bytes as the buffers describe them
assert_eq '{"allgather": 4, "allgatherv": 4, "allreduce": 4, "alltoall": 4, "barrier": 28, "bcast": 8, "exscan": 4, "gather": 4, "gatherv": 4, "iallreduce": 4, "ibcast": 4, "reduce": 4, "reduce_scatter": 4, "reduce_scatter_block": 4, "scan": 4, "scatter": 4}' \
	"$(mpi_stat mpi_collectives)" "collective calls"
assert_eq "92 856 1324" "$(mpi_stat mpi_collective_calls) $(mpi_stat mpi_collective_bytes_sent) $(mpi_stat mpi_collective_bytes_received)" "collective totals"
# the root of each rooted operation, as a world rank: bcast from 0 in MPI_COMM_WORLD
assert_eq "4" "$(ev rec MPI_COLL comm=0 op=2 root=0 calls=1)" "bcast records of root 0"
assert_eq "4" "$(ev rec MPI_COLL comm=0 op=3 root=1 calls=1)" "reduce records of root 1"

# ---- the split: its members as world ranks, and its traffic under world ranks (above)
assert_eq "2 0,2
2 1,3" "$(ev rec MPI_COMM comm=1 -f ranks | sort | uniq -c | awk '{print $1, $2}')" "members of the halves"

# ---- MPI-IO: a session per rank per open, as the ranks asked
assert_eq "4 1000 1 0 0
4 0 0 1000 2" "$(ev rec MPI_FCLOSE -f wbytes,wops,rbytes,rops | sort -r | uniq -c | awk '{print $1, $2, $3, $4, $5}')" "MPI-IO sessions (bytes, ops)"
assert_eq "8" "$(ev rec MPI_FOPEN path="$D/io.dat")" "MPI-IO opens of io.dat"

# ---- lineage across MPI
assert_eq "a.in" "$(lineage_in "$D" --ancestors "$D/b.out")" "b.out came from a.in (send/recv)"
assert_eq "c.in" "$(lineage_in "$D" --ancestors "$D/d.out")" "d.out came from c.in (isend/irecv)"
assert_eq "a.in c.in e.in" "$(lineage_in "$D" --ancestors "$D/f.out")" "f.out: the broadcast of e.in, and what rank 2 had"
assert_eq "a.in c.in e.in" "$(lineage_in "$D" --ancestors "$D/io.dat")" "io.dat: what its writers had"
assert_eq "a.in c.in e.in g.in io.dat" "$(lineage_in "$D" --ancestors "$D/h.out")" "h.out"
assert_eq "b.out f.out h.out io.dat" "$(lineage_in "$D" --descendants "$D/a.in")" "what a.in became"
assert_eq "f.out h.out io.dat" "$(lineage_in "$D" --descendants "$D/e.in")" "what e.in became"
# g.in was read after rank 3's last message: nothing of it reached another rank
assert_eq "h.out" "$(lineage_in "$D" --descendants "$D/g.in")" "g.in reached no other rank"

# ---- trace mode: one record per message, per collective call, per MPI-IO operation,
# and the same counts
rm -f "$D"/*.out "$D"/io.dat*
PROVTRACE_TRACE=1 ptrun trace $MPIRUN -np 4 "$MPIDIR/mpiprog" "$D"
assert_eq 0 "$rc" "mpirun's status in trace mode"
assert_eq "32 92 12" "$(ev rec MPI_MSG) $(ev rec MPI_CALL) $(ev rec MPI_FIO)" "per-call records (MPI_MSG, MPI_CALL, MPI_FIO)"
assert_eq "$want" "$(mpi_peers)" "messages and bytes per pair in trace mode"
