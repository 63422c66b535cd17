#!/bin/sh
# rawsys.sh — file I/O through libc's syscall() instead of the named functions: every
# call is made as asked and recorded as its wrapper records it (opens with their call,
# flags and mode, exact bytes, a duplicate, a rename, an unlink, a session ended by dup3
# with its file's size, a child of syscall(SYS_fork) in its own name, the exit of
# syscall(SYS_exit_group)); what the shim cannot count (Linux AIO) is one raw-syscall gap
# of the process, in stat and the export.
. "${top_srcdir:-.}/tests/lib.sh"

D=$(cd "$T" && pwd -P)/d
mkdir "$D"
ptrun rawsys "$PROG/rawsys" "$D"
[ "$rc" != 77 ] || skip "$(cat "$T/rawsys.err")"
assert_eq 3 "$rc" "exit status through syscall(SYS_exit_group, 3)"
assert_eq ok "$(cat "$T/rawsys.out")" "the program's output"

# call: 1 openat, 0 open, 10 openat2, 2 creat; flags 577 = O_WRONLY|O_CREAT|O_TRUNC,
# mode 416 = 0640; a (now b): 10 + 2 bytes written, 22 + 5 read, then 22 by readv
F=via,call,flags,mode,wbytes,wops,rbytes,rops,how,size
assert_eq "OPEN 1 577 416 12 2 0 0 0 22
OPEN 0 0 0 0 0 27 2 0 22
OPEN 10 0 0 0 0 22 1 0 22" "$(ev sess "$D/a" -f $F)" "sessions of a ($F)"
assert_eq "$D/a $D/b" "$(ev rec RENAME -f from,to)" "the rename (renameat2)"
# c: creat, dup, 6 bytes through the duplicate by writev, both closed, unlinked
assert_eq "OPEN 2 577 384 0 0 0 0 0 0
DUP 2 577 384 6 1 0 0 0 6" "$(ev sess "$D/c" -f $F)" "sessions of c ($F)"
assert_eq "$D/c 0" "$(ev rec UNLINK -f path,dir)" "the unlink (unlinkat)"
# g: 3 bytes, its descriptor replaced by dup3 (how 3), its size read before
assert_eq "OPEN 3 3 3" "$(ev sess "$D/g" -f via,wbytes,how,size)" "the session of g (via wbytes how size)"
# d: the kernel wrote it for io_submit: opened and closed, no bytes, and said
assert_eq "OPEN 0 0" "$(ev sess "$D/d" -f via,wbytes,rbytes)" "the session of d"
detail='syscall(SYS_io_setup): Linux AIO: the file operations it submits are not recorded'
assert_eq "1 10 $detail" "$(ev rec GAP -f proc,kind,detail)" "GAP records (proc kind detail)"
# e: written by the child of syscall(SYS_fork), an image of its own
assert_eq "2 OPEN 5" "$(ev sess "$D/e" -f proc,via,wbytes)" "the child's session of e"
# exit_how 2: _exit (exit_group); start_how 1: fork; state 1: exited
assert_eq "1 0 2 0 768 1
2 1 2 1 0 1" "$(ev procs -f proc,parent,exit_how,start_how,exit_status,state)" \
	"images (proc parent exit_how start_how exit_status state)"
assert_eq 1 "$(ev rec FORK)" "FORK records"
assert_eq "0 0 1" "$(stat_of dropped corrupt gaps)" "dropped, corrupt, gaps"

pid=$(ev procs proc=1 -f pid)
provtrace-stat --json "$RUN" | "$PY" -c '
import json, sys
for g in json.load(sys.stdin)["gap_list"]:
    print(g["pid"], g["exe"], g["kind"], g["detail"], sep="|")' >"$T/gaps"
assert_eq "$pid|$top_builddir/tests/prog/rawsys|raw-syscall|$detail" "$(cat "$T/gaps")" \
	"stat --json gap_list (pid|exe|kind|detail)"
provtrace-stat "$RUN" >"$T/stat"
assert_eq "  raw-syscall (1): a file system call made through syscall() that the shim cannot record
    pid $pid $top_builddir/tests/prog/rawsys: $detail" "$(sed -n '/^gaps /,/^index /p' "$T/stat" | sed '1d;$d')" \
	"provtrace stat's gaps"
