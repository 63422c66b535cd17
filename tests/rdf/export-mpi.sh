#!/bin/sh
# export-mpi.sh — the MPI part of the PROV-O mapping on a fixed two-node run that
# tests/rdf/mkstore writes through the store API (no MPI needed): ranks with their job,
# world size and library; prov:wasInformedBy a peer on either node with a qualified
# prov:Communication carrying messages and bytes (point to point) or calls (collectives,
# per sending member); a rank never traced said, not invented; MPI-IO usages and
# generations whose bytes are not counted twice; derivations across a send/recv and a
# broadcast, bounded by the receiver's last receipt and the sender's last send, and none
# from a rank that never sent.  The output equals tests/rdf/golden/mpi.nt and mpi.ttl
# (PT_UPDATE_GOLDEN=1 rewrites them).
. "$top_srcdir/tests/rdf/rdflib.sh"

"$top_builddir/tests/rdf/mkstore" mpi "$T/run"

provtrace-export -q -f ntriples -o "$T/mpi.nt" "$T/run"
provtrace-export -q -o "$T/mpi.ttl" "$T/run"
provtrace-export -q -f nquads -o "$T/mpi.nq" "$T/run"
golden mpi.nt
golden mpi.ttl
PROVTRACE_EXPORT_CACHE=1 provtrace-export -q -f ntriples -o "$T/tiny.nt" "$T/run"
cmp -s "$T/mpi.nt" "$T/tiny.nt" || fail "the export depends on the cache size"

n=$(count "$T/mpi.nt" ntriples)
assert_eq 415 "$n" "triples in the N-Triples export"
assert_eq "$n" "$(count "$T/mpi.ttl" turtle)" "triples in the Turtle export (rapper)"
assert_eq "$n" "$(count "$T/mpi.nq" nquads)" "triples in the N-Quads export (rapper)"
assert_eq "$n" "$($CHECK graph "$T/mpi.ttl" turtle)" "distinct triples (rdflib), PROV sanity"
$CHECK provcmp "$T/mpi.ttl" turtle "$T/mpi.nt" ntriples >/dev/null
$CHECK prov "$T/mpi.ttl" turtle >/dev/null
$CHECK vocab "$T/mpi.ttl" "$top_srcdir/share/provtrace.ttl" >/dev/null

q() { $CHECK sparql "$T/mpi.ttl" turtle "$1"; }

# ---- the traffic check: rank 1 received from rank 3, which has no record of its own
assert_eq "false	job prterun-m1-4242@1: rank 3 -> 1: 0 messages, 0 bytes sent; 1 messages, 8 bytes received" \
	"$(q 'SELECT ?c ?m WHERE { ?r a pt:Run ; pt:mpiConsistent ?c ; pt:mpiMismatch ?m }')" \
	"the run's MPI check"

# ---- ranks: rank, world size, job, the library's version (trailing NUL and newline cut)
assert_eq "$(printf '0\t4\tprterun-m1-4242@1\tOpen MPI v4.1.4, package: Debian OpenMPI\n1\t4\tprterun-m1-4242@1\tOpen MPI v4.1.4, package: Debian OpenMPI\n2\t4\tprterun-m1-4242@1\tOpen MPI v4.1.4, package: Debian OpenMPI')" \
	"$(q 'SELECT ?r ?n ?j ?l WHERE { ?p a pt:Process ; pt:mpiRank ?r ; pt:mpiWorldSize ?n ;
	pt:mpiJob ?j ; pt:mpiLibrary ?l }')" "ranks"
assert_eq "1	2" "$(q 'SELECT ?r ?d WHERE { ?p pt:mpiRank ?r ; pt:mpiDroppedRecords ?d }')" \
	"traffic a rank could not follow"

# ---- who informed whom, among ranks: receiver, sender (2 is on the other node)
assert_eq "0	1
0	2
1	0
2	0" "$(q 'SELECT ?r ?s WHERE { ?a pt:mpiRank ?r ; prov:wasInformedBy ?b . ?b pt:mpiRank ?s }')" \
	"prov:wasInformedBy between ranks"
# point to point, from the receiving side: op, messages, bytes, first and last
assert_eq "0	1	recv	1	16	2023-11-14T22:13:20.074500+00:00	2023-11-14T22:13:20.075000+00:00
0	2	irecv	2	64	2023-11-14T22:13:20.054200+00:00	2023-11-14T22:13:20.056000+00:00
1	0	recv	1	4096	2023-11-14T22:13:20.020500+00:00	2023-11-14T22:13:20.062000+00:00" \
	"$(q 'SELECT ?r ?s ?op ?m ?b ?f ?l WHERE { ?a pt:mpiRank ?r ; prov:qualifiedCommunication ?c .
	?c a prov:Communication, pt:MPIPointToPoint ; prov:activity ?x ; pt:mpiOperation ?op ;
	pt:messages ?m ; pt:bytes ?b ; pt:firstAtTime ?f ; pt:lastAtTime ?l . ?x pt:mpiRank ?s }')" \
	"point-to-point communications"
# collectives: per sending member, on the receiver's communicator (1: the split of 0 and
# 2); the receiver's own buffers; no barrier, nothing to the root of a broadcast
assert_eq "0	2	allreduce	1	2	None	3	24	24
1	0	bcast	0	4	0	1	256	256
2	0	allreduce	1	2	None	3	24	24
2	0	bcast	0	4	0	1	256	256" \
	"$(q 'SELECT ?r ?s ?op ?cm ?n ?root ?k ?bs ?br WHERE { ?a pt:mpiRank ?r ;
	prov:qualifiedCommunication ?c . ?c a prov:Communication, pt:MPICollective ;
	prov:activity ?x ; pt:mpiOperation ?op ; pt:mpiCommunicator ?cm ; pt:mpiCommunicatorSize ?n ;
	pt:calls ?k ; pt:bufferBytesSent ?bs ; pt:bufferBytesReceived ?br .
	OPTIONAL { ?c pt:mpiRoot ?root } ?x pt:mpiRank ?s }')" "collective communications"
# rank 3 sent to rank 1 but no store holds it: said on rank 1, no edge invented
assert_eq "1	3" "$(q 'SELECT ?r ?u WHERE { ?a pt:mpiRank ?r ; pt:mpiUntracedPeer ?u }')" \
	"an untraced peer"
assert_eq "7" "$(q 'SELECT (COUNT(?c) AS ?n) WHERE { ?c a prov:Communication }')" \
	"communications (none from the untraced rank)"

# ---- derivations across MPI, by file: b.dat from a.dat (send/recv), not late.dat (read
# after 0 last sent to 1, though before 1's receive record) nor c.dat (2 never sent to 1;
# 0 heard 2 after 1's last receipt); e.dat not from f.dat (it reached 0 afterwards)
src() {
	q "SELECT DISTINCT ?f WHERE { ?v prov:specializationOf <file://$1> ;
		prov:wasDerivedFrom ?s . ?s prov:specializationOf ?f }" | sed 's|^file://||' |
		tr '\n' ' ' | sed 's/ $//'
}
assert_eq "/job/in/a.dat" "$(src /job/out/b.dat)" "sources of b.dat"
assert_eq "/job/in/a.dat /job/in/c.dat" "$(src /job/out/d.dat)" "sources of d.dat (a broadcast from the other node)"
assert_eq "/job/in/a.dat /job/in/c.dat /job/in/late.dat" "$(src /job/out/e.dat)" "sources of e.dat (an irecv from the other node)"
assert_eq "/job/in/a.dat /job/in/c.dat /job/in/f.dat" "$(src /job/out/io.dat)" "sources of io.dat's versions"

# ---- MPI-IO: a version per session that wrote, used like a POSIX read; the bytes the
# ranks asked for apart from those the POSIX calls moved, so that no total doubles
assert_eq "$(printf '1000\t1000\n500\t500')" "$(q 'SELECT (SUM(?b) AS ?posix) (SUM(?m) AS ?mpiio) WHERE {
	{ ?v prov:specializationOf <file:///job/out/io.dat> ; prov:qualifiedGeneration ?e }
	UNION { ?e prov:entity ?v . ?v prov:specializationOf <file:///job/out/io.dat> }
	?e a ?k FILTER (?k IN (prov:Usage, prov:Generation))
	OPTIONAL { ?e pt:bytes ?b } OPTIONAL { ?e pt:mpiioBytes ?m } } GROUP BY ?k')" \
	"POSIX and MPI-IO bytes of io.dat, generated and used"
assert_eq "$(printf '1\t1000\tNone\n1\tNone\t500\n2\tNone\t500')" "$(q 'SELECT ?r ?b ?m WHERE {
	?v prov:specializationOf <file:///job/out/io.dat> ; prov:qualifiedGeneration ?g .
	?g prov:activity ?a . ?a pt:mpiRank ?r
	OPTIONAL { ?g pt:bytes ?b } OPTIONAL { ?g a pt:MPIIOAccess ; pt:mpiioBytes ?m } }')" \
	"versions of io.dat: rank, POSIX bytes, MPI-IO bytes"
assert_eq "$(printf '2\t500\tNone\tw21\n2\tNone\t500\tw21')" "$(q 'SELECT ?r ?b ?m ?w WHERE {
	?a pt:mpiRank ?r ; prov:qualifiedUsage ?u . ?u prov:entity ?v .
	?v prov:specializationOf <file:///job/out/io.dat> . BIND (REPLACE(STR(?v), "^.*/", "") AS ?w)
	OPTIONAL { ?u pt:bytes ?b } OPTIONAL { ?u a pt:MPIIOAccess ; pt:mpiioBytes ?m } }')" \
	"reads of io.dat: the version rank 1 last wrote, through POSIX and through MPI-IO"
assert_eq "$(printf '6420\t6420\t5736\t5736')" "$(q 'SELECT ?w ?gw ?r ?ur WHERE {
	{ SELECT (SUM(?x) AS ?w) WHERE { ?h a pt:Node ; pt:bytesWritten ?x } }
	{ SELECT (SUM(?x) AS ?gw) WHERE { ?g a prov:Generation ; pt:bytes ?x } }
	{ SELECT (SUM(?x) AS ?r) WHERE { ?h a pt:Node ; pt:bytesRead ?x } }
	{ SELECT (SUM(?x) AS ?ur) WHERE { ?u a prov:Usage ; pt:bytes ?x } } }')" \
	"bytes written and read: the nodes' totals equal the generations' and usages' pt:bytes"
