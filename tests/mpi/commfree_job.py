"""commfree_job.py — issue 20 the way mpi4py meets it: a pickled allreduce runs on a
duplicate that mpi4py keeps as an attribute of the communicator and frees from the
attribute's delete callback, inside MPI_Comm_free (a free no wrapper sees); then
communicators in reverse rank order, which Open MPI may place at a freed one's handle.
For tests/mpi/commfree.sh.

Each rank r of N, ROUNDS times:
  A = a duplicate of the world; a pickled allreduce on it (mpi4py's own duplicate);
  one 8-byte buffer message to r+1 (mod N) on A; A freed, mpi4py's duplicate with it;
  two splits in reverse order (rank N-1-r): on each one 4-byte buffer message to the
  next rank of the split (world rank r-1 mod N); both freed.
Prints "ok" on rank 0.
"""
from mpi4py import MPI

ROUNDS = 3
w = MPI.COMM_WORLD
r, n = w.Get_rank(), w.Get_size()


def ring(comm, to, frm, size):
    out = bytearray(b"abcdefgh"[:size])
    got = bytearray(size)
    comm.Sendrecv(out, dest=to, sendtag=7, recvbuf=got, source=frm, recvtag=7)


for i in range(ROUNDS):
    a = w.Dup()
    assert a.allreduce(1) == n
    ring(a, (r + 1) % n, (r - 1) % n, 8)
    a.Free()
    c1 = w.Split(0, n - 1 - r)
    c2 = w.Split(0, n - 1 - r)
    cr, cs = c1.Get_rank(), c1.Get_size()
    assert cr == n - 1 - r
    ring(c1, (cr + 1) % cs, (cr - 1) % cs, 4)
    ring(c2, (cr + 1) % cs, (cr - 1) % cs, 4)
    (c1 if i % 2 else c2).Free()
    (c2 if i % 2 else c1).Free()

w.Barrier()
if r == 0:
    print("ok")
