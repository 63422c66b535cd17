#!/bin/sh
# threads.sh — 2, 4 and 8 threads on one shared descriptor or stream (pread, read, write,
# fwrite, fread of 8 bytes): the session's bytes and operations are exact.  The thread
# that began counting a session adds plainly; every other thread adds atomically, into
# a second set of counters that the close (or the collector, for a killed image) sums in.
. "${top_srcdir:-.}/tests/lib.sh"

N=100000
F='wbytes,wops,rbytes,rops,rmax'
for NT in 2 4 8; do
	D=$(cd "$T" && pwd -P)/t$NT
	mkdir "$D"
	ptrun "t$NT" "$PROG/threads" "$D" "$NT" "$N"
	assert_eq 0 "$rc" "$NT threads: exit status ($(cat "$T/t$NT.err"))"
	b=$((NT * N * 8))
	ops=$((NT * N))
	fills=$(( (b + 65535) / 65536 ))   # the untimed writes that made the input files
	assert_eq "4096 1 0 0 0
0 0 $b $ops 4096" "$(ev sess "$D/pread" -f $F)" "$NT threads: pread ($F)"
	assert_eq "$b $fills 0 0 0
0 0 $b $ops 0" "$(ev sess "$D/read" -f $F)" "$NT threads: read ($F)"
	assert_eq "$b $ops 0 0 0" "$(ev sess "$D/write" -f $F)" "$NT threads: write ($F)"
	assert_eq "$b $ops 0 0 0" "$(ev sess "$D/fwrite" -f $F)" "$NT threads: fwrite ($F)"
	assert_eq "$b $fills 0 0 0
0 0 $b $ops 0" "$(ev sess "$D/fread" -f $F)" "$NT threads: fread ($F)"
	assert_eq "0 0" "$(stat_of dropped corrupt)" "$NT threads: dropped, corrupt"
done
