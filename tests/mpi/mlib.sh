# mlib.sh — sourced by the MPI tests: Open MPI on this machine only (loopback, shared
# memory, as many ranks as asked on two cores), the test programs, and queries over the
# event log and `provtrace stat --json`.
. "$top_srcdir/tests/lib.sh"

command -v mpirun >/dev/null 2>&1 || skip "mpirun not found (apt-get install openmpi-bin)"
MPIDIR="$top_builddir/tests/mpi"
[ -x "$MPIDIR/mpiprog" ] || skip "tests/mpi/mpiprog not built (configure found no mpicc)"
nm -D "$SHIM" | grep -q ' T MPI_Send$' || skip "the shim was built without MPI support"

# root may run Open MPI only when it says so twice; no network: the loopback and shared
# memory carry everything; --oversubscribe in every call (two cores, four ranks)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_hwloc_base_binding_policy=none
# the session directory in the test's own temporary directory
export TMPDIR="$T/mpitmp"
mkdir -p "$TMPDIR"
MPIRUN="mpirun --oversubscribe"

# mpi_stat KEY — a field of `provtrace stat --json $RUN`, lists and objects as JSON
mpi_stat() {
	provtrace-stat --json "$RUN" | "$PY" -c '
import json, sys
v = json.load(sys.stdin).get(sys.argv[1])
print(v if isinstance(v, (int, str)) else json.dumps(v, sort_keys=True))' "$1"
}

# mpi_peers — "rank peer sent_messages sent_bytes received_messages received_bytes", one
# line per pair, in order
mpi_peers() {
	provtrace-stat --json "$RUN" | "$PY" -c '
import json, sys
for p in json.load(sys.stdin).get("mpi_peers", []):
    print(p["rank"], p["peer"], p["sent_messages"], p["sent_bytes"],
          p["received_messages"], p["received_bytes"])'
}

# lineage_in DIR [ARGS...] PATH — lineage of PATH in $RUN, the files of DIR only, by name
lineage_in() {
	_d=$1
	shift
	provtrace-lineage "$@" "$RUN" | sed -n "s|^$_d/||p" | tr '\n' ' ' | sed 's/ $//'
}

# ranks_of — "rank size job" of each MPI_INIT record of $LOG, sorted
ranks_of() {
	ev rec MPI_INIT -f rank,size,job | sort -n
}

# The traffic of tests/mpi/mpiprog, per pair (see mpi_peers)
MPIPROG_PEERS="0 1 2 4112 1 48
0 2 0 0 1 64
0 3 1 32 4 80
1 0 1 48 2 4112
1 2 4 132 0 0
1 3 1 64 0 0
2 0 1 64 0 0
2 1 0 0 4 132
2 3 2 1040 0 0
3 0 4 80 1 32
3 1 0 0 1 64
3 2 0 0 2 1040"

# mpiprog_data DIR — the input files tests/mpi/mpiprog reads
mpiprog_data() {
	mkdir -p "$1"
	head -c 4096 /dev/urandom >"$1/a.in"
	head -c 1024 /dev/urandom >"$1/c.in"
	head -c 256 /dev/urandom >"$1/e.in"
	head -c 100 /dev/urandom >"$1/g.in"
}

# node_start NAME HOST RUNDIR — a collector of its own, as on a node named HOST: its spool
# $T/NAME/sp, its socket $T/NAME/c.sock; at node_stop it leaves RUNDIR/nodes/HOST.mdb.
node_start() {
	mkdir -p -m 700 "$T/$1" "$T/$1/sp" "$3/nodes"
	rm -f "$T/$1/ready"
	mkfifo "$T/$1/ready"
	provtrace-collectd -s "$T/$1/c.sock" -S "$T/$1/sp" -d "$T/$1/store.mdb" \
		-o "$3/nodes/$2.mdb" -H "$2" -l "$T/$1/log" -r 3 3>"$T/$1/ready" &
	eval "node_pid_$1=\$!"
	[ "$(head -c 1 "$T/$1/ready")" = R ] || fail "collector $1 did not start: $(cat "$T/$1/log")"
}

node_stop() {
	eval "_p=\$node_pid_$1"
	kill -TERM "$_p"
	wait "$_p" || fail "collector $1 exited with $?: $(tail -3 "$T/$1/log")"
}
