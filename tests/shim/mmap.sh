#!/bin/sh
# mmap.sh — file mappings: a private read mapping is a read of its length, a shared
# writable one a read and a write (offsets included); anonymous memory is no file.
. "${top_srcdir:-.}/tests/lib.sh"

D=$(cd "$T" && pwd -P)/d
mkdir "$D"
ptrun mmap "$PROG/mmap" "$D"
assert_eq 0 "$rc" "exit status"
F='wbytes,wops,rbytes,rops,wmax,rmax,size'
assert_eq "8192 1 0 0 0 0 8192
0 0 8192 1 0 8192 8192
4096 1 4096 1 8192 8192 8192" "$(ev sess "$D/m" -f $F)" "sessions of m ($F)"
# MMAP: [sid, len, off, prot, flags]: PROT_READ MAP_PRIVATE, then PROT_READ|PROT_WRITE
# MAP_SHARED at 4096, each in the session that mapped it
assert_eq "2 8192 0 1 2
3 4096 4096 3 1" "$(ev rec MMAP -f sid,len,off,prot,flags)" "MMAP records (sid len off prot flags)"
assert_eq "0 0" "$(stat_of dropped corrupt)" "dropped, corrupt"
assert_eq 0 "$(ev times)" "sessions whose times are out of order"
