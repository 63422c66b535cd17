"""rdflib_serialize.py FILE.nt — the rdflib side of bench/export: parse the N-Triples
provtrace export wrote, then serialize the same graph as N-Triples and as Turtle, each
timed on its own; prints one JSON object (seconds, triples, peak RSS in KiB)."""
import json
import os
import resource
import sys
import time

import rdflib


def main():
    path = sys.argv[1]
    out = {"triples": 0}
    g = rdflib.Graph()
    t = time.perf_counter()
    g.parse(path, format="nt")
    out["parse_s"] = time.perf_counter() - t
    out["triples"] = len(g)
    for fmt, key in (("nt", "ntriples_s"), ("turtle", "turtle_s")):
        t = time.perf_counter()
        with open(os.devnull, "wb") as f:
            g.serialize(destination=f, format=fmt, encoding="utf-8")
        out[key] = time.perf_counter() - t
    out["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))


if __name__ == "__main__":
    main()
