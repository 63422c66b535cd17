#!/bin/sh
# stdio2.sh — streams read or written only through what no wrapper sees (the
# getc_unlocked and putc_unlocked macros, the scanf and wide-character families): each
# file is in the record with its bytes (the stream's position when it is closed, or when
# the process exits with it open), and in the lineage of what the process wrote.
. "${top_srcdir:-.}/tests/lib.sh"

D=$(cd "$T" && pwd -P)/d
mkdir "$D"
printf '1 2 3\n40 50\n600\n' >"$D/nums"
printf 'plain text\nsecond line\n' >"$D/text"
printf 'caf\303\251 cr\303\250me\nna\303\257ve\n' >"$D/wide"
head -c 100 /dev/zero | tr '\0' 'm' >"$D/mixed"
printf '7 8 9\n' >"$D/open-scanf"
head -c 100 /dev/zero | tr '\0' 'a' >"$D/app"
head -c 100 /dev/zero | tr '\0' 'b' >"$D/aplus"
head -c 2000 /dev/zero | tr '\0' 'r' >"$D/rplus"
head -c 10000 /dev/zero | tr '\0' 'e' >"$D/reread"
seq 1 1000 >"$D/fdin"
seq 1 700 >"$D/fre"
size() { wc -c <"$1" | tr -d ' '; }

ptrun s2 "$PROG/stdio2" "$D"
assert_eq 0 "$rc" "exit status ($(cat "$T/s2.err"))"
F='rbytes,rops,wbytes,wops'
assert_eq "$(size "$D/nums") 1 0 0" "$(ev sess "$D/nums" -f $F)" "fscanf to the end ($F)"
assert_eq "$(size "$D/text") 1 0 0" "$(ev sess "$D/text" -f $F)" "getc_unlocked to the end ($F)"
assert_eq "$(size "$D/wide") 1 0 0" "$(ev sess "$D/wide" -f $F)" "fgetws to the end ($F)"
assert_eq "100 2 0 0" "$(ev sess "$D/mixed" -f $F)" "fread 10, then getc_unlocked ($F)"
assert_eq "0 0 5000 1" "$(ev sess "$D/out-putc" -f $F)" "putc_unlocked ($F)"
assert_eq "0 0 16 1" "$(ev sess "$D/out-wide" -f $F)" "fputws and fwprintf, UTF-8 ($F)"
assert_eq 5000 "$(size "$D/out-putc")" "out-putc's size"
assert_eq 16 "$(size "$D/out-wide")" "out-wide's size"
# left open: settled at exit, ended from the region's table
assert_eq "$(size "$D/open-scanf") 1 0 0" "$(ev sess "$D/open-scanf" -f $F)" \
	"fscanf, stream open at exit ($F)"
assert_eq "0 0 3000 1" "$(ev sess "$D/open-putc" -f $F)" "putc_unlocked, stream open at exit ($F)"
assert_eq 3000 "$(size "$D/open-putc")" "open-putc's size"
# the other modes, a phase at each repositioning or flush of a "+" stream
assert_eq "0 0 700 1" "$(ev sess "$D/app" -f $F)" '"a": what was appended, not the size'
assert_eq 800 "$(size "$D/app")" "app's size"
assert_eq "100 1 10 1" "$(ev sess "$D/aplus" -f $F)" '"a+": read, fseek to the end, putc_unlocked'
assert_eq "3000 1 3000 1" "$(ev sess "$D/wplus" -f $F)" '"w+": written, rewind, read back'
assert_eq "1500 1 500 1" "$(ev sess "$D/rplus" -f $F)" '"r+": overwritten, fflush, read on'
assert_eq "15000 2 0 0" "$(ev sess "$D/reread" -f $F)" '"r": 5000, fseek to 0, all again'
# streams over a descriptor the shim follows, or one it adopts
assert_eq "$(size "$D/fdin") 1 0 0" "$(ev sess "$D/fdin" -f $F)" "fdopen, getc_unlocked ($F)"
assert_eq "0 0 0 0 OPEN
$(size "$D/fre") 1 0 0 ADOPT" "$(ev sess "$D/fre" -f $F,via)" "freopen(NULL), getc_unlocked"
assert_eq "0 0 2000 1 ADOPT" "$(ev sess '/tmp/#*' -f $F,via)" "tmpfile by putc_unlocked"
# printf to the standard output, a file here; an object unloaded before the exit
OUT="$(cd "$T" && pwd -P)/s2.out"
assert_eq "$(size "$OUT")" "$(ev sess "$OUT" -f wbytes)" "printf to the standard output"
assert_eq 1 "$(ev rec LIBS -f libs | grep -c '/libm\.so\.6,')" "libm in the loaded objects"
# what the process had read by then is where its outputs come from
assert_eq "$D/mixed
$D/nums
$D/text
$D/wide" "$(provtrace-lineage --ancestors "$D/out-wide" "$RUN" | sort)" "ancestors of out-wide"
assert_eq "0 0" "$(stat_of dropped corrupt)" "dropped, corrupt"
