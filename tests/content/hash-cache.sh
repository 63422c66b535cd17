#!/bin/sh
# hash-cache.sh — the node's hash cache across runs (collector/hcache.h): a file of 1 MiB or
# more, unchanged for 2 s when hashed, is not read again by the next run while its device,
# inode, size, mtime and ctime are the same; new bytes with the size and mtime put back are
# read again (the ctime moved); a small file and one just written are not cached; a damaged
# cache, one writable by others, are not used, and the hashes stay right; a full cache is
# emptied and takes the new hashes (RELIABILITY.md 21: MDB_MAP_FULL).  The proof that a run took a hash from the cache and did not read the file:
# the cache entry is replaced with a hash no bytes have, and that is what the run reports.
. "${top_srcdir:-.}/tests/lib.sh"

content_dir
command -v mdb_dump >/dev/null && command -v mdb_load >/dev/null ||
	skip "no mdb_dump/mdb_load (Debian package lmdb-utils)"
export PROVTRACE_HASH_CACHE="$T/hc.mdb"
head -c 3000000 /dev/urandom >big.bin
for i in 1 2 3 4 5 6 7 8; do head -c 1100000 /dev/urandom >full$i.bin; done
printf 'small\n' >small.txt
sleep 2.2   # settled: their ctimes 2 s in the past when run 1 hashes them
h() { echo "xxh3-128:$(xxh128sum "$1" | cut -d' ' -f1)"; }
job() {   # job NAME: out.bin from big.bin and small.txt, every file opened by the programs
	ptrun "$1" sh -c 'cat big.bin small.txt | tee out.bin >/dev/null'
	assert_eq 0 "$rc" "$1: job exit status ($(cat "$T/$1.err"))"
}
# the hashes lineage gives the job's inputs: "HASH PATH", sorted
inputs() {
	provtrace-lineage --hash --ancestors "$D/out.bin" "$RUN" | grep -E '/(big\.bin|small\.txt)$' |
		sed "s|$D/||" | sort -k2
}
entries() { mdb_stat -n "$PROVTRACE_HASH_CACHE" | sed -n 's/^ *Entries: //p'; }
# cached FILE... — "yes" or "no" for each, whether the cache holds its inode
cached() {
	mdb_dump -n "$PROVTRACE_HASH_CACHE" | "$PY" -c '
import os, struct, sys
lines = sys.stdin.read().split("\n")
start = lines.index("HEADER=END") + 1
inos = {struct.unpack("<Q", bytes.fromhex(k[1:])[8:16])[0] for k in lines[start:-2:2]}
print(" ".join("yes" if os.stat(f).st_ino in inos else "no" for f in sys.argv[1:]))' "$@"
}

job r1
assert_eq "$(h big.bin)	big.bin
$(h small.txt)	small.txt" "$(inputs)" "run 1: the inputs' hashes"
assert_eq "yes no no" "$(cached big.bin out.bin small.txt)" \
	"cached after run 1: big.bin (and the libraries of 1 MiB or more), not out.bin (just written) nor small.txt (under 1 MiB)"

# big.bin's entry gets a hash no bytes have: run 2 reports it, so it did not read big.bin
FAKE=abababababababababababababababab
mdb_dump -n "$PROVTRACE_HASH_CACHE" >"$T/dump"
"$PY" - "$T/dump" "$(stat -c %i big.bin)" "$FAKE" >"$T/dump.fake" <<'PY'
import struct, sys
lines = open(sys.argv[1]).read().split("\n")
ino, fake = int(sys.argv[2]), sys.argv[3]
out, i, hit = [], 0, 0
while i < len(lines):
    l = lines[i]
    if l.startswith(" ") and i + 1 < len(lines) and lines[i + 1].startswith(" "):
        key, val = l[1:], lines[i + 1][1:]
        if struct.unpack("<Q", bytes.fromhex(key)[8:16])[0] == ino:
            val = fake + val[32:]
            hit += 1
        out += [" " + key, " " + val]
        i += 2
        continue
    out.append(l)
    i += 1
assert hit == 1, "big.bin's entry not found"
print("\n".join(out), end="")
PY
rm -f "$PROVTRACE_HASH_CACHE" "$PROVTRACE_HASH_CACHE-lock"
mdb_load -n -f "$T/dump.fake" "$PROVTRACE_HASH_CACHE"
job r2
assert_eq "xxh3-128:$FAKE	big.bin
$(h small.txt)	small.txt" "$(inputs)" "run 2: big.bin's hash from the cache (not read), small.txt read"

# other bytes, same inode, size and mtime (put back): the ctime moved, so it is read
touch -r big.bin "$T/stamp"
"$PY" -c 'open("big.bin", "r+b").write(b"changed!")'
touch -r "$T/stamp" big.bin
assert_eq "$(stat -c %y "$T/stamp") 3000000" "$(stat -c '%y %s' big.bin)" "mtime put back, size unchanged"
job r3
assert_eq "$(h big.bin)	big.bin
$(h small.txt)	small.txt" "$(inputs)" "run 3: the new bytes' hash, not the cached one"

# off: PROVTRACE_HASH_CACHE=0 reads every file (and leaves the cache as it is)
n=$(entries)
PROVTRACE_HASH_CACHE=0 job r4
assert_eq "$(h big.bin)" "$(inputs | sed -n 's/	big.bin$//p')" "run 4 (cache off): big.bin read"
assert_eq "$n" "$(entries)" "the cache untouched with PROVTRACE_HASH_CACHE=0"

# a damaged cache: one warning from the collector, every hash right
head -c 65536 /dev/urandom >"$T/bad.mdb"
PROVTRACE_HASH_CACHE="$T/bad.mdb" job r5
assert_eq "$(h big.bin)	big.bin
$(h small.txt)	small.txt" "$(inputs)" "run 5 (damaged cache): the hashes"
assert_eq 0 "$(provtrace-stat --json "$RUN" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["hashes"]["unreadable"])')" \
	"run 5: no file unreadable"
assert_eq "provtrace-collectd: the hash cache is not used: $T/bad.mdb: MDB_INVALID: File is not an LMDB file" \
	"$(grep 'hash cache' "$T/r5.err")" "run 5: the collector's one warning"

# writable by others: not used (its entries would be taken for files' bytes), one warning
chmod 666 "$PROVTRACE_HASH_CACHE"
job r6
assert_eq "$(h big.bin)	big.bin
$(h small.txt)	small.txt" "$(inputs)" "run 6 (cache writable by others): the hashes"
assert_eq "provtrace-collectd: the hash cache is not used: $PROVTRACE_HASH_CACHE: writable by group or others (chmod 600 it)" \
	"$(grep 'hash cache' "$T/r6.err")" "run 6: the collector's one warning"

# full (MDB_MAP_FULL): a 1 MiB cache filled to its last entry with entries of no file
# (device 1); the job reads full1..8.bin (1.1 MB each, settled): the cache is emptied
# (a full map cannot be: it is emptied at three quarters) and their entries go in
export PROVTRACE_HASH_CACHE="$T/full.mdb" PROVTRACE_HASH_CACHE_SIZE=1048576
"$PY" - "$PROVTRACE_HASH_CACHE" <<'PY'
import lmdb, struct, sys
n = 0
env = lmdb.open(sys.argv[1], map_size=1 << 20, subdir=False)
for batch in (64, 1):   # to the last entry that fits
    try:
        while True:
            with env.begin(write=True) as t:
                for i in range(batch):
                    t.put(struct.pack("<5Q", 1, 10**9 + n + i, 1 << 21, n, n), bytes(24))
            n += batch
    except lmdb.MapFullError:
        pass
env.close()
print(n, file=open(sys.argv[1] + ".n", "w"))
PY
chmod 600 "$PROVTRACE_HASH_CACHE"
[ "$(cat "$PROVTRACE_HASH_CACHE.n")" -gt 3000 ] || fail "the cache was not filled ($(cat "$PROVTRACE_HASH_CACHE.n") entries)"
ptrun r7 sh -c 'cat full1.bin full2.bin full3.bin full4.bin full5.bin full6.bin full7.bin full8.bin | tee out7.bin >/dev/null'
assert_eq 0 "$rc" "r7: job exit status ($(cat "$T/r7.err"))"
assert_eq "$(for i in 1 2 3 4 5 6 7 8; do printf '%s\t%s\n' "$(h full$i.bin)" "$D/full$i.bin"; done)" \
	"$(provtrace-lineage --hash --ancestors "$D/out7.bin" "$RUN" | grep '/full[1-8]\.bin$' | sort -k2)" "r7: the hashes"
fakes=$(mdb_dump -n "$PROVTRACE_HASH_CACHE" | grep -c '^ 0100000000000000' || true)
assert_eq 0 "$fakes" "r7: the full cache emptied (entries of device 1 left)"
[ "$(entries)" -gt 0 ] || fail "r7: nothing put after the cache was emptied"
