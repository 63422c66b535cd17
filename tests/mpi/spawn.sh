#!/bin/sh
# spawn.sh — MPI_Comm_spawn and MPI_Comm_spawn_multiple under provtrace run (issue 16,
# part 3), with tests/mpi/spawn.c: every child is traced and writes its file, the one
# whose command has an "env" info key of the program's (an LD_PRELOAD of its own and a
# variable) gets that variable; each spawned rank names the rank that spawned it
# (MPI_PARENT) and that rank the spawn (MPI_SPAWN); provtrace stat lists
# the spawns with their children and counts the messages between the jobs; the export
# links each child's activity to the spawning rank's; lineage and derivations go from
# what the spawning rank read before the spawn to what its children wrote, and from
# nothing it read after.  Then a singleton mpi4py job that spawns through MPI.COMM_SELF.
. "$top_srcdir/tests/mpi/mlib.sh"

[ -x "$MPIDIR/spawn" ] || skip "tests/mpi/spawn not built"
command -v rapper >/dev/null || skip "rapper not found (apt-get install raptor2-utils)"
"$PY" -c 'import rdflib, prov' 2>/dev/null ||
	skip "$PY cannot import rdflib and prov (apt-get install python3-rdflib python3-prov)"
CHECK="$PY $top_srcdir/tests/rdf/check.py"
export PROVTRACE_RULES=
# the jobs of a spawn reach each other over TCP (shared memory is per job), on the
# loopback only; no munge: every process talks to its daemon's socket, which as a channel
# would join them all
export OMPI_MCA_btl=self,vader,tcp OMPI_MCA_sec=basic PMIX_MCA_psec=native

D="$T/data"
mkdir "$D"
head -c 300 /dev/urandom >"$D/a.in"
head -c 200 /dev/urandom >"$D/b.in"
head -c 100 /dev/urandom >"$D/late.in"

ptrun spawn $MPIRUN -np 2 "$MPIDIR/spawn" "$D"
assert_eq 0 "$rc" "mpirun's status (stderr: $(tail -5 "$T/spawn.err"))"
assert_eq ok "$(cat "$T/spawn.out")" "the program's output (its info objects unchanged, none left behind)"

# the three jobs: P, the parents; C1, the children of rank 0's spawn; C2, rank 1's
P=$(ev rec MPI_INIT proc="$(ev rec MPI_SPAWN how=0 -f proc)" -f job)
C1=$(ev rec MPI_INIT proc="$(ev rec MPI_PARENT rank=0 -f proc | head -1)" -f job)
C2=$(ev rec MPI_INIT proc="$(ev rec MPI_PARENT rank=1 -f proc | head -1)" -f job)
label() { sed "s/\<$P\>/P/g; s/\<$C1\>/C1/g; s/\<$C2\>/C2/g"; }

# ---- the children are traced, with their ranks, and each wrote its file
assert_eq "C1 0 2
C1 1 2
C2 0 3
C2 1 3
C2 2 3
P 0 2
P 1 2" "$(ev rec MPI_INIT -f job,rank,size | label | sort)" "ranks of the three jobs (job rank size)"
got=
for f in c.0 c.1 mx.0 my.1 my.2; do
	w=$(ev sess "$D/$f" -f proc,wbytes)
	got="$got$f: $(cat "$D/$f"), by $(ev rec MPI_INIT proc="${w% *}" -f job,rank | label), ${w#* } bytes
"
done
assert_eq "c.0: 0 42, by C1 0, 5 bytes
c.1: 1 42, by C1 1, 5 bytes
mx.0: 0 x tagged, by C2 0, 11 bytes
my.1: 1 y -, by C2 1, 6 bytes
my.2: 2 y -, by C2 2, 6 bytes" "${got%
}" "the children's files: content (SPAWN_TAG from the program's env key), writer, bytes"

# ---- the link: each child names the spawning rank, which recorded the spawn
got=$(for p in $(ev rec MPI_PARENT -f proc); do
	echo "$(ev rec MPI_INIT proc="$p" -f job,rank) <- $(ev rec MPI_PARENT proc="$p" -f job,rank,spawn,size)"
done | label | sort)
assert_eq "C1 0 <- P 0 1 2
C1 1 <- P 0 1 2
C2 0 <- P 1 1 2
C2 1 <- P 1 1 2
C2 2 <- P 1 1 2" "$got" "MPI_PARENT of each child: job rank <- spawning job, rank, spawn, parents"
assert_eq "P 0: 0 1 0 0 2 2 $MPIDIR/spawn,child,$D,2
P 1: 1 1 0 0 3 3 $MPIDIR/spawn,multi,$D,x,1,$MPIDIR/spawn,multi,$D,y,2" \
	"$(for p in $(ev rec MPI_SPAWN -f proc); do
		echo "$(ev rec MPI_INIT proc="$p" -f job,rank | label): $(ev rec MPI_SPAWN proc="$p" -f how,spawn,comm,status,procs,maxprocs,cmds)"
	done | sort)" "MPI_SPAWN: how spawn comm status procs maxprocs commands"
# the link went through the "env" info key (PT_MPI_SPAWN_ENV), nothing disabled
assert_eq "16 16" "$(ev rec MPI_SPAWN -f flags | while read -r f; do echo $((f & 0x50)); done | tr '\n' ' ' | sed 's/ $//')" \
	"MPI_SPAWN.flags: the children were told"

# ---- provtrace stat
assert_eq "3 7 5 0 4 16 True" "$(mpi_stat mpi_jobs) $(mpi_stat mpi_ranks) $(mpi_stat mpi_spawned_ranks) $(mpi_stat mpi_spawned_unlinked) $(mpi_stat mpi_foreign_messages) $(mpi_stat mpi_foreign_bytes) $(mpi_stat mpi_consistent)" \
	"stat: jobs, ranks, spawned ranks, unlinked, messages and bytes between jobs, consistent"
assert_eq '[{"call": "MPI_Comm_spawn", "children_job": "C1", "children_traced": 2, "command": "'"$MPIDIR"'/spawn", "commands": 1, "job": "P", "maxprocs": 2, "processes": 2, "rank": 0, "spawn": 1, "status": 0}, {"call": "MPI_Comm_spawn_multiple", "children_job": "C2", "children_traced": 3, "command": "'"$MPIDIR"'/spawn", "commands": 2, "job": "P", "maxprocs": 3, "processes": 3, "rank": 1, "spawn": 1, "status": 0}]' \
	"$(mpi_stat mpi_spawns | label)" "stat --json: mpi_spawns"
assert_eq "messages   4 (16 bytes) sent to or received from ranks of other jobs (over a spawn's intercommunicator): counted, not followed
spawn      rank 0 of job P: MPI_Comm_spawn, 2 of 2 processes (job C1, 2 traced): $MPIDIR/spawn
spawn      rank 1 of job P: MPI_Comm_spawn_multiple, 3 of 3 processes (job C2, 3 traced): $MPIDIR/spawn and 1 more command" \
	"$(provtrace-stat "$RUN" | grep -E '^spawn|^messages.*other jobs' | label)" "stat: the spawns"

# ---- lineage: a child began with what the spawning rank had read (late.in came after)
assert_eq "c.0: a.in; c.1: a.in; mx.0: b.in; my.1: b.in; my.2: b.in" \
	"$(for f in c.0 c.1 mx.0 my.1 my.2; do printf '%s: %s; ' $f "$(lineage_in "$D" --ancestors "$D/$f")"; done | sed 's/; $//')" \
	"lineage: ancestors of the children's files"
assert_eq "a.in: c.0 c.1; b.in: mx.0 my.1 my.2; late.in: " \
	"$(for f in a.in b.in late.in; do printf '%s: %s; ' $f "$(lineage_in "$D" --descendants "$D/$f")"; done | sed 's/; $//')" \
	"lineage: descendants of the parents' inputs"

# ---- the export: each child prov:wasInformedBy and pt:mpiSpawnedBy its spawning rank,
# with a pt:MPISpawn communication; its files derive from what that rank had read
provtrace-export -q -o "$T/spawn.ttl" "$RUN"
provtrace-export -q -o "$T/spawn.again.ttl" "$RUN"
cmp -s "$T/spawn.ttl" "$T/spawn.again.ttl" || fail "two exports of one run differ"
$CHECK prov "$T/spawn.ttl" turtle >/dev/null
$CHECK vocab "$T/spawn.ttl" "$top_srcdir/share/provtrace.ttl" >/dev/null
q() { $CHECK sparql "$T/spawn.ttl" turtle "$1"; }
assert_eq "$(printf 'C1\t0\tP\t0\tspawn\t1\t2\nC1\t1\tP\t0\tspawn\t1\t2\nC2\t0\tP\t1\tspawn_multiple\t1\t3\nC2\t1\tP\t1\tspawn_multiple\t1\t3\nC2\t2\tP\t1\tspawn_multiple\t1\t3')" \
	"$(q 'SELECT ?cj ?cr ?pj ?pr ?op ?n ?k WHERE { ?c pt:mpiSpawned true ; pt:mpiJob ?cj ;
	pt:mpiRank ?cr ; pt:mpiParentJob ?pj ; pt:mpiParentRank ?pr ; pt:mpiSpawnedBy ?p ;
	prov:wasInformedBy ?p ; prov:qualifiedCommunication ?s . ?s a prov:Communication, pt:MPISpawn ;
	prov:activity ?p ; pt:mpiOperation ?op ; pt:mpiSpawn ?n ; pt:processes ?k ; pt:spawnAtTime ?t .
	?p pt:mpiJob ?pj ; pt:mpiRank ?pr ; prov:startedAtTime ?ps . ?c prov:startedAtTime ?cs
	FILTER (?ps < ?t && ?t < ?cs) }' | label)" \
	"export: child job, rank <- spawning job, rank, operation, spawn, processes (spawned between the two starts)"
src() {
	q "SELECT DISTINCT ?f WHERE { ?v prov:specializationOf <file://$D/$1> ;
		prov:wasDerivedFrom ?s . ?s prov:specializationOf ?f }" | sed -n "s|^file://$D/||p" |
		tr '\n' ' ' | sed 's/ $//'
}
assert_eq "c.0: a.in; mx.0: b.in; my.2: b.in" "$(printf 'c.0: %s; mx.0: %s; my.2: %s' "$(src c.0)" "$(src mx.0)" "$(src my.2)")" \
	"export: derivations of the children's files"
assert_eq "$(printf '4\t16')" "$(q 'SELECT (SUM(?m) AS ?n) (SUM(?b) AS ?k) WHERE { ?p pt:mpiForeignMessages ?m ; pt:mpiForeignBytes ?b }')" \
	"export: messages and bytes between the jobs"

# ---- mpi4py, from a singleton: its daemon starts the children
if /usr/bin/python3 -c 'import mpi4py.MPI' 2>/dev/null; then
	D="$T/py"
	mkdir "$D"
	head -c 64 /dev/urandom >"$D/a.in"
	ptrun py /usr/bin/python3 "$top_srcdir/tests/mpi/spawn_job.py" "$D"
	assert_eq 0 "$rc" "mpi4py: status (stderr: $(tail -5 "$T/py.err"))"
	assert_eq "ok 0 7 1 7" "$(cat "$T/py.out" "$D/p.0" "$D/p.1" | tr '\n' ' ' | sed 's/ $//')" "mpi4py: the output and the children's files"
	P=$(ev rec MPI_INIT proc="$(ev rec MPI_SPAWN -f proc)" -f job)
	C1=$(ev rec MPI_INIT proc="$(ev rec MPI_PARENT -f proc | head -1)" -f job)
	C2=C2
	assert_eq "C1 0 <- P 0 1 1
C1 1 <- P 0 1 1" "$(for p in $(ev rec MPI_PARENT -f proc); do
		echo "$(ev rec MPI_INIT proc="$p" -f job,rank) <- $(ev rec MPI_PARENT proc="$p" -f job,rank,spawn,size)"
	done | label | sort)" "mpi4py: MPI_PARENT of each child"
	assert_eq "0 1 2 2 /usr/bin/python3,$top_srcdir/tests/mpi/spawn_job.py,child,$D,2" \
		"$(ev rec MPI_SPAWN -f how,spawn,procs,maxprocs,cmds)" "mpi4py: MPI_SPAWN"
	assert_eq '[{"call": "MPI_Comm_spawn", "children_job": "C1", "children_traced": 2, "command": "/usr/bin/python3", "commands": 1, "job": "P", "maxprocs": 2, "processes": 2, "rank": 0, "spawn": 1, "status": 0}]' \
		"$(mpi_stat mpi_spawns | label)" "mpi4py: stat --json: mpi_spawns"
	assert_eq "a.in; a.in" "$(lineage_in "$D" --ancestors "$D/p.0"); $(lineage_in "$D" --ancestors "$D/p.1")" \
		"mpi4py: lineage of the children's files"
fi
