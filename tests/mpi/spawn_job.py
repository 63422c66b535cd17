"""spawn_job.py — MPI_Comm_spawn through mpi4py, from a singleton (no mpirun: the MPI
library starts its own daemon, which starts the children), for tests/mpi/spawn.sh.

    python3 spawn_job.py DIR

The parent reads DIR/a.in, spawns 2 processes of this script ("child DIR") through
MPI.COMM_SELF, sends each a pickled int, and prints "ok".  Child r writes DIR/p.r:
"r VALUE", r its rank in its own MPI_COMM_WORLD.
"""
import os
import sys

from mpi4py import MPI

parent = MPI.Comm.Get_parent()
if parent == MPI.COMM_NULL:
    d = sys.argv[1]
    with open(os.path.join(d, "a.in"), "rb") as f:
        f.read()
    inter = MPI.COMM_SELF.Spawn(sys.executable, args=[__file__, "child", d], maxprocs=2)
    for r in range(2):
        inter.send(7, dest=r)
    inter.Disconnect()
    print("ok")
else:
    d = sys.argv[2]
    r = MPI.COMM_WORLD.Get_rank()
    v = parent.recv(source=0)
    with open(os.path.join(d, "p.%d" % r), "w") as f:
        f.write("%d %d\n" % (r, v))
    parent.Disconnect()
