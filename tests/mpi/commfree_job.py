"""commfree_job.py — issue 20 the way mpi4py meets it: mpi4py's pickled collectives run
on private copies of a communicator (a duplicate; for an intercommunicator, a duplicate
and an intracommunicator of the local group) that it keeps as an attribute and frees from
the attribute's delete callback, inside MPI_Comm_free, a free no wrapper sees; then
communicators in reverse rank order, which Open MPI may place at a freed one's handle.
For tests/mpi/commfree-py.sh, which models the traffic below.

mpi4py 3.1 sends a pickled object as two messages: its length (4 bytes), then the pickle
(5 bytes for an int under 256).  Its reduce to local rank 0 runs over the bits of the
rank from the lowest: local rank i sends its partial result to i with the bit cleared for
each bit set in i, not only the lowest (3 sends to 2, then to 1, which receives it after
its own send and drops it).  Its allreduce is that reduce, then an MPI_Bcast (a
collective: no messages of the program's).

N ranks, low half L = world ranks 0..N//2-1, high half H = the rest, each ordered from
its highest world rank down (local rank 0 is its highest).  Each rank r, ROUNDS times:
  A = a duplicate of the world; a pickled allreduce on it (the reduce over world ranks);
  one 8-byte message to r+1 (mod N) on A;
  its half split in reverse order; one 2-byte message to the next local rank on it
  (world r-1 within the half, wrapping) if the half has 2 ranks or more;
  I = an intercommunicator of the halves, D = its duplicate;
  a pickled reduce on I to H's last local rank (world N//2): L's reduce, then L's local
  rank 0 (world N//2-1) sends the sum to it; H's others pass MPI.PROC_NULL;
  a pickled reduce on D to L's last local rank (world 0): H's reduce, then world N-1
  sends;
  D freed; I freed, and with it mpi4py's copies and, from a delete callback of this
  program's, the half; A freed;
  two splits of the world in reverse order (rank N-1-r): on each one 4-byte message to
  the next rank of the split (world r-1 mod N); both freed.
Prints "ok" on rank 0.
"""
from mpi4py import MPI

ROUNDS = 3
w = MPI.COMM_WORLD
r, n = w.Get_rank(), w.Get_size()
h = n // 2
low = r < h
# frees the communicator set as the attribute when its holder is freed: a free nested in
# MPI_Comm_free, as mpi4py's own
FREES = MPI.Comm.Create_keyval(delete_fn=lambda comm, keyval, attr: attr.Free())


def ring(comm, to, frm, size):
    out = bytearray(b"abcdefgh"[:size])
    got = bytearray(size)
    comm.Sendrecv(out, dest=to, sendtag=7, recvbuf=got, source=frm, recvtag=7)


def reduce_to(comm, root, root_local):
    """The sum of the world ranks of the other group of intercommunicator COMM at
    world rank ROOT, local rank ROOT_LOCAL of its group."""
    if low != (root < h):
        return comm.reduce(r, op=MPI.SUM, root=root_local)
    return comm.reduce(r, op=MPI.SUM, root=MPI.ROOT if r == root else MPI.PROC_NULL)


for i in range(ROUNDS):
    a = w.Dup()
    assert a.allreduce(1) == n
    ring(a, (r + 1) % n, (r - 1) % n, 8)

    half = w.Split(int(low), -r)
    hr, hs = half.Get_rank(), half.Get_size()
    assert hr == (h - 1 - r if low else n - 1 - r)
    if hs > 1:
        ring(half, (hr + 1) % hs, (hr - 1) % hs, 2)
    # the remote leader is the other half's local rank 0, its highest world rank
    ic = half.Create_intercomm(0, w, n - 1 if low else h - 1, tag=11)
    ic.Set_attr(FREES, half)
    icd = ic.Dup()
    got = reduce_to(ic, h, n - h - 1)
    assert got == (sum(range(h)) if r == h else None)
    got = reduce_to(icd, 0, h - 1)
    assert got == (sum(range(h, n)) if r == 0 else None)
    icd.Free()
    ic.Free()
    assert half == MPI.COMM_NULL
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
