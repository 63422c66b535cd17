#!/bin/sh
# launch.sh — `provtrace run -- mpirun`: the shim's settings travel with -x, and with a
# host list a collector is started on each node of it first (mpirun --map-by
# ppr:1:node running provtrace-run --agent), stopped after the job; the shim in mpirun
# and its daemons does not disturb them.
. "$top_srcdir/tests/mpi/mlib.sh"

D="$T/data"
mpiprog_data "$D"

# mpirun's own command line, as the shim recorded it in PROC_START
mpirun_argv() {
	ev rec PROC_START -f argv | grep -E '^mpirun,' | head -1
}

# ---- one node, no host list: the launcher's own collector
ptrun local $MPIRUN -np 4 "$MPIDIR/mpiprog" "$D"
assert_eq 0 "$rc" "mpirun's status (stderr: $(tail -5 "$T/local.err"))"
argv=$(mpirun_argv)
for v in LD_PRELOAD PROVTRACE_SPOOL PROVTRACE_SOCKET PROVTRACE_RUN; do
	case ",$argv," in
	*",-x,$v,"*) ;;
	*) fail "mpirun was not given -x $v: $argv" ;;
	esac
done
assert_eq "$MPIPROG_PEERS" "$(mpi_peers)" "traffic per pair"
assert_eq "mpirun" "$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["launcher"])' "$RUN/run.json")" "run.json: the launcher"

# ---- a host list: an agent per node (here the one node the list names)
ptrun hosts $MPIRUN --host localhost:4 -np 4 "$MPIDIR/mpiprog" "$D"
assert_eq 0 "$rc" "mpirun's status (stderr: $(tail -5 "$T/hosts.err"))"
assert_eq ok "$(cat "$T/hosts.out")" "the program's output"
assert_eq "[\"$(hostname)\"]" "$("$PY" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["nodes"]))' "$RUN/run.json")" "run.json: the nodes"
assert_eq "$MPIPROG_PEERS" "$(mpi_peers)" "traffic per pair, recorded by the node's agent"
assert_eq "a.in c.in e.in" "$(lineage_in "$D" --ancestors "$D/f.out")" "lineage of f.out"
# the agents are gone, and so are their directories and files
assert_eq "" "$(ls -A "$PROVTRACE_TMPDIR/provtrace-$(id -u)" 2>/dev/null)" "work directories left"
assert_eq "" "$(ls -A "$RUN/nodes" | grep '^\.agent' || true)" "agent files left in the run directory"
pgrep -f "provtrace-run --agent $RUN" >/dev/null && fail "an agent still runs"

# ---- a node's agent cannot start (its store is there already): the job does not run,
# and provtrace run says why
mkdir -p "$T/broken/nodes"
: >"$T/broken/nodes/$(hostname).mdb"
rm -f "$D/b.out"
set +e
provtrace-run -q -o "$T/broken" -- $MPIRUN --host localhost:4 -np 4 "$MPIDIR/mpiprog" "$D" \
	>"$T/broken.out" 2>"$T/broken.err"
rc=$?
set -e
assert_eq 125 "$rc" "provtrace run's status when a node's collector cannot start"
grep -q "did not start" "$T/broken.err" || fail "no reason given: $(cat "$T/broken.err")"
[ -e "$D/b.out" ] && fail "the job ran untraced"
exit 0
