#!/usr/bin/python3
"""mp_start.py METHOD DATA OUT [N] — N workers started by multiprocessing's METHOD (fork,
spawn, forkserver) each load one shard, send its sum back through a queue and leave
through os._exit; the parent writes the sums to OUT.  For tests/ml/mp-start.sh."""
import glob
import multiprocessing as mp
import os
import sys

import numpy as np


def work(path, q):
    with np.load(path) as d:
        total = float(d["x"].sum() + d["y"].sum())
    q.put((path, total))
    q.close()
    q.join_thread()
    os._exit(0)


def main():
    method, data, out = sys.argv[1], sys.argv[2], sys.argv[3]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    shards = sorted(glob.glob(os.path.join(data, "shard-*.npz")))[:n]
    ctx = mp.get_context(method)
    q = ctx.Queue()
    procs = [ctx.Process(target=work, args=(s, q)) for s in shards]
    for p in procs:
        p.start()
    results = sorted(q.get() for _ in procs)
    for p in procs:
        p.join()
        if p.exitcode != 0:
            sys.exit("worker %d: exit code %s" % (p.pid, p.exitcode))
    with open(out, "w") as f:
        for path, total in results:
            f.write("%s %.6f\n" % (os.path.basename(path), total))
    print(len(results))


if __name__ == "__main__":
    main()
