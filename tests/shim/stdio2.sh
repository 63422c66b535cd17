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
# what the process had read by then is where its outputs come from
assert_eq "$D/mixed
$D/nums
$D/text
$D/wide" "$(provtrace-lineage --ancestors "$D/out-wide" "$RUN" | sort)" "ancestors of out-wide"
assert_eq "0 0" "$(stat_of dropped corrupt)" "dropped, corrupt"
