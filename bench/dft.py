#!/usr/bin/python3
"""dft.py FILE [NREADS] [SIZE] — the Python half of DFTracer's microbenchmark: one
process opens FILE, reads NREADS (1000) blocks of SIZE (4096) bytes, closes it.
Unbuffered, so each read is one read(2), as in the C version (bench/ptb-io.c dft)."""
import sys


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 4096
    with open(path, "rb", buffering=0) as f:
        for _ in range(n):
            if len(f.read(size)) != size:
                sys.exit("short read")


if __name__ == "__main__":
    main()
