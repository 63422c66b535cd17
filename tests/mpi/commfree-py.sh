#!/bin/sh
# commfree-py.sh — issue 20 as mpi4py users meet it (commfree.sh for the C side): pickled
# collectives on duplicated intra- and intercommunicators, whose private copies mpi4py
# frees from attribute delete callbacks inside MPI_Comm_free, a half freed from the
# program's own callback, then splits in reverse rank order, at 3, 4 and 5 ranks: the
# exact messages and bytes of every pair of ranks, consistent, no rank sending to itself.
. "$top_srcdir/tests/mpi/mlib.sh"

/usr/bin/python3 -c 'import mpi4py.MPI' 2>/dev/null ||
	skip "/usr/bin/python3 cannot import mpi4py (apt-get install python3-mpi4py)"

for N in 3 4 5; do
	ptrun "py$N" $MPIRUN -np $N /usr/bin/python3 "$top_srcdir/tests/mpi/commfree_job.py"
	assert_eq 0 "$rc" "mpi4py, $N ranks: mpirun's status (stderr: $(tail -5 "$T/py$N.err"))"
	assert_eq ok "$(cat "$T/py$N.out")" "mpi4py, $N ranks: the program's output"
	# what commfree_job.py sends, per its docstring: a pickled object is a 4-byte length
	# and a 5-byte pickle; mpi4py's reduce sends from local rank i to i with each of its
	# set bits cleared, the intercommunicator's then from the group's local rank 0 to the
	# root
	want=$("$PY" - "$N" <<'PY'
import sys
n = int(sys.argv[1])
h = n // 2
sent = {}
def msg(a, b, size):
    m = sent.setdefault((a, b), [0, 0])
    m[0] += 1
    m[1] += size
def obj(a, b):
    msg(a, b, 4)
    msg(a, b, 5)
def reduce(group):
    for i in range(1, len(group)):
        for b in range(i.bit_length()):
            if i >> b & 1:
                obj(group[i], group[i & ~(1 << b)])
low = list(range(h))[::-1]
high = list(range(h, n))[::-1]
for _ in range(3):
    reduce(list(range(n)))
    for r in range(n):
        msg(r, (r + 1) % n, 8)
    for g in (low, high):
        if len(g) > 1:
            for j in range(len(g)):
                msg(g[j], g[(j + 1) % len(g)], 2)
    reduce(low)
    obj(low[0], high[-1])
    reduce(high)
    obj(high[0], low[-1])
    for r in range(n):
        msg(r, (r - 1) % n, 4)
        msg(r, (r - 1) % n, 4)
for r in range(n):
    for p in range(n):
        s = sent.get((r, p), [0, 0])
        g = sent.get((p, r), [0, 0])
        if s != [0, 0] or g != [0, 0]:
            print(r, p, s[0], s[1], g[0], g[1])
PY
)
	assert_eq "$want" "$(mpi_peers)" "mpi4py, $N ranks: messages and bytes per pair of ranks"
	assert_eq "True 0 []" "$(mpi_stat mpi_consistent) $(mpi_stat mpi_self_messages) $(mpi_stat mpi_mismatches)" \
		"mpi4py, $N ranks: the sends of every pair match its receives, no rank sent to itself"
done
