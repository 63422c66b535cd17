#!/bin/sh
# collector-kill.sh — issue 19 part 2: nodeb's collector killed (SIGKILL) in the middle of
# a two-host job.  Its agent starts another on the same spool and store, which resumes
# where the dead one's last transaction ended; no agent is aborted, nodea loses nothing,
# and the record is whole: every process ended, every pair's traffic of both phases, the
# job's status, lineage across the nodes.  Before: the agent returned, Open MPI aborted
# nodea's agent, whose early stop lost nodea's last records, and `provtrace run` said
# nothing.
. "$top_srcdir/tests/hosts/hlib.sh"

host_up nodea nodeb
phases_run
between_phases "$D" 4
c=$(host_pids_of nodeb provtrace-colle)
[ -n "$c" ] && [ "$(echo "$c" | wc -l)" = 1 ] || fail "nodeb's collector: pids '$c'"
kill -9 "$c"
touch "$D/go"
phases_wait
assert_eq 0 "$rc" "provtrace run's status (stderr: $(tail -5 "$T/err"))"
assert_eq "ok" "$(cat "$T/out")" "the job's output"
assert_eq "provtrace: run recorded in $RUN" "$(cat "$T/err")" "what provtrace run said"
assert_eq "provtrace run: the collector of nodeb was killed by signal 9 during the job; restarted it on the same spool and store" \
	"$(cat "$RUN/nodes/agents.log")" "what nodeb's agent said"
assert_eq "nodea.mdb nodeb.mdb" "$(cd "$RUN/nodes" && echo *.mdb)" "a store per node"
assert_eq "2 True 0 0" "$(mpi_stat nodes) $(mpi_stat complete) $(mpi_stat running) $(mpi_stat killed)" \
	"nodes, complete, processes still running, killed"
assert_eq "job        exited with status 0" "$(provtrace-stat "$RUN" | grep '^job ')" "the job's status"
assert_eq "$PHASES_PEERS" "$(mpi_peers)" "every pair's traffic of both phases"
assert_eq "True" "$(mpi_stat mpi_consistent)" "every pair's sends match its receives"
# one.2 on nodeb was written before any message; two.2 after rank 2 received in.1 from
# rank 1 (phase 1), then from rank 1 again while rank 1 received from rank 0, which had
# received in.3 from rank 3 on nodeb: at the grain of processes and messages, all four
assert_eq "in.2" "$(lineage_in "$D" --ancestors "$D/one.2")" "one.2's sources"
assert_eq "in.0 in.1 in.2 in.3" "$(lineage_in "$D" --ancestors "$D/two.2")" "two.2's sources, across the nodes"
