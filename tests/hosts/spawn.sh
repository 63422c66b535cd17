#!/bin/sh
# spawn.sh — MPI_Comm_spawn across simulated hosts (issue 16, part 3): tests/mpi/spawn.c
# with its parents on nodea and the children of rank 0's spawn placed on nodeb; each
# child, in nodeb's store, names the rank of nodea that spawned it; provtrace stat,
# lineage and the export join the two stores through that link.
. "$top_srcdir/tests/hosts/hlib.sh"

[ -x "$MPIDIR/spawn" ] || skip "tests/mpi/spawn not built"
command -v rapper >/dev/null || skip "rapper not found (apt-get install raptor2-utils)"
"$PY" -c 'import rdflib, prov' 2>/dev/null ||
	skip "$PY cannot import rdflib and prov (apt-get install python3-rdflib python3-prov)"
# no munge: its socket, as a channel, would join every process (see tests/mpi/spawn.sh);
# the daemon of nodeb and its children are told on mpirun's command line
NOMUNGE="--mca sec basic -x PMIX_MCA_psec=native"

host_up nodea nodeb
D="$T/data"
mkdir "$D"
head -c 300 /dev/urandom >"$D/a.in"
head -c 200 /dev/urandom >"$D/b.in"
head -c 100 /dev/urandom >"$D/late.in"
RUN="$T/run"
set +e
on nodea provtrace-run -o "$RUN" -- $HMPIRUN $NOMUNGE -np 2 --host nodea:2,nodeb:3 "$MPIDIR/spawn" "$D" nodeb \
	>"$T/out" 2>"$T/err"
rc=$?
set -e
assert_eq 0 "$rc" "provtrace run's status (stderr: $(tail -5 "$T/err"))"
assert_eq "ok" "$(cat "$T/out")" "the program's output"

LOG="$T/nodea.jsonl"
provtrace-dump --log "$RUN/nodes/nodea.mdb" >"$LOG"
P=$(ev rec MPI_INIT proc="$(ev rec MPI_SPAWN how=0 -f proc)" -f job)
LOG="$T/nodeb.jsonl"
provtrace-dump --log "$RUN/nodes/nodeb.mdb" >"$LOG"
C1=$(ev rec MPI_INIT proc="$(ev rec MPI_PARENT rank=0 -f proc | head -1)" -f job)
C2=$(provtrace-stat --json "$RUN" | "$PY" -c 'import json, sys
print(" ".join(s["children_job"] for s in json.load(sys.stdin).get("mpi_spawns", []) if s["rank"] == 1))')
label() { sed "s/\<$P\>/P/g; s/\<$C1\>/C1/g; s/\<$C2\>/C2/g"; }

assert_eq "C1 0 <- P 0 1 2
C1 1 <- P 0 1 2" "$(for p in $(ev rec MPI_PARENT rank=0 -f proc); do
	echo "$(ev rec MPI_INIT proc="$p" -f job,rank) <- $(ev rec MPI_PARENT proc="$p" -f job,rank,spawn,size)"
done | label | sort)" "nodeb's store: the children of nodea's rank 0 name it"
assert_eq "2 7 5 0" "$(mpi_stat mpi_nodes) $(mpi_stat mpi_ranks) $(mpi_stat mpi_spawned_ranks) $(mpi_stat mpi_spawned_unlinked)" \
	"stat: nodes with ranks, ranks, spawned ranks, unlinked"
assert_eq '[{"call": "MPI_Comm_spawn", "children_job": "C1", "children_traced": 2, "command": "'"$MPIDIR"'/spawn", "commands": 1, "job": "P", "maxprocs": 2, "processes": 2, "rank": 0, "spawn": 1, "status": 0}, {"call": "MPI_Comm_spawn_multiple", "children_job": "C2", "children_traced": 3, "command": "'"$MPIDIR"'/spawn", "commands": 2, "job": "P", "maxprocs": 3, "processes": 3, "rank": 1, "spawn": 1, "status": 0}]' \
	"$(mpi_stat mpi_spawns | label)" "stat --json: mpi_spawns across the stores"
assert_eq "c.0: a.in; c.1: a.in; a.in: c.0 c.1; late.in: " \
	"$(printf 'c.0: %s; c.1: %s; a.in: %s; late.in: %s' "$(lineage_in "$D" --ancestors "$D/c.0")" \
		"$(lineage_in "$D" --ancestors "$D/c.1")" "$(lineage_in "$D" --descendants "$D/a.in")" \
		"$(lineage_in "$D" --descendants "$D/late.in")")" "lineage from nodea's input to nodeb's outputs"

provtrace-export -q -o "$T/run.ttl" "$RUN"
"$PY" "$top_srcdir/tests/rdf/check.py" prov "$T/run.ttl" turtle >/dev/null
q() { "$PY" "$top_srcdir/tests/rdf/check.py" sparql "$T/run.ttl" turtle "$1"; }
assert_eq "$(printf '0\tnodeb\tnodea\n1\tnodeb\tnodea')" "$(q 'SELECT ?r ?ch ?ph WHERE {
	?c pt:mpiParentRank 0 ; pt:mpiRank ?r ; prov:atLocation ?cl ; pt:mpiSpawnedBy ?p ;
	prov:wasInformedBy ?p . ?p pt:mpiRank 0 ; prov:atLocation ?pl
	BIND (REPLACE(STR(?cl), "^.*/", "") AS ?ch) BIND (REPLACE(STR(?pl), "^.*/", "") AS ?ph) }')" \
	"export: rank, host of each child of rank 0, host of the rank that spawned it"
