#!/bin/sh
# sigio.sh — RELIABILITY.md case 11: a signal handler doing I/O interrupts the program
# thousands of times, inside the shim too.  No deadlock (the watchdog), none of the
# program's own sessions lost, and each handler call either recorded whole or, when it
# interrupted the shim's recording, counted as two dropped records (its OPEN and CLOSE).
. "${top_srcdir:-.}/tests/lib.sh"

N=20000
D=$(cd "$T" && pwd -P)/d
mkdir "$D"
ptrun sigio "$PROG/sigio" "$D" "$N"
assert_eq 0 "$rc" "exit status ($(cat "$T/sigio.err"))"
handled=$(cat "$T/sigio.out")
assert_ge 1 "$handled" "handler calls"
assert_eq "$N 2 1 CLOSE" "$(ev sess "$D/m" -f wbytes,wops,end | sort | uniq -c | sed 's/^ *//')" \
	"the program's sessions (count wbytes wops end)"
recorded=$(ev sess "$D/h" -f wbytes,wops,end | sort | uniq -c | sed 's/^ *//')
case $recorded in
"") nrec=0 ;;
*" 1 1 CLOSE") nrec=${recorded%% *} ;;
*) fail "the handler's sessions: $recorded" ;;
esac
dropped=$(ev procs proc=1 -f dropped)
assert_eq 0 $((dropped % 2)) "records dropped ($dropped) come in pairs"
assert_eq "$handled" $((nrec + dropped / 2)) \
	"handler calls = sessions recorded ($nrec) + dropped pairs ($dropped / 2)"
assert_eq "$handled $((2 * N))" "$(wc -c <"$D/h" | tr -d ' ') $(wc -c <"$D/m" | tr -d ' ')" \
	"bytes in h and m"
assert_eq "0 0" "$(stat_of torn corrupt)" "torn, corrupt"
