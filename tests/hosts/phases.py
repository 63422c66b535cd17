"""phases.py DIR — an MPI job in two phases, for the multi-host tests: a test acts on the
nodes between them.

Phase 1, rank r of N: reads DIR/in.r (64 bytes) and writes them to DIR/one.r; sends them
to rank r+1 (mod N) and receives rank r-1's (tag 1); says it is between the phases by
setting the time of DIR/ready.r (utimensat: no event, so that the traffic of phase 1 is in
no record yet); waits until DIR/go exists.
Phase 2: sends the first 32 bytes it received to r+1 and receives r-1's (tag 2); writes
what it received in both phases (96 bytes) to DIR/two.r.  Prints "ok" on rank 0.
Each pair (r, r+1) carries one 64-byte message, then one of 32 bytes.
"""
import os
import sys
import time

from mpi4py import MPI

d = sys.argv[1]
w = MPI.COMM_WORLD
r, n = w.Get_rank(), w.Get_size()

with open(os.path.join(d, "in.%d" % r), "rb") as f:
    out = bytearray(f.read(64))
with open(os.path.join(d, "one.%d" % r), "wb") as f:
    f.write(out)
got = bytearray(64)
w.Sendrecv(out, dest=(r + 1) % n, sendtag=1, recvbuf=got, source=(r - 1) % n, recvtag=1)
os.utime(os.path.join(d, "ready.%d" % r))
for _ in range(1200):
    if os.path.exists(os.path.join(d, "go")):
        break
    time.sleep(0.05)
got2 = bytearray(32)
w.Sendrecv(got[:32], dest=(r + 1) % n, sendtag=2, recvbuf=got2, source=(r - 1) % n, recvtag=2)
with open(os.path.join(d, "two.%d" % r), "wb") as f:
    f.write(got + got2)
w.Barrier()
if r == 0:
    print("ok")
