"""storecmp.py EXPORT.nt STORE.nt -- the triples a store gave back against the export.

Both are sorted N-Triples from the same run.  They must be equal triple for triple, up to
what Virtuoso 7.2 is documented (provtrace-publish(1)) to do to a term:
  - an IRI longer than its limit is kept as its first bytes and 32 hex digits of a hash;
  - an xsd:integer literal is given back as xsd:decimal with the same digits.
Prints "N triples, K long IRIs shortened, D integers as decimal" and exits 0, or names the
first triple that differs and exits 1."""
import re
import sys

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

ga, gb = Graph(), Graph()
ga.parse(sys.argv[1], format="nt")
gb.parse(sys.argv[2], format="nt")
HASH = re.compile(r"^[0-9a-f]{32}$")
short = {}          # shortened IRI -> original
longs = {str(t) for tr in ga for t in tr if isinstance(t, URIRef) and len(str(t)) > 1024}
for tr in gb:
    for t in tr:
        s = str(t)
        if isinstance(t, URIRef) and s not in longs and HASH.match(s[-32:]):
            for orig in longs:
                if orig.startswith(s[:-32]) and len(orig) > len(s[:-32]):
                    short[s] = orig
decimals = 0


def norm(t):
    global decimals
    if isinstance(t, URIRef) and str(t) in short:
        return URIRef(short[str(t)])
    if isinstance(t, Literal) and t.datatype == XSD.decimal and re.match(r"^-?[0-9]+$", str(t)):
        decimals += 1
        return Literal(str(t), datatype=XSD.integer)
    return t


nb = {tuple(norm(t) for t in tr) for tr in gb}
na = set(ga)
if na != nb:
    for tr in sorted(na - nb)[:3]:
        print("only in the export:", " ".join(x.n3()[:200] for x in tr))
    for tr in sorted(nb - na)[:3]:
        print("only in the store:", " ".join(x.n3()[:200] for x in tr))
    sys.exit(1)
print("%d triples, %d long IRIs shortened, %d integers as decimal" % (len(na), len(short), decimals))
