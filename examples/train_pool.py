#!/usr/bin/python3
"""train_pool.py DATA_DIR CKPT_DIR [EPOCHS] [WORKERS] — a small data-parallel training
loop in the shape of a real one: a multiprocessing Pool's workers load the shards and
compute gradients, the parent averages them, updates a linear model and writes a
checkpoint per epoch through a temporary file and os.replace."""
import glob
import multiprocessing as mp
import os
import sys

import numpy as np


def gradient(args):
    path, w = args
    with np.load(path) as d:
        x, y = d["x"], d["y"]
    err = x @ w - y
    return x.T @ err / len(y), float(np.mean(err ** 2))


def save(path, w, epoch, loss):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        np.savez(f, w=w, epoch=epoch, loss=loss)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main():
    data, ckpt = sys.argv[1], sys.argv[2]
    epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    shards = sorted(glob.glob(os.path.join(data, "shard-*.npz")))
    os.makedirs(ckpt, exist_ok=True)
    w = np.zeros(32)
    with mp.get_context("fork").Pool(workers) as pool:
        for epoch in range(1, epochs + 1):
            results = pool.map(gradient, [(s, w) for s in shards])
            grad = np.mean([g for g, _ in results], axis=0)
            loss = float(np.mean([l for _, l in results]))
            w -= 0.5 * grad
            save(os.path.join(ckpt, "model-%d.pt" % epoch), w, epoch, loss)
            print("epoch %d loss %.5f" % (epoch, loss), flush=True)


if __name__ == "__main__":
    main()
