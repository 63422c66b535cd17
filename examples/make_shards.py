#!/usr/bin/python3
"""make_shards.py DATA_DIR [N] — write N synthetic training shards (data/shard-000.npz ...)
for train_pool.py, plus data/unused.npz, which the training job never reads."""
import os
import sys

import numpy as np


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    rng = np.random.default_rng(1234)
    os.makedirs(out, exist_ok=True)
    w_true = rng.normal(size=32)
    for i in range(n):
        x = rng.normal(size=(256, 32))
        y = x @ w_true + 0.1 * rng.normal(size=256)
        np.savez(os.path.join(out, "shard-%03d.npz" % i), x=x, y=y)
    np.savez(os.path.join(out, "unused.npz"), x=np.zeros((4, 32)), y=np.zeros(4))


if __name__ == "__main__":
    main()
