#!/bin/sh
# export-small.sh — provtrace export of a fixed two-node run that tests/rdf/mkstore writes
# through the store API (fixed times, pids and paths, hostile names included): the output
# equals the golden files byte for byte, does not change with the cache size, has the same
# triple count in every format, and is read by rapper, rdflib and prov (which find the
# Turtle and N-Triples documents equal).  PT_UPDATE_GOLDEN=1 rewrites the golden files.
. "$top_srcdir/tests/rdf/rdflib.sh"

"$top_builddir/tests/rdf/mkstore" small "$T/run"

provtrace-export -q -f ntriples -o "$T/small.nt" "$T/run"
provtrace-export -q -o "$T/small.ttl" "$T/run"
provtrace-export -q -f nquads -o "$T/small.nq" "$T/run"
provtrace-export -q -f rdfjson -o "$T/small.json" "$T/run"
provtrace-export -q --rules "$top_srcdir/share/ml.rules" -o "$T/small-ml.ttl" "$T/run"
golden small.nt
golden small.ttl
golden small-ml.ttl

# the same count in every format, and as many distinct triples (rdflib): no duplicates
n=$(count "$T/small.nt" ntriples)
assert_eq 762 "$n" "triples in the N-Triples export"
assert_eq "$n" "$(count "$T/small.ttl" turtle)" "triples in the Turtle export"
assert_eq "$n" "$(count "$T/small.nq" nquads)" "triples in the N-Quads export"
assert_eq "$n" "$(count "$T/small.json" json)" "triples in the RDF/JSON export"
assert_eq "$n" "$(wc -l <"$T/small.nt" | tr -d ' ')" "lines of the N-Triples export"
assert_eq "$n" "$($CHECK count "$T/small.nq" nquads)" "distinct triples (rdflib, N-Quads)"
graphs=$(sed 's/.* <\([^>]*\)> \.$/\1/' "$T/small.nq" | sort -u)
assert_eq "urn:provtrace:run:n1:1699999999999000000/graph" "$graphs" "the N-Quads named graph"

# to stdout, twice, and with a cache that holds almost nothing: the same bytes
provtrace-export -f ntriples "$T/run" >"$T/again.nt"
cmp -s "$T/small.nt" "$T/again.nt" || fail "a second export differs"
PROVTRACE_EXPORT_CACHE=1 provtrace-export -q -f ntriples -o "$T/tiny.nt" "$T/run"
cmp -s "$T/small.nt" "$T/tiny.nt" || fail "the export depends on the cache size"

# rdflib: the PROV sanity queries; prov: both syntaxes read, as one document
assert_eq "$n" "$($CHECK graph "$T/small.ttl" turtle)" "triples (rdflib, Turtle)"
$CHECK graph "$T/small-ml.ttl" turtle >/dev/null
assert_eq 222 "$($CHECK provcmp "$T/small.ttl" turtle "$T/small.nt" ntriples)" \
	"records in the prov document"
$CHECK prov "$T/small.ttl" turtle >/dev/null
$CHECK vocab "$T/small-ml.ttl" "$top_srcdir/share/provtrace.ttl" >/dev/null
rapper -q -i turtle -c "$top_srcdir/share/provtrace.ttl" 2>/dev/null ||
	fail "share/provtrace.ttl does not parse"

# what the mapping says about this run, exactly
q() { $CHECK sparql "$T/small.ttl" turtle "$1"; }
assert_eq "7" "$(q 'SELECT (COUNT(?p) AS ?n) WHERE { ?p a pt:Process }')" "processes"
# the evaluation on n2 read the checkpoint n1 renamed into place, and a shard
assert_eq "file:///job/ckpt/model.pt
file:///job/data/shard-0.npz" "$(q 'SELECT ?f WHERE { ?v prov:specializationOf <file:///job/eval.json> ;
	prov:wasDerivedFrom ?s . ?s prov:specializationOf ?f }')" "sources of eval.json"
# the checkpoint: from the training script and both shards, through the workers' pipe
assert_eq "file:///job/data/shard-0.npz
file:///job/data/shard-1.npz
file:///job/train.py" "$(q 'SELECT ?f WHERE { ?v prov:specializationOf <file:///job/ckpt/model.pt.tmp> ;
	prov:wasDerivedFrom ?s . ?s prov:specializationOf ?f }')" "sources of model.pt.tmp"
assert_eq "1" "$(q 'SELECT (COUNT(*) AS ?n) WHERE { ?b prov:wasRevisionOf ?a .
	?a prov:specializationOf <file:///job/log.txt> . ?b prov:specializationOf <file:///job/log.txt> }')" \
	"revisions of log.txt"
assert_eq "static-exec	/usr/local/bin/static-tool" \
	"$(q 'SELECT ?k ?d WHERE { ?g a pt:CoverageGap ; pt:gapKind ?k ; pt:detail ?d }')" "the gap"
# the gap per process: which one (pid, executable) and how many it has
assert_eq "103	file:///bin/sh	1	static-exec" "$(q 'SELECT ?pid ?exe ?n ?k WHERE {
	?g a pt:CoverageGap ; pt:gapKind ?k ; pt:process ?p .
	?p pt:pid ?pid ; pt:executable ?exe ; pt:coverageGaps ?n }')" "the gap's process"
assert_eq "running	3	1" "$(q 'SELECT ?s ?d ?t WHERE { ?p pt:pid 201 ; pt:endState ?s ;
	pt:droppedEvents ?d ; pt:tornRecords ?t }')" "the losses of the process left running"
# CUDA: the device once, the last round of each kernel, copies, sets, drops
assert_eq "$(printf 'GPU-5e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7\t9.0\t12040')" "$(q 'SELECT ?u ?cc ?d WHERE {
	?p pt:pid 100 ; pt:gpu ?g ; pt:cudaDriverVersion ?d . ?g pt:uuid ?u ; pt:computeCapability ?cc }')" "the GPU"
assert_eq "$(printf '_Z6matmulPfS_S_i\t25\t250000\nvoid at::native::elementwise_kernel<128, 4>\t3\tNone')" \
	"$(q 'SELECT ?n ?l ?t WHERE { ?p pt:kernelSummary ?k . ?k pt:kernelName ?n ; pt:launches ?l
	OPTIONAL { ?k pt:gpuTimeNs ?t } }')" "kernel summaries"
assert_eq "$(printf 'HtoD\t4\t1048576\t7')" "$(q 'SELECT ?d ?c ?b ?x WHERE { ?p pt:copySummary ?s ;
	pt:cudaDroppedRecords ?x . ?s pt:direction ?d ; pt:count ?c ; pt:bytes ?b }')" "copies and drops"
assert_eq "$(printf 'OMP_NUM_THREADS=caf\303\251%%FF')" "$(q 'SELECT ?e WHERE {
	?p pt:pid 100 ; pt:env ?e FILTER (DATATYPE(?e) = pt:rawBytes) }')" \
	"an environment value that is not UTF-8, as pt:rawBytes"
# the ML rules: types and roles
qm() { $CHECK sparql "$T/small-ml.ttl" turtle "$1"; }
assert_eq "file:///job/ckpt/latest.pt
file:///job/ckpt/model.pt" "$(qm 'PREFIX mls: <http://www.w3.org/ns/mls#>
	SELECT ?f WHERE { ?f a pt:File, mls:Model }')" "files typed mls:Model"
assert_eq "4" "$(qm 'PREFIX mls: <http://www.w3.org/ns/mls#>
	SELECT (COUNT(?p) AS ?n) WHERE { ?p a pt:Process, mls:Run, pt:Training }')" "training processes"
assert_eq "3" "$(qm 'SELECT (COUNT(?u) AS ?n) WHERE { ?u a prov:Usage ; prov:hadRole pt:learningData }')" \
	"usages as learning data"
