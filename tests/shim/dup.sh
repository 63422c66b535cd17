#!/bin/sh
# dup.sh — dup, dup2, dup3, fcntl(F_DUPFD, F_DUPFD_CLOEXEC) continue the session's file
# under the new descriptor; dup2 onto a descriptor in use ends that one's session (how 3)
# with the file's identity (its size) as a close would;
# close_range and closefrom end every session of their range (how 2).
. "${top_srcdir:-.}/tests/lib.sh"

D=$(cd "$T" && pwd -P)/d
mkdir "$D"
ptrun dup "$PROG/dup" "$D"
assert_eq 0 "$rc" "exit status"
F='via,fd,wbytes,wops,how,end'
# d: the original (1 byte, then 7 after dup2 onto itself), then each duplicate's bytes
assert_eq "OPEN 3 8 2 0 CLOSE
DUP 4 2 1 0 CLOSE
DUP 50 3 1 0 CLOSE
DUP 60 4 1 0 CLOSE
DUP 70 5 1 0 CLOSE
DUP 80 6 1 0 CLOSE" "$(ev sess "$D/d" -f $F)" "sessions of d ($F)"
assert_eq "OPEN 3 1 1 0 CLOSE
DUP 4 8 1 0 CLOSE" "$(ev sess "$D/g1" -f $F)" "sessions of g1 ($F)"
assert_eq "OPEN 4 2 1 3 CLOSE" "$(ev sess "$D/g2" -f $F)" "session of g2, replaced by dup2 ($F)"
# g2's identity, read before dup2 took its number: its size (0 would be none)
assert_eq 2 "$(ev sess "$D/g2" -f size)" "size of g2 at its session's end"
if grep -q '^#define HAVE_CLOSE_RANGE 1' "$top_builddir/config.h"; then how=2; else how=0; fi
for f in e1:3:1 e2:4:2 e3:5:3; do
	IFS=: read -r name fd n <<-X
	$f
	X
	assert_eq "OPEN $fd $n 1 $how CLOSE" "$(ev sess "$D/$name" -f $F)" "session of $name ($F)"
done
if grep -q '^#define HAVE_CLOSEFROM 1' "$top_builddir/config.h"; then how=2; else how=0; fi
assert_eq "OPEN 3 4 1 $how CLOSE" "$(ev sess "$D/f1" -f $F)" "session of f1 ($F)"
assert_eq "OPEN 4 5 1 $how CLOSE" "$(ev sess "$D/f2" -f $F)" "session of f2 ($F)"
assert_eq "0 0" "$(stat_of dropped corrupt)" "dropped, corrupt"
