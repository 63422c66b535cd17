#!/bin/sh
# exit.sh — exit statuses pass through provtrace run (128+N for signal N) and are
# recorded: PROC_EXIT with how (0 exit, 1 return from main, 2 _exit/_Exit) and the wait
# status for every exit path, a secondary thread's exit included; death by a signal as a
# died image, its status from the launcher (job) or the parent's WAIT (a child).
. "${top_srcdir:-.}/tests/lib.sh"

while read -r how arg want_rc want_how; do
	name="$how-$arg"
	ptrun "$name" "$PROG/exit" "$how" "$arg"
	assert_eq "$want_rc" "$rc" "$name: provtrace run's exit status"
	if [ "$how" = sig ]; then
		# no exit record: the signal killed it; state 3 = died
		assert_eq "1 - - 3" "$(ev procs -f proc,exit_how,exit_status,state)" \
			"$name: the image (proc exit_how exit_status state)"
		assert_eq "1 0 0" "$(stat_of killed exited dropped)" "$name: killed, exited, dropped"
		assert_eq "job        killed by signal $arg" \
			"$(provtrace-stat "$RUN" | grep '^job')" "$name: provtrace stat"
	else
		# state 1 = exited; the wait status is exit code << 8
		assert_eq "1 $want_how $((arg << 8)) 1 $((arg << 8))" \
			"$(ev procs -f proc,exit_how,exit_status,state,status)" \
			"$name: the image (proc exit_how exit_status state status)"
		assert_eq "0 1 0" "$(stat_of killed exited dropped)" "$name: killed, exited, dropped"
		assert_eq "job        exited with status $arg" \
			"$(provtrace-stat "$RUN" | grep '^job')" "$name: provtrace stat"
	fi
done <<EOF_CASES
ret 0 0 1
ret 3 3 1
exit 5 5 0
_exit 6 6 2
_Exit 7 7 2
thread 8 8 0
sig 15 143 -
sig 9 137 -
EOF_CASES

# a child killed by a signal: its parent's WAIT carries the status
for sig in 15 9; do
	ptrun "wait-$sig" "$PROG/exit" wait "$sig"
	assert_eq 0 "$rc" "wait-$sig: exit status"
	read -r pid status <"$T/wait-$sig.out"
	assert_eq "$sig" "$status" "wait-$sig: the status the program saw"
	assert_eq "$pid $sig" "$(ev rec WAIT proc=1 -f pid,status)" "wait-$sig: WAIT record"
	assert_eq "2 $pid 1 - 3" "$(ev procs proc=2 -f proc,pid,parent,exit_how,state)" \
		"wait-$sig: the child (proc pid parent exit_how state)"
	assert_eq "1 1 0" "$(stat_of killed exited dropped)" "wait-$sig: killed, exited, dropped"
done
