# crate-check.py — read a provtrace RO-Crate (argv[1]: its ro-crate-metadata.json) as JSON-LD
# with rdflib and print what the Process Run Crate profile asks of it, one fact a line,
# after checking its required properties with SPARQL.  The remote RO-Crate 1.1 context
# cannot be fetched here (no network): the terms the crate uses are mapped as that
# context maps them (schema.org, File = MediaObject, conformsTo = dct:conformsTo).
import json
import sys

import rdflib

CONTEXT = {
    "@vocab": "http://schema.org/",
    "File": "http://schema.org/MediaObject",
    "conformsTo": {"@id": "http://purl.org/dc/terms/conformsTo", "@type": "@id"},
}

doc = json.load(open(sys.argv[1], encoding="utf-8"))
if doc["@context"] != "https://w3id.org/ro/crate/1.1/context":
    sys.exit("context: %r" % doc["@context"])
doc["@context"] = CONTEXT
g = rdflib.Graph()
g.parse(data=json.dumps(doc), format="json-ld",
        base="file://" + sys.argv[1].rsplit("/", 1)[0] + "/")
P = "PREFIX s: <http://schema.org/> PREFIX dct: <http://purl.org/dc/terms/> "


def q(query):
    return [tuple(str(v) for v in row) for row in g.query(P + query)]


def one(query, what):
    rows = q(query)
    if len(rows) != 1:
        sys.exit("%s: %d answers %r" % (what, len(rows), rows))
    return rows[0]


# the metadata descriptor: about the root, conforming to RO-Crate 1.1
one("""SELECT ?root WHERE { ?md a s:CreativeWork ; s:about ?root ;
       dct:conformsTo <https://w3id.org/ro/crate/1.1> . ?root a s:Dataset }""", "descriptor")
# the root: a Dataset conforming to the profile, mentioning the action
root = one("""SELECT ?root WHERE { ?root a s:Dataset ; s:name ?n ; s:description ?d ;
       s:datePublished ?p ; dct:conformsTo <https://w3id.org/ro/wfrun/process/0.5> }""", "root")
# the action: MUST instrument (a SoftwareApplication); SHOULD name, description, endTime,
# agent (a Person), result; mentioned by the root
act = one("""SELECT ?a ?start ?end ?cmd WHERE { ?a a s:CreateAction ; s:name ?n ;
       s:description ?cmd ; s:instrument ?i ; s:agent ?who ; s:startTime ?start ;
       s:endTime ?end . ?i a s:SoftwareApplication ; s:name ?iname . ?who a s:Person ;
       s:name ?wn . ?root s:mentions ?a }""", "action")
print("start", act[1])
print("end", act[2])
print("command", act[3])
print("instrument", one("SELECT ?n WHERE { ?a a s:CreateAction ; s:instrument ?i . ?i s:name ?n }",
                        "instrument")[0])
for role in ("object", "result"):
    for (f, size, name) in sorted(q("""SELECT ?f ?size ?name WHERE { ?a a s:CreateAction ;
            s:%s ?f . ?f a s:MediaObject ; s:name ?name ; s:contentSize ?size .
            ?root a s:Dataset ; s:hasPart ?f }""" % role)):
        print(role, f, size)
n = one("SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?a a s:CreateAction ; s:object|s:result ?f }",
        "files")[0]
print("files", n)
