"""check.py — the RDF-side assertions of the export tests, run with /usr/bin/python3
(rdflib and prov): every one prints what it expected and what it found, and exits 1.

  check.py graph FILE FORMAT            load in rdflib; PROV sanity through SPARQL
  check.py prov FILE FORMAT             load with prov.read(..., format="rdf")
  check.py provcmp A FMT B FMT          the two load as equal prov documents
  check.py reach FILE FINAL SHARDDIR UNUSED
                                        FINAL's last version reaches every shard of
                                        SHARDDIR through prov:wasDerivedFrom+, not UNUSED
  check.py vocab FILE VOCAB.ttl         every pt: term the export uses is declared
  check.py paths FILE LIST.json         each path of LIST (JSON, surrogateescape) is the
                                        percent-decoding of exactly one file: IRI, and its
                                        pt:path literal gives back its bytes
  check.py count FILE FORMAT            print the number of triples (rdflib)
  check.py sparql FILE FORMAT QUERY     print the rows, tab-separated, sorted
"""
import json
import sys
from urllib.parse import unquote_to_bytes

import rdflib
from rdflib import Literal, URIRef

PROV = "http://www.w3.org/ns/prov#"
PT = "https://w3id.org/provtrace/ns#"
PREFIXES = ("PREFIX prov: <%s> PREFIX pt: <%s> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> " % (PROV, PT))
RDFLIB_FORMAT = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads"}


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def load(path, fmt):
    g = rdflib.ConjunctiveGraph() if fmt == "nquads" else rdflib.Graph()
    g.parse(path, format=RDFLIB_FORMAT[fmt])
    return g


def rows(g, q):
    return [tuple(str(x) for x in r) for r in g.query(PREFIXES + q)]


def cmd_graph(path, fmt):
    g = load(path, fmt)
    checks = [
        ("activities that end before they start",
         "SELECT ?a ?s ?e WHERE { ?a prov:startedAtTime ?s ; prov:endedAtTime ?e "
         "FILTER (?e < ?s) }"),
        ("things both prov:Activity and prov:Entity",
         "SELECT ?x WHERE { ?x a prov:Activity . ?x a prov:Entity }"),
        ("prov:used targets that are not a prov:Entity",
         "SELECT ?a ?e WHERE { ?a prov:used ?e FILTER NOT EXISTS { ?e a prov:Entity } }"),
        ("prov:wasDerivedFrom ends that are not a prov:Entity",
         "SELECT ?x ?y WHERE { ?x prov:wasDerivedFrom ?y "
         "FILTER (NOT EXISTS { ?x a prov:Entity } || NOT EXISTS { ?y a prov:Entity }) }"),
        ("prov:wasGeneratedBy / prov:wasInformedBy ends that are not a prov:Activity",
         "SELECT ?x ?y WHERE { { ?x prov:wasGeneratedBy ?y } UNION { ?x prov:wasInformedBy ?y }"
         " FILTER NOT EXISTS { ?y a prov:Activity } }"),
        ("usages whose entity is not what the activity prov:used",
         "SELECT ?a ?u WHERE { ?a prov:qualifiedUsage ?u . ?u prov:entity ?e "
         "FILTER NOT EXISTS { ?a prov:used ?e } }"),
        ("described subjects without a PROV type",
         "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER NOT EXISTS { ?s a ?t "
         "FILTER (STRSTARTS(STR(?t), STR(prov:))) } }"),
        ("qualified communications whose prov:activity did not inform the activity",
         "SELECT ?a ?c WHERE { ?a prov:qualifiedCommunication ?c . ?c prov:activity ?s "
         "FILTER NOT EXISTS { ?a prov:wasInformedBy ?s } }"),
        ("qualified communications that are not a prov:Communication with a prov:activity",
         "SELECT ?c WHERE { ?a prov:qualifiedCommunication ?c FILTER (NOT EXISTS "
         "{ ?c a prov:Communication } || NOT EXISTS { ?c prov:activity ?s }) }"),
        ("communications with more than one prov:activity",
         "SELECT ?c WHERE { ?c prov:activity ?s, ?t FILTER (?s != ?t) }"),
        ("versions that are not a specialization of a pt:File",
         "SELECT ?v WHERE { ?v a pt:FileVersion FILTER NOT EXISTS "
         "{ ?v prov:specializationOf ?f . ?f a pt:File } }"),
        ("non-ASCII IRIs",
         "SELECT ?s WHERE { ?s ?p ?o FILTER (isIRI(?s) && REGEX(STR(?s), \"[^\\\\x21-\\\\x7e]\")) }"),
    ]
    for what, q in checks:
        bad = rows(g, q)
        if bad:
            fail("%s: expected none, found %d, e.g. %s" % (what, len(bad), bad[:3]))
    print(len(g))


def cmd_prov(path, fmt):
    import prov.model
    if fmt == "turtle":
        import prov
        doc = prov.read(path, format="rdf")
    else:
        doc = prov.model.ProvDocument.deserialize(source=path, format="rdf",
                                                  rdf_format=RDFLIB_FORMAT[fmt])
    n = len(doc.get_records())
    if n == 0:
        fail("prov read no record from %s" % path)
    print(n)


def cmd_provcmp(a, fa, b, fb):
    import prov.model
    docs = [prov.model.ProvDocument.deserialize(source=p, format="rdf",
                                                rdf_format=RDFLIB_FORMAT[f])
            for p, f in ((a, fa), (b, fb))]
    if docs[0] != docs[1]:
        ra, rb = set(docs[0].get_records()), set(docs[1].get_records())
        fail("prov documents differ: %d records only in %s, %d only in %s; e.g. %s / %s"
             % (len(ra - rb), a, len(rb - ra), b, list(ra - rb)[:2], list(rb - ra)[:2]))
    print(len(docs[0].get_records()))


def cmd_reach(path, final, sharddir, unused):
    g = load(path, "turtle")
    final_iri = URIRef("file://" + final)
    # the last version of the final checkpoint: the one nothing revises
    versions = rows(g, "SELECT ?v ?t WHERE { ?v prov:specializationOf <%s> ; "
                       "prov:generatedAtTime ?t } ORDER BY DESC(?t)" % final_iri)
    if not versions:
        fail("no version of %s" % final)
    last = versions[0][0]
    reached = {r[0] for r in rows(g, "SELECT DISTINCT ?f WHERE { <%s> prov:wasDerivedFrom+ ?s . "
                                     "?s prov:specializationOf ?f }" % last)}
    shards = {r[0] for r in rows(g, "SELECT DISTINCT ?f WHERE { ?f a pt:File "
                                    "FILTER (STRSTARTS(STR(?f), \"file://%s/shard-\")) }" % sharddir)}
    if not shards:
        fail("no shard file under %s in the graph" % sharddir)
    missing = sorted(shards - reached)
    if missing:
        fail("%s does not derive from %d of %d shards: %s" % (final, len(missing), len(shards),
                                                              missing[:5]))
    if "file://" + unused in reached:
        fail("%s derives from %s, which the job never read" % (final, unused))
    print(len(shards))


def cmd_vocab(path, vocab):
    g = load(path, "turtle")
    v = rdflib.Graph()
    v.parse(vocab, format="turtle")
    declared = {str(s) for s in v.subjects() if str(s).startswith(PT)}
    used = set()
    for s, p, o in g:
        for t in (s, p, o):
            if isinstance(t, URIRef) and str(t).startswith(PT):
                used.add(str(t))
            if isinstance(t, Literal) and t.datatype and str(t.datatype).startswith(PT):
                used.add(str(t.datatype))
    missing = sorted(used - declared)
    if missing:
        fail("terms used but not declared in %s: %s" % (vocab, missing))
    print(len(used))


def literal_bytes(lit):
    if lit.datatype and str(lit.datatype) == PT + "rawBytes":
        return unquote_to_bytes(str(lit))
    return str(lit).encode("utf-8")


def cmd_paths(path, listfile):
    g = load(path, "turtle")
    with open(listfile, encoding="utf-8") as f:
        want = [p.encode("utf-8", "surrogateescape") for p in json.load(f)]
    files = {}
    for s in g.subjects(rdflib.RDF.type, URIRef(PT + "File")):
        iri = str(s)
        if not iri.startswith("file://"):
            fail("a pt:File not named by a file: IRI: %r" % iri)
        if any(ord(c) < 0x21 or ord(c) > 0x7e for c in iri):
            fail("non-ASCII or blank in IRI %r" % iri)
        b = unquote_to_bytes(iri[7:])
        if b in files:
            fail("two IRIs for one path %r: %r, %r" % (b, files[b], iri))
        files[b] = iri
        lits = list(g.objects(s, URIRef(PT + "path")))
        if len(lits) != 1 or literal_bytes(lits[0]) != b:
            fail("pt:path of %r: expected %r, got %r" % (iri, b, lits))
    for p in want:
        if p not in files:
            close = [k for k in files if k[:len(p) - 3] == p[:len(p) - 3]]
            fail("no file: IRI decodes to %r (similar: %r)" % (p, close[:3]))
    iris = [files[p] for p in want]
    if len(set(iris)) != len(iris):
        fail("%d paths share %d IRIs" % (len(iris), len(set(iris))))
    print(len(want))


def cmd_count(path, fmt):
    print(len(load(path, fmt)))


def cmd_sparql(path, fmt, q):
    for r in sorted(rows(load(path, fmt), q)):
        print("\t".join(r))


def main():
    cmds = {"graph": cmd_graph, "prov": cmd_prov, "provcmp": cmd_provcmp, "reach": cmd_reach,
            "vocab": cmd_vocab, "paths": cmd_paths, "count": cmd_count, "sparql": cmd_sparql}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        fail("usage: check.py %s ..." % "|".join(cmds))
    cmds[sys.argv[1]](*sys.argv[2:])


if __name__ == "__main__":
    main()
