#!/bin/sh
# open.sh — the open family: open, open64, openat on a directory descriptor, creat, a
# path to normalise; and -D_FORTIFY_SOURCE=2 builds that call __open_2, __openat_2 and
# __read_chk, or with 64-bit offsets __open64_2, __openat64_2, open64 and openat64.
# Each access is one session, with its call, flags, mode and exact bytes.
. "${top_srcdir:-.}/tests/lib.sh"

F='via,call,flags,mode,wbytes,wops,rbytes,rops,how,size'
for build in open open-fortify open-fortify64; do
	D=$(cd "$T" && pwd -P)/$build
	mkdir "$D"
	ptrun "$build" "$PROG/$build" "$D"
	assert_eq 0 "$rc" "$build: exit status"
	if [ "$build" != open ]; then
		open2=3 openat2=3      # PT_CALL_OPEN_2
	else
		open2=0 openat2=1      # PT_CALL_OPEN, PT_CALL_OPENAT
	fi
	# o1: written through open, read through open64, read again through open (or
	# __open_2 and __read_chk); the read at the end of the file moves nothing.
	# flags 577 = O_WRONLY|O_CREAT|O_TRUNC, mode 416 = 0640; sizes are taken at the
	# close of sessions that read or wrote (the version's identity, for its hash)
	assert_eq "OPEN 0 577 416 11 1 0 0 0 11
OPEN 0 0 0 0 0 11 1 0 11
OPEN $open2 0 0 0 0 11 1 0 11" "$(ev sess "$D/o1" -f $F)" "$build: sessions of o1 ($F)"
	assert_eq "OPEN 1 577 384 5 1 0 0 0 5" "$(ev sess "$D/o2" -f $F)" "$build: openat of o2 ($F)"
	assert_eq "OPEN 2 577 384 3 1 0 0 0 3" "$(ev sess "$D/o3" -f $F)" "$build: creat of o3 ($F)"
	# opened as DIR/./sub//../o4: recorded under its normal name
	assert_eq "OPEN 0 65 384 0 0 0 0 0 0" "$(ev sess "$D/o4" -f $F)" "$build: o4 ($F)"
	assert_eq "OPEN 1 65 384
OPEN $openat2 0 0" "$(ev sess "$D/o5" -f via,call,flags,mode)" "$build: o5 (via call flags mode)"
	assert_eq "2 65536" "$(ev rec OPEN path="$D" -f kind,flags)" "$build: the directory's OPEN"
	assert_eq 0 "$(ev rec OPEN path="$D/missing")" "$build: OPEN records of a failed open"
	# every access exactly once: o1 three times, o2, o3, o4, o5 twice, the directory
	n=$("$PY" -c '
import json, sys
d = sys.argv[2]
print(sum(1 for l in open(sys.argv[1]) for r in [json.loads(l)]
          if r["type"] == "OPEN" and (r["path"] + "/").startswith(d + "/")))' "$LOG" "$D")
	assert_eq 9 "$n" "$build: OPEN records under $D"
	assert_eq "0 0 0" "$(stat_of dropped corrupt gaps)" "$build: dropped, corrupt, gaps"
done
