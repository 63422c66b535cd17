#!/bin/sh
# export-mpirun.sh — a real 4-rank Open MPI run of tests/mpi/mpiprog, traced, then exported:
# each rank's activity has its rank, world size, job and library; the receiving rank
# prov:wasInformedBy each sender with a prov:Communication whose messages and bytes are
# the program's known traffic (MPIPROG_PEERS in tests/mpi/mlib.sh), collectives per
# sending member as pt_mpi_coll_flows() says; MPI-IO bytes are not counted twice;
# derivations cross a send/recv and a broadcast, and none comes from a file read after
# the reader's last message.  Then the same program over two simulated nodes: the peers
# are found across the node stores.  Every export re-parses (rapper, rdflib, prov).
. "$top_srcdir/tests/mpi/mlib.sh"

command -v rapper >/dev/null || skip "rapper not found (apt-get install raptor2-utils)"
"$PY" -c 'import rdflib, prov' 2>/dev/null ||
	skip "$PY cannot import rdflib and prov (apt-get install python3-rdflib python3-prov)"
CHECK="$PY $top_srcdir/tests/rdf/check.py"
export PROVTRACE_RULES=

count() {
	rapper -i "$2" -c "$1" 2>&1 | sed -n 's/.*returned \([0-9]*\) triple.*/\1/p'
}

# export NAME — $RUN as $T/NAME.ttl and .nt: deterministic, re-parsed, PROV-sane
export_run() {
	provtrace-export -q -o "$T/$1.ttl" "$RUN"
	provtrace-export -q -f ntriples -o "$T/$1.nt" "$RUN"
	provtrace-export -q -o "$T/$1.again.ttl" "$RUN"
	cmp -s "$T/$1.ttl" "$T/$1.again.ttl" || fail "$1: two exports of one run differ"
	_n=$(count "$T/$1.nt" ntriples)
	assert_ge 1000 "$_n" "$1: triples in the N-Triples export"
	assert_eq "$_n" "$(count "$T/$1.ttl" turtle)" "$1: triples in the Turtle export (rapper)"
	assert_eq "$_n" "$($CHECK graph "$T/$1.ttl" turtle)" "$1: distinct triples (rdflib), PROV sanity"
	$CHECK provcmp "$T/$1.ttl" turtle "$T/$1.nt" ntriples >/dev/null
	$CHECK prov "$T/$1.ttl" turtle >/dev/null
	$CHECK vocab "$T/$1.ttl" "$top_srcdir/share/provtrace.ttl" >/dev/null
}

# src FILE — the files FILE's versions derive from, by name, in $D
src() {
	q "SELECT DISTINCT ?f WHERE { ?v prov:specializationOf <file://$D/$1> ;
		prov:wasDerivedFrom ?s . ?s prov:specializationOf ?f }" | sed -n "s|^file://$D/||p" |
		tr '\n' ' ' | sed 's/ $//'
}

# receiver, sender, messages, bytes: from the receiving side, summed over the kinds
P2P='SELECT ?r ?s (SUM(?m) AS ?mm) (SUM(?b) AS ?bb) WHERE { ?a pt:mpiRank ?r ;
	prov:qualifiedCommunication ?c ; prov:wasInformedBy ?x . ?c a prov:Communication,
	pt:MPIPointToPoint ; prov:activity ?x ; pt:messages ?m ; pt:bytes ?b . ?x pt:mpiRank ?s }
	GROUP BY ?r ?s'
# MPIPROG_PEERS is "rank peer sent(msgs bytes) received(msgs bytes)": what each rank
# received from each peer, and what each peer said it sent to it, must both be that
want_recv=$(printf '%s\n' "$MPIPROG_PEERS" | awk -v OFS='\t' '$5 > 0 { print $1, $2, $5, $6 }')
want_sent=$(printf '%s\n' "$MPIPROG_PEERS" | awk -v OFS='\t' '$3 > 0 { print $2, $1, $3, $4 }' |
	LC_ALL=C sort)
assert_eq "$want_recv" "$want_sent" "MPIPROG_PEERS agrees with itself"

D="$T/data"
mpiprog_data "$D"
ptrun c $MPIRUN -np 4 "$MPIDIR/mpiprog" "$D"
assert_eq 0 "$rc" "mpirun's status (stderr: $(tail -5 "$T/c.err"))"
assert_eq ok "$(cat "$T/c.out")" "the program's output"
export_run c
q() { $CHECK sparql "$T/c.ttl" turtle "$1" | LC_ALL=C sort; }

# ---- the ranks: one job (the name the log has), the library's version, libmpi loaded
assert_eq "$(printf '0\t4\n1\t4\n2\t4\n3\t4')" \
	"$(q 'SELECT ?r ?n WHERE { ?p a pt:Process ; pt:mpiRank ?r ; pt:mpiWorldSize ?n }')" \
	"ranks and world size"
assert_eq "$(ev rec MPI_INIT -f job | sort -u)" "$(q 'SELECT DISTINCT ?j WHERE { ?p pt:mpiJob ?j }')" \
	"the job"
assert_eq "$(ev rec MPI_INIT -f library | sort -u)" \
	"$(q 'SELECT DISTINCT ?l WHERE { ?p pt:mpiLibrary ?l }')" "the MPI library"
assert_eq 4 "$(q 'SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p pt:mpiRank ?r ; pt:loaded ?l
	FILTER (CONTAINS(STR(?l), "/libmpi.so")) }')" "ranks that loaded libmpi"

# ---- communications: every ordered pair of ranks (the all-to-all collectives join them)
assert_eq "$(for r in 0 1 2 3; do for s in 0 1 2 3; do [ $r = $s ] || printf '%s\t%s\n' $r $s; done; done)" \
	"$(q 'SELECT ?r ?s WHERE { ?a pt:mpiRank ?r ; prov:wasInformedBy ?b . ?b pt:mpiRank ?s }')" \
	"prov:wasInformedBy between ranks"
assert_eq "$want_recv" "$(q "$P2P")" "point-to-point messages and bytes per receiver and sender"
assert_eq 0 "$(q 'SELECT (COUNT(?p) AS ?n) WHERE { ?p pt:mpiUntracedPeer ?u }')" "untraced peers"
# collectives: from the root of a broadcast or scatter, to the root of a reduce or a
# gather, from lower ranks in a scan, none in a barrier; comm 1 is each half of the split
# (world 0 and 2, 1 and 3): receiver, sender, op, communicator, root, calls
assert_eq "0	1	ibcast	0	1	1
0	3	scatter	0	3	1
1	0	bcast	0	0	1
1	0	exscan	0	None	1
1	0	reduce	0	1	1
1	0	scan	0	None	1
1	2	reduce	0	1	1
1	3	reduce	0	1	1
1	3	scatter	0	3	1
2	0	bcast	0	0	1
2	0	bcast	1	0	1
2	0	exscan	0	None	1
2	0	gather	0	2	1
2	0	scan	0	None	1
2	1	exscan	0	None	1
2	1	gather	0	2	1
2	1	ibcast	0	1	1
2	1	scan	0	None	1
2	3	gather	0	2	1
2	3	scatter	0	3	1
3	0	bcast	0	0	1
3	0	exscan	0	None	1
3	0	scan	0	None	1
3	1	bcast	1	1	1
3	1	exscan	0	None	1
3	1	ibcast	0	1	1
3	1	scan	0	None	1
3	2	exscan	0	None	1
3	2	scan	0	None	1" "$(q 'SELECT ?r ?s ?op ?cm ?root ?k WHERE { ?a pt:mpiRank ?r ;
	prov:qualifiedCommunication ?c . ?c a prov:Communication, pt:MPICollective ;
	prov:activity ?x ; pt:mpiOperation ?op ; pt:mpiCommunicator ?cm ; pt:calls ?k .
	OPTIONAL { ?c pt:mpiRoot ?root } ?x pt:mpiRank ?s
	FILTER (?op IN ("bcast", "ibcast", "reduce", "gather", "scatter", "scan", "exscan",
	"barrier")) }')" "rooted and prefix collectives, per sending member"
assert_eq "$(printf '12\t12')" "$(q 'SELECT (COUNT(?c) AS ?n) (SUM(?k) AS ?calls) WHERE {
	?c a pt:MPICollective ; pt:mpiOperation "allreduce" ; pt:calls ?k }')" \
	"allreduce: from every other rank, one call each"

# ---- derivations across MPI (as provtrace lineage has them, one step)
assert_eq "a.in" "$(src b.out)" "b.out: a.in through a send/recv, not c.in (no data from rank 2 yet)"
assert_eq "c.in" "$(src d.out)" "d.out: c.in through an isend/irecv"
assert_eq "a.in c.in e.in" "$(src f.out)" "f.out: e.in broadcast by rank 0, and what rank 2 had"
assert_eq "a.in c.in e.in" "$(src io.dat)" "io.dat: what its writers had"
assert_eq "a.in c.in e.in g.in io.dat" "$(src h.out)" "h.out"
# g.in was read by rank 3 after its last message: only its own h.out derives from it
assert_eq "h.out" "$(q "SELECT DISTINCT ?f WHERE { ?v prov:wasDerivedFrom ?s ; prov:specializationOf ?f .
	?s prov:specializationOf <file://$D/g.in> }" | sed "s|^file://$D/||")" "what derives from g.in"

# ---- MPI-IO: each rank wrote 1000 and read 1000 bytes through MPI-IO; the POSIX calls
# underneath moved 4000 each way, counted once in pt:bytes (and in the nodes' totals)
assert_eq "$(printf '4000\t4000\n4000\t4000')" "$(q "SELECT (SUM(?b) AS ?posix) (SUM(?m) AS ?mpiio) WHERE {
	{ ?v prov:specializationOf <file://$D/io.dat> ; prov:qualifiedGeneration ?e }
	UNION { ?e prov:entity ?v . ?v prov:specializationOf <file://$D/io.dat> }
	?e a ?k FILTER (?k IN (prov:Usage, prov:Generation))
	OPTIONAL { ?e pt:bytes ?b } OPTIONAL { ?e pt:mpiioBytes ?m } } GROUP BY ?k")" \
	"POSIX and MPI-IO bytes of io.dat, written and read"
assert_eq "$(printf '4\t4')" "$(q "SELECT (COUNT(DISTINCT ?g) AS ?w) (COUNT(DISTINCT ?u) AS ?r) WHERE {
	?g a pt:MPIIOAccess, prov:Generation . ?u a pt:MPIIOAccess, prov:Usage }")" \
	"MPI-IO sessions: one write and one read per rank"
totals=$(q 'SELECT ?w ?gw ?r ?ur WHERE {
	{ SELECT (SUM(?x) AS ?w) WHERE { ?h a pt:Node ; pt:bytesWritten ?x } }
	{ SELECT (SUM(?x) AS ?gw) WHERE { ?g a prov:Generation ; pt:bytes ?x } }
	{ SELECT (SUM(?x) AS ?r) WHERE { ?h a pt:Node ; pt:bytesRead ?x } }
	{ SELECT (SUM(?x) AS ?ur) WHERE { ?u a prov:Usage ; pt:bytes ?x } } }')
w=$(stat_of bytes_written)
r=$(stat_of bytes_read)
assert_eq "$(printf '%s\t%s\t%s\t%s' "$w" "$w" "$r" "$r")" "$totals" \
	"bytes written and read: provtrace stat, the nodes, the generations and the usages agree"

# ---- two nodes simulated on this machine: ranks 0-1 on nodea, 2-3 on nodeb
rm -f "$D"/*.out "$D"/io.dat*
RUN="$T/two"
node_start a nodea "$RUN"
node_start b nodeb "$RUN"
$MPIRUN -np 4 /bin/sh -c '
	if [ "$OMPI_COMM_WORLD_RANK" -lt 2 ]; then n=a; else n=b; fi
	exec env LD_PRELOAD="$1" PROVTRACE_SPOOL="$2/$n/sp" PROVTRACE_SOCKET="$2/$n/c.sock" \
		PROVTRACE_HOST="node$n" "$3" "$4"' sh "$SHIM" "$T" "$MPIDIR/mpiprog" "$D" \
	>"$T/two.out" 2>&1 || fail "mpirun on two nodes: $(tail -5 "$T/two.out")"
node_stop a
node_stop b
assert_eq ok "$(cat "$T/two.out")" "the program's output on two nodes"
export_run two
q() { $CHECK sparql "$T/two.ttl" turtle "$1" | LC_ALL=C sort; }
assert_eq "$(printf '0\tnodea\n1\tnodea\n2\tnodeb\n3\tnodeb')" "$(q 'SELECT ?r ?h WHERE {
	?p pt:mpiRank ?r ; prov:atLocation ?l . ?l rdfs:label ?h }')" "ranks and their nodes"
assert_eq "$want_recv" "$(q "$P2P")" "point-to-point traffic across the node stores"
assert_eq 0 "$(q 'SELECT (COUNT(?p) AS ?n) WHERE { ?p pt:mpiUntracedPeer ?u }')" \
	"untraced peers (every peer is in one of the stores)"
assert_eq "$(printf '2\tnodeb\t0\tnodea')" "$(q 'SELECT ?r ?h ?s ?g WHERE { ?a pt:mpiRank ?r ;
	prov:atLocation ?l ; prov:qualifiedCommunication ?c . ?c pt:mpiOperation "bcast" ;
	pt:mpiCommunicator 0 ; prov:activity ?x . ?x pt:mpiRank ?s ; prov:atLocation ?m .
	?l rdfs:label ?h . ?m rdfs:label ?g FILTER (?r = 2) }')" "the broadcast to rank 2 came from nodea"
assert_eq "a.in c.in e.in" "$(src f.out)" "f.out on nodeb: e.in read on nodea, through a broadcast"
assert_eq "a.in" "$(src b.out)" "b.out on nodea"
