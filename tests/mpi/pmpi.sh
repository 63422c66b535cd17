#!/bin/sh
# pmpi.sh — another PMPI tool preloaded beside provtrace (RELIABILITY 15): in either
# order the tool sees the same calls and bytes as when it runs alone, and provtrace
# records the exact traffic, once.
. "$top_srcdir/tests/mpi/mlib.sh"

tool="$MPIDIR/.libs/pmpitool.so"
[ -f "$tool" ] || fail "tests/mpi/.libs/pmpitool.so not built"
D="$T/data"
mpiprog_data "$D"

# alone
$MPIRUN -np 4 -x LD_PRELOAD="$tool" -x PMPITOOL_OUT="$T/alone" "$MPIDIR/mpiprog" "$D" \
	>"$T/alone.out" 2>&1 || fail "the tool alone: $(tail -5 "$T/alone.out")"
[ -s "$T/alone.0" ] || fail "the tool wrote nothing"
assert_eq "rank 0 sends 1 4096 recvs 1 64 waits 0 bcasts 2 allreduces 1 barriers 7" \
	"$(cat "$T/alone.0")" "what the tool saw in rank 0 alone"

# order NAME PRELOAD — mpiprog with this preload, the shim recording into its collector
order() {
	RUN="$T/$1"
	node_start "$1" "$(hostname)" "$RUN"
	$MPIRUN -np 4 -x LD_PRELOAD="$2" -x PMPITOOL_OUT="$T/$1" \
		-x PROVTRACE_SPOOL="$T/$1/sp" -x PROVTRACE_SOCKET="$T/$1/c.sock" \
		"$MPIDIR/mpiprog" "$D" >"$T/$1.out" 2>&1 || fail "$1: $(tail -5 "$T/$1.out")"
	node_stop "$1"
	assert_eq ok "$(cat "$T/$1.out")" "$1: the program's output"
	for r in 0 1 2 3; do
		assert_eq "$(cat "$T/alone.$r")" "$(cat "$T/$1.$r")" "$1: what the tool saw in rank $r"
	done
	assert_eq "$MPIPROG_PEERS" "$(mpi_peers)" "$1: what provtrace recorded, per pair"
	assert_eq "92" "$(mpi_stat mpi_collective_calls)" "$1: collective calls provtrace recorded"
}

# provtrace first: its MPI_Send forwards to the tool's, whose PMPI_Send passes through
order shimfirst "$SHIM:$tool"
# the tool first: its MPI_Send calls PMPI_Send, which reaches the shim
order toolfirst "$tool:$SHIM"
