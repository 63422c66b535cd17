#!/bin/sh
# versions.sh — a file changed by something outside the job between two reads in one job
# is two versions: the initial one and an external one (pt:ExternalVersion,
# prov:wasRevisionOf the first, prov:specializationOf the file), each with its own
# content hash (xxh128sum's); the output the job then wrote derives from both; lineage
# --hash gives the latest content; a file the job wrote twice and read back has its two
# written versions and no external one.  The untraced writer (PROVTRACE_DISABLE=1) waits until
# the collector hashed the first content (its debug log says so), so the test is exact.
# A store indexed by an earlier provtrace (its use index without the identities the closes
# saw) exports the same.
. "${top_srcdir:-.}/tests/lib.sh"

content_dir
printf 'one\n' >in.txt
h() { echo "xxh3-128:$(xxh128sum "$1" | cut -d' ' -f1)"; }
h1=$(h in.txt)
ino=$(stat -c %i in.txt)
RUN="$T/v"
export ino RUN
# one process reads in.txt twice, the outside writer changing it between the reads,
# then writes out.txt
cat >"$T/job.py" <<'PY'
import os, subprocess, sys
with open("in.txt") as f:
    a = f.read().strip()
# untraced: wait for the collector's hash of the first content, then rewrite the file
env = dict(os.environ, PROVTRACE_DISABLE="1")
subprocess.run(["sh", "-c", """
i=0
until grep -q "content hash: dev [0-9]* inode $ino size 4: state 1 " "$RUN"/nodes/*.log; do
	i=$((i + 1)); [ $i -lt 1200 ] || exit 9; sleep 0.05
done
printf 'two-two\\n' >in.txt"""], env=env, check=True)
with open("in.txt") as f:
    b = f.read().strip()
with open("out.txt", "w") as f:
    f.write("%s %s\n" % (a, b))
# written and read back by the job: one version, none external
with open("mid.txt", "w") as f:
    f.write("mid\n")
with open("mid.txt", "a") as f:
    f.write("more\n")
for _ in range(2):
    with open("mid.txt") as f:
        f.read()
PY
PROVTRACE_DEBUG=1 ptrun v "$PY" "$T/job.py"
assert_eq 0 "$rc" "job exit status ($(cat "$T/v.err"))"
h2=$(h in.txt)
assert_eq "one two-two" "$(cat out.txt)" "out.txt"

provtrace-export -f ntriples -o "$T/v.nt" "$RUN" || fail "export"
rapper -q -i ntriples -c "$T/v.nt" 2>/dev/null || fail "rapper"
# a store whose use index was written by an earlier provtrace (no identity beside each
# session: the export looks each session up) gives the same export
for s in "$RUN"/nodes/*.mdb; do
	n=$("$top_builddir/tests/rdf/mkstore" strip-ids "$s") || fail "strip-ids $s"
	[ "$n" -gt 0 ] || fail "strip-ids: no use entry rewritten in $s"
	assert_eq 0 "$("$top_builddir/tests/rdf/mkstore" strip-ids "$s")" "use entries left with ids"
done
provtrace-export -f ntriples -o "$T/v-v1.nt" "$RUN" || fail "export of the stripped store"
cmp -s "$T/v.nt" "$T/v-v1.nt" || fail "a store indexed before the use index said identities exports otherwise"
"$PY" - "$T/v.nt" "$D" >"$T/facts" <<'PY'
import sys, rdflib
g = rdflib.Graph()
g.parse(sys.argv[1], format="nt")
PT = rdflib.Namespace("https://w3id.org/provtrace/ns#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
f_in = rdflib.URIRef("file://" + sys.argv[2] + "/in.txt")
f_out = rdflib.URIRef("file://" + sys.argv[2] + "/out.txt")
vers = sorted(g.subjects(PROV.specializationOf, f_in))
def kind(v):
    if (v, rdflib.RDF.type, PT.InitialVersion) in g: return "initial"
    if (v, rdflib.RDF.type, PT.ExternalVersion) in g: return "external"
    return "other"
name = {}
for v in vers:
    hs = sorted(str(h) for h in g.objects(v, PT.contentHash))
    name[v] = kind(v)
    print("version", kind(v), " ".join(hs))
for v in vers:
    for p in g.objects(v, PROV.wasRevisionOf):
        print("revision", name[v], "of", name.get(p, "?"))
f_mid = rdflib.URIRef("file://" + sys.argv[2] + "/mid.txt")
mids = list(g.subjects(PROV.specializationOf, f_mid))
print("mid", len(mids), sum(1 for m in mids if (m, rdflib.RDF.type, PT.ExternalVersion) in g))
outs = list(g.subjects(PROV.specializationOf, f_out))
print("outputs", len(outs))
for o in outs:
    print("derived", " ".join(sorted(name[s] for s in g.objects(o, PROV.wasDerivedFrom) if s in name)))
    for act in g.objects(o, PROV.wasGeneratedBy):
        print("used", " ".join(sorted(name[s] for s in g.objects(act, PROV.used) if s in name)))
        # one usage per read, each of the version it read, in time order
        us = sorted(g.objects(act, PROV.qualifiedUsage), key=lambda u: g.value(u, PROV.atTime).toPython())
        print("usages", " ".join(name.get(g.value(u, PROV.entity), "-") for u in us if g.value(u, PROV.entity) in name))
PY
cat >"$T/want" <<W
version external $h2
version initial $h1
revision external of initial
outputs 1
mid 2 0
derived external initial
used external initial
usages initial external
W
sort "$T/facts" >"$T/got"
sort "$T/want" >"$T/want.s"
diff -u "$T/want.s" "$T/got" || fail "versions of in.txt (want - got +)"
# every pt: term used is declared in the vocabulary
$PY "$top_srcdir/tests/rdf/check.py" vocab "$T/v.nt" "$top_srcdir/share/provtrace.ttl" >/dev/null ||
	fail "terms missing from share/provtrace.ttl"
# lineage --hash: the content of in.txt's latest version
provtrace-lineage --hash --ancestors "$D/out.txt" "$RUN" >"$T/anc" || fail "lineage --hash"
grep -qx "$h2	$D/in.txt" "$T/anc" || fail "lineage --hash: in.txt ($(cat "$T/anc"))"
# stat: both contents hashed
[ "$(provtrace-stat --json "$RUN" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["hashes"]["hashed"] >= 3)')" = True ] ||
	fail "stat: in.txt twice and out.txt hashed"
exit 0
