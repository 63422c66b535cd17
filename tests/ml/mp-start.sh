#!/bin/sh
# mp-start.sh — RELIABILITY.md case 9: multiprocessing workers started by fork, spawn and
# forkserver each load a shard and leave through os._exit; their reads arrive, the
# parent's output descends from exactly the shards they read, and the helper processes
# (spawn's and forkserver's resource tracker, the fork server) are the only extra ones.
. "${top_srcdir:-.}/tests/lib.sh"

ml_shards 8
N=4
for method in fork spawn forkserver; do
	ptrun "$method" "$PY" "$top_srcdir/tests/ml/mp_start.py" "$method" data "out-$method" "$N"
	assert_eq 0 "$rc" "$method: exit status ($(cat "$T/$method.err"))"
	assert_eq "$N" "$(cat "$T/$method.out")" "$method: results"
	want=$(for i in 0 1 2 3; do printf '%s/data/shard-%03d.npz\n' "$D" "$i"; done)
	assert_eq "$want" "$(provtrace lineage --ancestors "out-$method" "$RUN" | grep "^$D/")" \
		"$method: the output's ancestors in the job's directory"
	# the workers: each read its shard, left through _exit (exit how 2), state exited
	ev sess "$D/data/shard-*" rops!=0 -f path,proc >"$T/$method.reads"
	assert_eq "$N" "$(cut -d' ' -f1 "$T/$method.reads" | sort -u | wc -l | tr -d ' ')" \
		"$method: shards read"
	for w in $(cut -d' ' -f2 "$T/$method.reads" | sort -u); do
		assert_eq "2 1 0" "$(ev procs proc="$w" -f exit_how,state,dropped)" \
			"$method: worker process $w (exit_how state dropped)"
	done
	assert_eq "$N" "$(cut -d' ' -f2 "$T/$method.reads" | sort -u | wc -l | tr -d ' ')" \
		"$method: workers that read"
	# the processes: the job, its workers, and the helpers of each start method (a fork
	# server's workers are its fork children and carry its argv: not counted here)
	helpers=$(ev procs start_how!=1 -f argv | grep -c -e 'resource_tracker import main' \
		-e 'forkserver import main;' || true)
	workers=$(ev procs exit_how=2 -f proc | wc -l | tr -d ' ')
	case $method in
	fork) want_helpers=0 ;;
	spawn) want_helpers=1 ;;       # the resource tracker
	forkserver) want_helpers=2 ;;  # the resource tracker and the fork server
	esac
	assert_eq "$want_helpers" "$helpers" "$method: helper processes"
	assert_eq "$N" "$workers" "$method: processes that left through _exit"
	assert_eq "$((1 + N + want_helpers)) 0 0" "$(stat_of processes dropped corrupt)" \
		"$method: processes dropped corrupt"
done
