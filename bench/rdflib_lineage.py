#!/usr/bin/python3
"""rdflib_lineage.py — the lineage question of `make bench` asked in SPARQL (rdflib's
property paths), for the comparison with provtrace-lineage.

  rdflib_lineage.py graph NTFILE QUERIES   load the N-Triples, run each target's query
  rdflib_lineage.py chain HOPS             build a chain of HOPS derivations, query its end

Prints one JSON object.  The question is the one provtrace-lineage answers: the files a
file was derived from, through the processes that wrote it, the processes that started
them, and the files those read.  rdflib's paths have no {1,10} bound: the closure is
unbounded (the generated workflows are 12 stages deep, so it is almost the same answer).
"""
import json
import sys
import time

import rdflib

PROV = "http://www.w3.org/ns/prov#"
QUERY = ("SELECT DISTINCT ?src WHERE { <%s> "
         "(<" + PROV + "wasGeneratedBy>/<" + PROV + "wasInformedBy>*/<" + PROV + "used>)+"
         " ?src }")


def ask(g, iri):
    t0 = time.perf_counter()
    rows = list(g.query(QUERY % iri))
    return time.perf_counter() - t0, rows


def graph(ntfile, qfile):
    t0 = time.perf_counter()
    g = rdflib.Graph()
    g.parse(ntfile, format="nt")
    load = time.perf_counter() - t0
    with open(qfile) as f:
        targets = [line.strip() for line in f if line.strip()]
    times, counts, samples = [], [], {}
    for path in targets:
        dt, rows = ask(g, "file://" + path)
        times.append(dt)
        # what provtrace-lineage prints: files outside the system prefixes
        files = sorted(str(r[0])[len("file://"):] for r in rows
                       if str(r[0]).startswith("file://") and
                       not str(r[0]).startswith("file:///usr/"))
        counts.append(len(files))
        if len(samples) < 1:
            samples[path] = files
    print(json.dumps({"triples": len(g), "load_s": load, "times_s": times,
                      "counts": counts, "sample": samples}))


def chain(hops):
    g = rdflib.Graph()
    used = rdflib.URIRef(PROV + "used")
    gen = rdflib.URIRef(PROV + "wasGeneratedBy")
    for i in range(1, hops + 1):
        p = rdflib.URIRef("urn:ptb:chain:%d" % i)
        g.add((rdflib.URIRef("file:///bench/chain/link-%05d.bin" % i), gen, p))
        g.add((p, used, rdflib.URIRef("file:///bench/chain/link-%05d.bin" % (i - 1))))
    out = {"hops": hops, "triples": len(g)}
    try:
        dt, rows = ask(g, "file:///bench/chain/link-%05d.bin" % hops)
        out.update(seconds=dt, results=len(rows), ok=len(rows) == hops)
    except RecursionError as e:
        out.update(ok=False, error="RecursionError: %s" % e)
    print(json.dumps(out))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "graph":
        graph(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "chain":
        chain(int(sys.argv[2]))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
