"""mpi4py_job.py — a 4-rank mpi4py program for tests/mpi/py.sh: pickled and buffer
point to point (blocking, nonblocking, a receive from any source), pickled and buffer
collectives, MPI-IO, and files read and written around them for lineage.

    mpirun -np 4 python3 mpi4py_job.py DIR

Phases are separated by barriers.  Prints "ok" from rank 0 at the end."""
import sys

import numpy as np
from mpi4py import MPI

comm = MPI.COMM_WORLD
rank = comm.Get_rank()
d = sys.argv[1]
assert comm.Get_size() == 4
comm.Barrier()

# buffers: 0 -> 1, a.in becomes b.out, the source from the status
if rank == 0:
    a = np.fromfile(d + "/a.in", dtype=np.uint8)
    comm.Send([a, MPI.BYTE], dest=1, tag=1)
elif rank == 1:
    buf = np.empty(4096, dtype=np.uint8)
    st = MPI.Status()
    comm.Recv([buf, MPI.BYTE], source=MPI.ANY_SOURCE, tag=1, status=st)
    assert st.Get_source() == 0
    buf.tofile(d + "/b.out")
# pickled objects: 2 -> 3, c.in becomes d.out (a matched probe receives it)
if rank == 2:
    with open(d + "/c.in", "rb") as f:
        comm.send({"c": f.read()}, dest=3, tag=2)
elif rank == 3:
    obj = comm.recv(source=2, tag=2)
    with open(d + "/d.out", "wb") as f:
        f.write(obj["c"])
comm.Barrier()

# nonblocking buffers, 800 bytes 0 -> 3
if rank == 0:
    comm.Isend([np.arange(100, dtype=np.float64), MPI.DOUBLE], dest=3, tag=3).Wait()
elif rank == 3:
    got = np.empty(100, dtype=np.float64)
    comm.Irecv([got, MPI.DOUBLE], source=0, tag=3).Wait()
    assert got[99] == 99.0
comm.Barrier()

# collectives: a pickled broadcast of e.in from 0 becomes f.out on 2
e = None
if rank == 0:
    with open(d + "/e.in", "rb") as f:
        e = f.read()
e = comm.bcast(e, root=0)
if rank == 2:
    with open(d + "/f.out", "wb") as f:
        f.write(e)
x = np.zeros(32, dtype=np.int64)
comm.Bcast([x, MPI.INT64_T], root=1)
assert comm.allreduce(rank) == 6
y = np.ones(8, dtype=np.float64)
comm.Allreduce(MPI.IN_PLACE, [y, MPI.DOUBLE], op=MPI.SUM)
assert y[0] == 4.0
comm.Barrier()

# MPI-IO: 1000 bytes per rank at its place
fh = MPI.File.Open(comm, d + "/io.dat", MPI.MODE_CREATE | MPI.MODE_WRONLY)
fh.Write_at_all(rank * 1000, np.full(1000, rank, dtype=np.uint8))
fh.Close()
comm.Barrier()

# g.in is read by rank 3 after its last message
if rank == 3:
    with open(d + "/g.in", "rb") as f, open(d + "/h.out", "wb") as o:
        o.write(f.read())
if rank == 0:
    print("ok")
