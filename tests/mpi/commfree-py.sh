#!/bin/sh
# commfree-py.sh — issue 20 as mpi4py users meet it (commfree.sh for the C side): a
# pickled allreduce on a duplicate of the world, which mpi4py runs on a duplicate of its
# own and frees from an attribute delete callback inside MPI_Comm_free, then splits in
# reverse rank order, at 3, 4 and 5 ranks.
. "$top_srcdir/tests/mpi/mlib.sh"

/usr/bin/python3 -c 'import mpi4py.MPI' 2>/dev/null ||
	skip "/usr/bin/python3 cannot import mpi4py (apt-get install python3-mpi4py)"

# mpi4py's pickled allreduce runs on a duplicate it frees from an
# attribute delete callback.  The buffer messages are exact; the allreduce adds, on the
# edges of mpi4py's own tree, a 4-byte length and a 5-byte pickle per round: each pair
# carries the buffer traffic plus 0, 1 or 2 such edges (3 rounds: 6 messages, 27 bytes
# each), and every pair's sends match its receives, no rank sending to itself
for N in 3 4 5; do
	ptrun "py$N" $MPIRUN -np $N /usr/bin/python3 "$top_srcdir/tests/mpi/commfree_job.py"
	assert_eq 0 "$rc" "mpi4py, $N ranks: mpirun's status (stderr: $(tail -5 "$T/py$N.err"))"
	bad=$(mpi_peers | "$PY" -c '
import sys
n = int(sys.argv[1])
buf = {}
for r in range(n):
    for a, b, size in ((r, (r + 1) % n, 8), (r, (r - 1) % n, 4), (r, (r - 1) % n, 4)):
        m = buf.setdefault((a, b), [0, 0])
        m[0] += 3
        m[1] += 3 * size
seen = set()
for line in sys.stdin:
    r, p, sm, sb, rm, rb = map(int, line.split())
    seen.add((r, p))
    for (a, b), (m, by) in (((r, p), (sm, sb)), ((p, r), (rm, rb))):
        em, eb = buf.get((a, b), [0, 0])
        k = (m - em) // 6
        if m - em != 6 * k or by - eb != 27 * k or k not in (0, 1, 2):
            print("%d->%d: %d messages %d bytes, buffer part %d/%d" % (a, b, m, by, em, eb))
for (a, b) in buf:
    if (a, b) not in seen and (b, a) not in seen:
        print("%d->%d: missing" % (a, b))' "$N")
	assert_eq "" "$bad" "mpi4py, $N ranks: each pair's traffic (buffer messages plus allreduce edges)"
	assert_eq "True 0" "$(mpi_stat mpi_consistent) $(mpi_stat mpi_self_messages)" \
		"mpi4py, $N ranks: consistent, no rank sent to itself"
done
