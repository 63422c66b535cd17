#!/bin/sh
# export-pool.sh — the examples' Pool training job, traced for real, then exported: every
# format re-parses with rapper with one triple count; rdflib's PROV sanity queries hold;
# prov reads it; the last checkpoint derives (prov:wasDerivedFrom+) from every shard the
# workers read, through the pipes and the rename, and not from the shard nobody read; the
# output is the same twice; provtrace query and roqet count the processes through Redland.
. "$top_srcdir/tests/lib.sh"

command -v rapper >/dev/null || skip "rapper not found (apt-get install raptor2-utils)"
command -v roqet >/dev/null || skip "roqet not found (apt-get install rasqal-utils)"
"$PY" -c 'import numpy, rdflib, prov' 2>/dev/null ||
	skip "$PY cannot import numpy, rdflib and prov (python3-numpy python3-rdflib python3-prov)"
[ -e "$SHIM" ] || skip "the shim is not built ($SHIM)"
CHECK="$PY $top_srcdir/tests/rdf/check.py"
export PROVTRACE_RULES=

count() {
	rapper -i "$2" -c "$1" 2>&1 | sed -n 's/.*returned \([0-9]*\) triple.*/\1/p'
}

"$PY" "$top_srcdir/examples/make_shards.py" "$T/data" 16
ptrun pool "$PY" "$top_srcdir/examples/train_pool.py" "$T/data" "$T/ckpt" 3 4
assert_eq 0 "$rc" "exit status of the traced job"
[ -f "$T/ckpt/model-3.pt" ] || fail "the job wrote no final checkpoint"

provtrace export -q -o "$T/pool.ttl" "$RUN"
provtrace export -q -f ntriples -o "$T/pool.nt" "$RUN"
provtrace export -q -f nquads -o "$T/pool.nq" "$RUN"
provtrace export -q -f rdfjson -o "$T/pool.json" "$RUN"
n=$(count "$T/pool.ttl" turtle)
assert_ge 1000 "$n" "triples in the Turtle export"
assert_eq "$n" "$(count "$T/pool.nt" ntriples)" "triples in the N-Triples export"
assert_eq "$n" "$(count "$T/pool.nq" nquads)" "triples in the N-Quads export"
assert_eq "$n" "$(count "$T/pool.json" json)" "triples in the RDF/JSON export"
provtrace export -q -o "$T/again.ttl" "$RUN"
cmp -s "$T/pool.ttl" "$T/again.ttl" || fail "two exports of one run differ"

# rdflib: the sanity queries (and no duplicate triple); prov: reads both syntaxes alike
assert_eq "$n" "$($CHECK graph "$T/pool.ttl" turtle)" "distinct triples (rdflib, Turtle)"
assert_eq "$n" "$($CHECK graph "$T/pool.nt" ntriples)" "distinct triples (rdflib, N-Triples)"
$CHECK provcmp "$T/pool.ttl" turtle "$T/pool.nt" ntriples >/dev/null
$CHECK prov "$T/pool.ttl" turtle >/dev/null
$CHECK vocab "$T/pool.ttl" "$top_srcdir/share/provtrace.ttl" >/dev/null

# the lineage: 16 shards, through 4 workers, their pipes, the parent and a rename
assert_eq 16 "$($CHECK reach "$T/pool.ttl" "$T/ckpt/model-3.pt" "$T/data" "$T/data/unused.npz")" \
	"shards the final checkpoint derives from"
q() { $CHECK sparql "$T/pool.ttl" turtle "$1"; }
assert_eq 5 "$(q 'SELECT (COUNT(?p) AS ?n) WHERE { ?p a pt:Process }')" "processes"
assert_eq 4 "$(q 'SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE { ?parent pt:argv ?a ; prov:wasInformedBy ?w .
	?w pt:parent ?parent . ?parent prov:qualifiedCommunication ?c . ?c prov:activity ?w }')" \
	"workers the parent heard from over pipes"
assert_eq 3 "$(q "SELECT (COUNT(?v) AS ?n) WHERE { ?v pt:renamedFrom ?t ;
	prov:specializationOf ?f FILTER (STRSTARTS(STR(?f), \"file://$T/ckpt/model-\")) }")" \
	"checkpoints renamed into place"

# the ML rules type the run
provtrace export -q --rules "$top_srcdir/share/ml.rules" -o "$T/ml.ttl" "$RUN"
qm() { $CHECK sparql "$T/ml.ttl" turtle "PREFIX mls: <http://www.w3.org/ns/mls#> $1"; }
assert_eq 3 "$(qm 'SELECT (COUNT(?f) AS ?n) WHERE { ?f a pt:File, mls:Model }')" "model files"
assert_eq 16 "$(qm 'SELECT (COUNT(?f) AS ?n) WHERE { ?f a pt:File, pt:LearningData }')" \
	"learning data files (the shards read; unused.npz is not in the run)"
assert_eq 5 "$(qm 'SELECT (COUNT(?p) AS ?n) WHERE { ?p a pt:Process, mls:Run }')" "training processes"

# SPARQL through Redland: provtrace query over the run directory and roqet over the file
out=$(provtrace query -q -r csv -e 'SELECT (COUNT(?p) AS ?n) WHERE { ?p a pt:Process }' "$RUN")
assert_eq "n
5" "$(printf '%s\n' "$out" | tr -d '\r')" "provtrace query over the run directory"
out=$(roqet -q -i sparql -W 0 -r csv -D "$T/pool.ttl" -e "PREFIX pt: <https://w3id.org/provtrace/ns#>
	SELECT (COUNT(?p) AS ?n) WHERE { ?p a pt:Process }" 2>/dev/null)
assert_eq "n
5" "$(printf '%s\n' "$out" | tr -d '\r')" "roqet over the Turtle export"
