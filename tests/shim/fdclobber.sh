#!/bin/sh
# fdclobber.sh — RELIABILITY.md case 10: the program closes every descriptor from 3 up
# (closefrom), puts its own file on descriptors 3 to 9 (dup2), closes and reuses them,
# while children start and an image is exec'd.  Not one byte of the shim's may land in
# the program's file, and every byte written to it is accounted for.
. "${top_srcdir:-.}/tests/lib.sh"

D=$(cd "$T" && pwd -P)/d
mkdir "$D"
ptrun fdclobber "$PROG/fdclobber" "$D"
assert_eq 0 "$rc" "exit status ($(cat "$T/fdclobber.err"))"
{
	for i in 0 1 2 3 4 5 6 7 8 9; do echo "parent $i"; done
	for c in 0 1 2 3 4 5 6 7 8 9; do for i in 0 1 2 3 4; do echo "child $i"; done; done
	for i in 0 1 2 3 4 5 6 7 8 9; do echo "parent $i"; done
	i=0
	while [ $i -lt 50 ]; do echo "exec $i"; i=$((i + 1)); done
} >"$T/expected"
cmp "$T/expected" "$D/user" >&2 || fail "the program's file holds bytes it did not write"
# every byte written to it, through any of its descriptors, in any process
size=$(wc -c <"$D/user" | tr -d ' ')
assert_eq "$size" "$(ev sess "$D/user" -f wbytes | awk '{ s += $1 } END { print s }')" \
	"bytes recorded for the program's file"
# the children's own files, opened on descriptor 10 right after their regions were made
assert_eq "10 10 12" "$(ev sess "$D/k*" -f fd,wbytes | sort | uniq -c | sed 's/^ *//')" \
	"the children's files (count fd wbytes)"
assert_eq "13 0 0" "$(stat_of processes dropped corrupt)" "processes, dropped, corrupt"
