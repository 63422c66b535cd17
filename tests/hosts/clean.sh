#!/bin/sh
# clean.sh — issue 19 part 1: a job over two simulated hosts as a user starts it, `provtrace
# run -- mpirun --host nodea:2,nodeb:2 ...` on nodea, Open MPI reaching nodeb through
# tests/hosts/nsrsh: an agent and a collector per node, each node's spool and live store in
# its own /tmp and /dev/shm, one store per node in the run directory; the traffic of every
# pair exact across the nodes, lineage crossing them, the export's communications
# between the ranks of both, and nothing left behind on either node.
. "$top_srcdir/tests/hosts/hlib.sh"

host_up nodea nodeb
D="$T/data"
mpiprog_data "$D"
RUN="$T/run"
set +e
on nodea provtrace-run -o "$RUN" -- $HMPIRUN -np 4 --host nodea:2,nodeb:2 "$MPIDIR/mpiprog" "$D" \
	>"$T/out" 2>"$T/err"
rc=$?
set -e
assert_eq 0 "$rc" "provtrace run's status (stderr: $(tail -5 "$T/err"))"
assert_eq "ok
provtrace: run recorded in $RUN" "$(cat "$T/out" "$T/err")" "what the job and provtrace run said"
assert_eq "nodea.mdb nodeb.mdb" "$(cd "$RUN/nodes" && echo *.mdb)" "a store per node"
assert_eq '["nodea", "nodeb"]' "$("$PY" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["nodes"]))' "$RUN/run.json")" \
	"run.json's nodes"
for h in nodea nodeb; do
	assert_eq "" "$(node_local $h)" \
		"node-local files left on $h"
	LOG="$T/$h.jsonl"
	provtrace-dump --log "$RUN/nodes/$h.mdb" >"$LOG"
	assert_eq "$h" "$(ev rec C_PROC -f host | sort -u)" "host of the processes recorded on $h"
	assert_eq 2 "$(ev rec MPI_INIT)" "ranks recorded on $h"
done
assert_eq "2 2 4 True []" "$(mpi_stat nodes) $(mpi_stat mpi_nodes) $(mpi_stat mpi_ranks) $(mpi_stat complete) $(mpi_stat nodes_missing)" \
	"nodes, nodes with ranks, ranks, complete, missing nodes"
assert_eq "$MPIPROG_PEERS" "$(mpi_peers)" "messages and bytes per pair, across the nodes"
assert_eq "True" "$(mpi_stat mpi_consistent)" "every pair's sends match its receives"
assert_eq "a.in c.in e.in" "$(lineage_in "$D" --ancestors "$D/f.out")" \
	"f.out on nodeb: e.in from nodea by a broadcast"
# (across nodes, Open MPI's MPI-IO keeps its shared file pointer in a lock file beside
# io.dat, named with a random number: a real output of the job, set apart here)
assert_eq "b.out f.out h.out io.dat io.dat-N.lock" \
	"$(lineage_in "$D" --descendants "$D/a.in" | sed 's/io\.dat-[0-9-]*\.lock/io.dat-N.lock/')" \
	"what a.in of nodea became on both nodes"

# the export: ranks of both nodes informed by each other, the point-to-point traffic as
# each receiver counted it
command -v rapper >/dev/null || skip "rapper not found (apt-get install raptor2-utils)"
provtrace-export -q -o "$T/run.ttl" "$RUN"
rapper -q -i turtle -c "$T/run.ttl" 2>/dev/null || fail "the export does not parse"
q() { "$PY" "$top_srcdir/tests/rdf/check.py" sparql "$T/run.ttl" turtle "$1" | LC_ALL=C sort; }
want=$(printf '%s\n' "$MPIPROG_PEERS" | awk -v OFS='\t' '$5 > 0 { print $1, $2, $5, $6 }')
assert_eq "$want" "$(q 'SELECT ?r ?s (SUM(?m) AS ?mm) (SUM(?b) AS ?bb) WHERE { ?a pt:mpiRank ?r ;
	prov:qualifiedCommunication ?c ; prov:wasInformedBy ?x . ?c a prov:Communication,
	pt:MPIPointToPoint ; prov:activity ?x ; pt:messages ?m ; pt:bytes ?b . ?x pt:mpiRank ?s }
	GROUP BY ?r ?s')" "point-to-point traffic per receiver and sender in the export"
assert_eq "true" "$(q 'SELECT ?c WHERE { ?run pt:mpiConsistent ?c }')" "the export's MPI check"
