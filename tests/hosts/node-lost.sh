#!/bin/sh
# node-lost.sh — issue 19 part 2: every process of nodeb killed in the middle of the job
# (its agent, its collector, its ranks), its disk kept: the job fails; nodea's record is
# whole; `provtrace run` exits with the job's status and says that nodeb's record is
# incomplete, with the command that finishes it on nodeb; run.json and `stat` say it too.
# Run there, the command brings nodeb's store, with the phase-1 traffic of its killed
# ranks, and the record is complete.
. "$top_srcdir/tests/hosts/hlib.sh"

host_up nodea nodeb
phases_run
between_phases "$D" 4
kill -9 $(host_pids nodeb)
phases_wait
assert_ge 1 "$rc" "provtrace run's status: the job failed"
assert_eq "$rc" "$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["exit"])' "$RUN/run.json")" \
	"provtrace run's status is the job's (run.json)"
said=$(grep -A1 '^provtrace run: the record of node nodeb is incomplete' "$T/err") ||
	fail "provtrace run did not say nodeb's record is incomplete: $(tail -3 "$T/err")"
cmd=$(echo "$said" | sed -n 2p)
case $cmd in
"  $top_builddir/provtrace-collectd --once -S /dev/shm/provtrace-0/"*" -H nodeb -o $RUN/nodes/nodeb.mdb") ;;
*) fail "the recovery command: $cmd" ;;
esac
grep -q '^provtrace run: .*nodea' "$T/err" && fail "provtrace run complained of nodea: $(cat "$T/err")"
assert_eq '["nodeb"]' "$("$PY" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["incomplete_nodes"]))' "$RUN/run.json")" \
	"run.json's incomplete nodes"
assert_eq "1 False [\"nodeb\"] 0" \
	"$(mpi_stat nodes) $(mpi_stat complete) $(mpi_stat nodes_missing) $(mpi_stat running)" \
	"stat before the recovery: nodes, complete, missing, processes of nodea still running"
LOG="$T/nodea.jsonl"
provtrace-dump --log "$RUN/nodes/nodea.mdb" >"$LOG"
assert_eq "0 1" "$(ev rec MPI_INIT -f rank | sort -n | tr '\n' ' ' | sed 's/ $//')" "nodea's ranks"

# on nodeb, as the message says
on nodeb sh -c "$cmd" || fail "the recovery command failed"
assert_eq "2 True []" "$(mpi_stat nodes) $(mpi_stat complete) $(mpi_stat nodes_missing)" \
	"stat after the recovery: nodes, complete, missing"
assert_eq "$PHASE1_PEERS" "$(mpi_peers)" "every pair's traffic of phase 1, nodeb's killed ranks included"
assert_eq "" "$(on nodeb find /dev/shm/provtrace-0 -mindepth 2)" "nodeb's spool, drained"
