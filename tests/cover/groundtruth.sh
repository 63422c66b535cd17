#!/bin/sh
# groundtruth.sh — strace as ground truth: for real programs (a numpy job, a C program using
# every stdio family and mode, gcc, tar, sort -o, sqlite3, make), every regular file the job
# read or wrote is in provtrace's record with that direction.
#
# Each program runs once, as `provtrace run -- strace -f ... PROGRAM`: strace and the shim
# watch the same execution (same processes, same temporary names).  tests/cover/gtcheck.py
# turns strace's read/write-family system calls that moved bytes on regular files into
# (process, file, read|written) and looks each up in the record: a session with bytes in
# that direction, or, for a read, the process's loaded objects (the loader reads their
# headers) and the programs it exec'd or spawned (the shim reads their headers, to tell
# static and set-id images).  What is left out, and why (the counts are printed):
#  - /proc, /sys, /dev, pipes and sockets: not regular files;
#  - provtrace's own files (spool, temporary and run directories);
#  - mappings (mmap is not traced: the loader's and the C library's own are out of any
#    preload's reach; loaded objects are compared through their headers' reads, above);
#  - files the C library reads through its internal calls (locale aliases, NSS, time
#    zone: LIBC_INTERNAL in gtcheck.py, a gap provtrace(7) names);
#  - glibc's read-ahead when a stream seeks (a read under fseek/fsetpos/rewind in the
#    stack): bytes the program never receives, so not a read of the program's.
# The last rule needs `strace -k`, used (gt -k) for gcc and make only, whose assemblers
# and linkers seek in streams: stacks cost milliseconds per system call.  The other runs
# keep every read, so nothing can hide a miss there.  Any miss
# fails the test (the issue asks for >= 99.9%: every miss here is a bug or a gap to name).
# For the C program the bytes recorded per file must also equal the file's size and
# strace's count.
. "${top_srcdir:-.}/tests/lib.sh"

command -v strace >/dev/null || skip "strace not installed (scripts/install-deps.sh)"
for p in gcc tar sort sqlite3 make; do
	command -v $p >/dev/null || skip "$p not installed (scripts/install-deps.sh)"
done
"$PY" -c 'import numpy' 2>/dev/null || skip "$PY cannot import numpy"
# a process strace cannot attach to (ptrace forbidden in this container) is a skip
strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here"

D=$(cd "$T" && pwd -P)/d
mkdir "$D"
GT="$top_srcdir/tests/cover/gtcheck.py"
STRACE_SET=read,write,pread64,pwrite64,readv,writev,preadv,pwritev,preadv2,pwritev2
STRACE_SET=$STRACE_SET,sendfile,copy_file_range,splice,clone,clone3,fork,vfork
failed=

# gt NAME [-k] [GTCHECK-ARGS...] -- CMD... — run CMD under strace inside provtrace run,
# compare; -k: with stacks
gt() {
	_n=$1
	shift
	_k=
	if [ "$1" = -k ]; then
		_k=-k
		shift
	fi
	_a=
	while [ "$1" != -- ]; do
		_a="$_a $1"
		shift
	done
	shift
	_t0=$(date +%s)
	# shellcheck disable=SC2086
	ptrun "$_n" strace $_k -f -qq -z -y -s 0 -e signal=none -e trace=$STRACE_SET \
		-o "$T/$_n.strace" "$@"
	echo "$_n: $(($(date +%s) - _t0)) s traced"
	[ "$rc" -eq 0 ] || fail "$_n: exit status $rc: $(tail -5 "$T/$_n.err")"
	# shellcheck disable=SC2086
	"$PY" "$GT" "$_n" "$T/$_n.strace" "$LOG" --exclude "$PROVTRACE_SPOOL_DIR" \
		--exclude "$PROVTRACE_TMPDIR" --exclude "$RUN" $_a || failed="$failed $_n"
}

# ---- a numpy job: reads a text input, writes with np.save and print(file=...)
mkdir "$D/py"
seq 1 500 >"$D/py/in.txt"
cat >"$D/py/job.py" <<'PYEOF'
import sys
import numpy as np
d = sys.argv[1]
with open(d + "/in.txt") as f:
    a = np.array([int(x) for x in f.read().split()])
np.save(d + "/arr.npy", a * 2)
with open(d + "/log.txt", "w") as f:
    print("sum", int(a.sum()), file=f)
    print("n", len(a), file=f)
PYEOF
gt python -- "$PY" "$D/py/job.py" "$D/py"

# ---- the C program: every stdio family and mode (tests/prog/families.c)
mkdir "$D/c"
"$PY" - "$D/c" <<'PYEOF'
import sys
d = sys.argv[1]
text = "".join("line %d of the text input\n" % i for i in range(400))
nums = " ".join(str(i * 7) for i in range(2000)) + "\n"
utf8 = "".join("caf\u00e9 cr\u00e8me na\u00efve %d\n" % i for i in range(300))
def put(name, s):
    with open(d + "/" + name, "w", encoding="utf-8") as f:
        f.write(s)
for n in ("fgets", "fread", "fgetc", "getc", "getline", "getdelim", "getc_unlocked",
          "fgetc_unlocked", "fread_unlocked", "fgets_unlocked", "a+-getc_unlocked",
          "fdopen-getc_unlocked"):
    put("r-" + n, text)
for n in ("fscanf", "vfscanf", "r+-fscanf", "freopen-fscanf"):
    put("r-" + n, nums)
for n in ("fgetws", "fwscanf", "fgetwc", "getwc", "r+-fgetws"):
    put("r-" + n, utf8)
put("o-r+-fgetws", utf8)
put("rw-r+", (nums * 9)[:9000])
put("w-r+-fwprintf", (nums * 9)[:9000])
PYEOF
gt c --sizes "$D/c" --bytes -- "$PROG/families" "$D/c"

# ---- gcc compiling a small program (its temporary files in the test's directory)
mkdir "$D/gcc" "$D/gcc/tmp"
printf '#define GREETING "hello"\n' >"$D/gcc/hello.h"
printf '#include <stdio.h>\n#include "hello.h"\nint main(void) { puts(GREETING); return 0; }\n' \
	>"$D/gcc/hello.c"
gt gcc -k -- env TMPDIR="$D/gcc/tmp" gcc -O1 -o "$D/gcc/hello" "$D/gcc/hello.c"

# ---- tar: create an archive of a small tree, extract it elsewhere
mkdir -p "$D/tar/tree/sub" "$D/tar/x"
seq 1 3000 >"$D/tar/tree/a"
seq 1 10 >"$D/tar/tree/sub/b"
head -c 20000 /dev/zero >"$D/tar/tree/sub/zeros"
gt tar-c -- tar -cf "$D/tar/t.tar" -C "$D/tar/tree" .
gt tar-x -- tar -xf "$D/tar/t.tar" -C "$D/tar/x"

# ---- sort -o
mkdir "$D/sort"
seq 5000 -1 1 >"$D/sort/in"
gt sort -- sort -n -o "$D/sort/out" "$D/sort/in"

# ---- sqlite3 writing a database (HOME: no ~/.sqliterc of the user's)
mkdir "$D/sql"
gt sqlite3 -- env HOME="$D/sql" sqlite3 "$D/sql/db.sqlite" \
	"create table t(a, b); insert into t values (1, 'x'), (2, 'y'); select count(*) from t;"

# ---- make building a tiny tree: two objects, a link, a generated file
mkdir "$D/mk"
printf 'int f(void) { return 41; }\n' >"$D/mk/f.c"
printf 'int f(void);\nint main(void) { return f() - 41; }\n' >"$D/mk/main.c"
printf 'generated\n' >"$D/mk/part"
printf 'all: prog gen.txt\nprog: main.o f.o\n\t$(CC) -o $@ main.o f.o\n%%.o: %%.c\n\t$(CC) -c -o $@ $<\ngen.txt: part\n\tcat part part > $@\n' \
	>"$D/mk/Makefile"
gt make -k -- env TMPDIR="$D/mk" make -s -C "$D/mk" CC=gcc

[ -z "$failed" ] || fail "files strace saw and provtrace did not:$failed"
