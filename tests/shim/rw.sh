#!/bin/sh
# rw.sh — data on open descriptors: read, write, pread, pwrite, readv, writev, preadv,
# pwritev with exact bytes, operations and highest offsets, failures counting nothing;
# pwrite64 at 5 GiB into a sparse file records its offset and size exactly.
. "${top_srcdir:-.}/tests/lib.sh"

D=$(cd "$T" && pwd -P)/d
mkdir "$D"
ptrun rw "$PROG/rw" "$D"
assert_eq 0 "$rc" "exit status"
F='wbytes,wops,rbytes,rops,wmax,rmax,size'
# written: write 10 + writev 21 + pwrite 5 at 100 + pwritev 9 at 200 (highest 209);
# read: pread 4 at 2 + read 8 + readv 7 + preadv 10 at 0 (highest positioned: 10)
assert_eq "45 4 29 4 209 10 209" "$(ev sess "$D/f" -f $F)" "session of f ($F)"
# pwrite64 of 7 bytes at 5 GiB, pread64 of 3 at 5 GiB + 1
assert_eq "7 1 3 1 5368709127 5368709124 5368709127" "$(ev sess "$D/big" -f $F)" \
	"session of big ($F)"
# sendfile of 40 bytes, then copy_file_range of the next 60: each a read of src (which
# was written first) and a write of its destination; by lineage copy2 comes from every
# file the process had read by then
assert_eq "100 1 100 2 0 0 100" "$(ev sess "$D/src" -f $F)" "session of src ($F)"
assert_eq "40 1 0 0 0 0 40" "$(ev sess "$D/copy1" -f $F)" "session of copy1 ($F)"
assert_eq "60 1 0 0 0 0 60" "$(ev sess "$D/copy2" -f $F)" "session of copy2 ($F)"
assert_eq "$D/big
$D/f
$D/src" "$(provtrace-lineage --ancestors "$D/copy2" "$RUN")" "ancestors of copy2"
assert_eq "0 0" "$(stat_of dropped corrupt)" "dropped, corrupt"
assert_eq "$((52 + 200)) $((32 + 100))" "$(stat_of bytes_written bytes_read)" \
	"stat: bytes written, read"
assert_eq 0 "$(ev times)" "sessions whose times are out of order"
