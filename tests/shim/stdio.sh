#!/bin/sh
# stdio.sh — streams: glibc's fopen and fread never reach the open and read wrappers, so
# the stdio wrappers record them, each access once and each byte once.
. "${top_srcdir:-.}/tests/lib.sh"

D=$(cd "$T" && pwd -P)/d
mkdir "$D"
ptrun stdio "$PROG/stdio" "$D"
assert_eq 0 "$rc" "exit status"
F='via,call,flags,mode,wbytes,wops,rbytes,rops,how,size'
# call 4 = fopen, how 1 = fclose; "w" = O_WRONLY|O_CREAT|O_TRUNC (577), mode 0666.
# Written: fwrite 100 + fprintf 7 + fputs 4 + fputc 1.  Read: fread 50 + fgets 57 +
# fgetc 1 + getline 3 + fgetc 1; the reads at the end of the file count nothing.
assert_eq "OPEN 4 577 438 112 4 0 0 1 112
OPEN 4 0 438 0 0 112 5 1 112" "$(ev sess "$D/s1" -f $F)" "sessions of s1 ($F)"
# fdopen continues the descriptor's session (call 0 = open); fclose ends it
assert_eq "OPEN 0 577 384 7 1 0 0 1 7" "$(ev sess "$D/s2" -f $F)" "session of s2 ($F)"
assert_eq 0 "$(ev rec OPEN path="$D/missing")" "OPEN records of a failed fopen"
assert_eq 3 "$(ev rec OPEN)" "OPEN records"
assert_eq 112 "$(wc -c <"$D/s1" | tr -d ' ')" "size of s1"
assert_eq "0 0" "$(stat_of dropped corrupt)" "dropped, corrupt"
assert_eq 0 "$(ev times)" "sessions whose times are out of order"
