#!/bin/sh
# ipc.sh — lineage through pipes, socket pairs and Unix sockets at a path (CONNECT and
# ACCEPT join the two ends): forked children read a file through an
# inherited descriptor and send it to their parent, which writes it out.  Right after
# each fork the parent closes that descriptor and opens a decoy on the same number: the
# child's read must still be on the file it inherited (INHERIT, never the decoy).
. "${top_srcdir:-.}/tests/lib.sh"

ROUNDS=20
for mode in pipe sock unix; do
	D=$(cd "$T" && pwd -P)/$mode
	mkdir "$D"
	printf 'the input of the %s test\n' "$mode" >"$D/in"
	echo late >"$D/late"
	len=$(wc -c <"$D/in" | tr -d ' ')
	ptrun "$mode" "$PROG/ipc" "$mode" "$D" "$ROUNDS"
	assert_eq 0 "$rc" "$mode: exit status"
	assert_eq $((ROUNDS * len)) "$(cat "$T/$mode.out")" "$mode: bytes through the channel"
	assert_eq "$D/in" "$(provtrace-lineage --ancestors "$D/out" "$RUN")" "$mode: ancestors of out"
	# the parent wrote the decoy again after the first round's data had reached it, and
	# printed the total to its standard output ($T/$mode.out) at the end
	assert_eq "${D%/*}/$mode.out
$D/decoy
$D/out" "$(provtrace-lineage --descendants "$D/in" "$RUN")" "$mode: descendants of in"
	# each child's read: on the inherited session, ended from its table at _exit
	assert_eq "$ROUNDS INHERIT C_SESS_END $len" \
		"$(ev sess "$D/in" rops!=0 -f via,end,rbytes | sort | uniq -c | sed 's/^ *//')" \
		"$mode: the children's reads of in (count via end rbytes)"
	assert_eq 0 "$(ev sess "$D/decoy" rops!=0)" "$mode: reads of the decoy"
	if [ "$mode" = unix ]; then
		# socket(2) is not wrapped: the connected and the accepted ends are adopted
		assert_eq "$((2 * ROUNDS)) $ROUNDS $ROUNDS" \
			"$(ev rec ADOPT kind=4) $(ev rec CONNECT addr="$D/sock") $(ev rec ACCEPT addr="$D/sock")" \
			"$mode: ADOPT, CONNECT, ACCEPT records"
	else
		# (the standard output is adopted: the parent's printf of the total is counted)
		assert_eq "1 0" "$(ev rec ADOPT fd=1) $(ev rec ADOPT fd!=1)" \
			"$mode: the standard output adopted, no other descriptor (all inherited)"
	fi
	# the children's writes into the channel and the parent's reads out of it
	assert_eq "$((2 * ROUNDS * len)) 0 0" "$(stat_of ipc_bytes dropped corrupt)" \
		"$mode: ipc_bytes, dropped, corrupt"
	assert_eq "$((ROUNDS + 1))" "$(stat_of processes)" "$mode: processes"
done
