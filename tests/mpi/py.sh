#!/bin/sh
# py.sh — an mpi4py program with 4 ranks under provtrace run (RELIABILITY 15): buffer and
# pickled messages (mpi4py receives pickles with a matched probe), pickled and buffer
# collectives, MPI-IO; exact messages and bytes per pair, lineage across a receive from
# any source and across a pickled broadcast, none where no data flowed.
. "$top_srcdir/tests/mpi/mlib.sh"

/usr/bin/python3 -c 'import mpi4py.MPI, numpy' 2>/dev/null ||
	skip "/usr/bin/python3 cannot import mpi4py and numpy (apt-get install python3-mpi4py)"

D="$T/data"
mkdir "$D"
head -c 4096 /dev/urandom >"$D/a.in"
head -c 1024 /dev/urandom >"$D/c.in"
head -c 256 /dev/urandom >"$D/e.in"
head -c 100 /dev/urandom >"$D/g.in"

ptrun py $MPIRUN -np 4 /usr/bin/python3 "$top_srcdir/tests/mpi/mpi4py_job.py" "$D"
assert_eq 0 "$rc" "mpirun's status (stderr: $(tail -5 "$T/py.err"))"
assert_eq ok "$(cat "$T/py.out")" "the program's output"
assert_eq "0 1 2 3" "$(ev rec MPI_INIT size=4 -f rank | sort -n | tr '\n' ' ' | sed 's/ $//')" "ranks"
# mpi4py asks for MPI_THREAD_MULTIPLE: the counters are then updated atomically
assert_eq "4" "$(ev rec MPI_INIT how=1 thread=3)" "MPI_Init_thread, multiple threads"

# the pickle of {"c": 1024 bytes} as mpi4py sends it; mpi4py's pickled allreduce is a
# reduction over point-to-point messages (a 4-byte length, then a 5-byte pickle on each
# edge) and a pickled broadcast (two MPI_Bcast: the length, then the pickle)
pk=$(/usr/bin/python3 -c 'from mpi4py import MPI; print(len(MPI.pickle.dumps({"c": bytes(1024)})))')
want="0 1 1 4096 2 9
0 2 0 0 2 9
0 3 1 800 0 0
1 0 2 9 1 4096
1 3 0 0 2 9
2 0 2 9 0 0
2 3 1 $pk 2 9
3 0 0 0 1 800
3 1 2 9 0 0
3 2 2 9 1 $pk"
assert_eq "$want" "$(mpi_peers)" "messages and bytes per pair of ranks"
assert_eq "11 $((4096 + 800 + pk + 4 * 9)) 11" "$(mpi_stat mpi_messages_sent) $(mpi_stat mpi_bytes_sent) $(mpi_stat mpi_messages_received)" "point-to-point totals"
assert_eq '{"allreduce": 4, "barrier": 20, "bcast": 20}' "$(mpi_stat mpi_collectives)" "collective calls"
assert_eq "4 1000 1" "$(ev rec MPI_FCLOSE -f wbytes,wops | uniq -c | awk '{print $1, $2, $3}')" "MPI-IO sessions"

assert_eq "a.in" "$(lineage_in "$D" --ancestors "$D/b.out")" "b.out came from a.in (receive from any source)"
assert_eq "c.in" "$(lineage_in "$D" --ancestors "$D/d.out")" "d.out came from c.in (pickled, matched probe)"
assert_eq "a.in c.in e.in" "$(lineage_in "$D" --ancestors "$D/f.out")" "f.out: e.in by a pickled broadcast"
assert_eq "a.in c.in e.in g.in" "$(lineage_in "$D" --ancestors "$D/h.out")" "h.out"
assert_eq "h.out" "$(lineage_in "$D" --descendants "$D/g.in")" "g.in reached no other rank"
assert_eq "b.out f.out h.out io.dat" "$(lineage_in "$D" --descendants "$D/a.in")" "what a.in became"
