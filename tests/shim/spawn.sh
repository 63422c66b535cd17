#!/bin/sh
# spawn.sh — every way to start a process: fork, vfork + exec, posix_spawn, posix_spawnp,
# system, popen, execl/execlp/execle/execv/execvp/execvpe/execve/fexecve/execveat in a
# fork child, exec of a missing file, and env -i / env -u LD_PRELOAD, whose children the
# exec wrapper keeps traced.  Each child image writes NAME.txt: the image that wrote it
# must be in the store, linked to the program by the right chain of parents and images.
. "${top_srcdir:-.}/tests/lib.sh"

D=$(cd "$T" && pwd -P)/d
mkdir "$D"
ptrun spawn "$PROG/spawn" "$D"
assert_eq 0 "$rc" "exit status"

# chain: how the writer came to be, link by link, up to process 1 (the program)
check() {
	name=$1
	want=$2
	w=$(ev sess "$D/$name.txt" wops!=0 -f proc)
	[ -n "$w" ] || fail "$name: nobody wrote $name.txt"
	assert_eq "$want" "$(ev procs proc="$w" -f chain)" "$name: how the writer of $name.txt began"
	assert_eq "$(printf %s "$name.txt" | wc -c | tr -d ' ') 1" \
		"$(ev sess "$D/$name.txt" -f wbytes,wops)" "$name: bytes written to $name.txt"
}
check fork "fork 1"
check vfork "spawn 1"
check posix_spawn "spawn 1"
check posix_spawnp "spawn 1"
execs="execl execlp execle execv execvp execvpe execve fexecve"
if grep -q '^#define HAVE_EXECVEAT 1' "$top_builddir/config.h"; then
	execs="$execs execveat"
fi
for e in $execs; do
	check "$e" "exec fork 1"
done
# env -i and env -u LD_PRELOAD: the exec wrapper in env gave the preload back (flag 2)
check envi "exec exec fork 1"
check envu "exec exec fork 1"
for e in envi envu; do
	w=$(ev sess "$D/$e.txt" wops!=0 -f proc)
	assert_eq 2 "$(ev rec EXEC proc="$(ev procs proc="$w" -f exec_from)" -f flags)" \
		"$e: flags of the exec out of env"
done
# system and popen: the shell, started by the program, writes through a duplicate of
# the descriptor it opened (its stdout); popen's shell started cat, which wrote
sys_writer=$(ev sess "$D/system.txt" wops!=0 -f proc)
assert_eq "spawn 1" "$(ev procs proc="$sys_writer" -f chain)" "system: the shell"
assert_eq "OPEN 0 0
DUP 7 1" "$(ev sess "$D/system.txt" -f via,wbytes,wops)" "system: the shell's sessions"
popen_writer=$(ev sess "$D/popen.txt" wops!=0 -f proc)
assert_eq "spawn spawn 1" "$(ev procs proc="$popen_writer" -f chain)" "popen: cat under the shell"
assert_eq cat "$(basename "$(ev procs proc="$popen_writer" -f exe)")" "popen: the writer"

# exec of a missing file: EXEC then EXEC_FAIL with ENOENT, the program saw errno ENOENT
# (it exits 42 then), and its parent's WAIT has that status
miss=$(ev rec EXEC path=/nonexistent/provtrace-test -f proc)
[ -n "$miss" ] || fail "missing: no EXEC record"
assert_eq 2 "$(ev rec EXEC_FAIL proc="$miss" -f errno)" "missing: EXEC_FAIL errno"
assert_eq "$((42 << 8)) $((42 << 8))" "$(ev procs proc="$miss" -f exit_status,status)" \
	"missing: exit status recorded, and in the store"
assert_eq "fork 1" "$(ev procs proc="$miss" -f chain)" "missing: the child that tried"

# what the program recorded of its children: FORK (how 0 fork, 1 vfork), SPAWN (how 2
# posix_spawn, 3 posix_spawnp, 4 system, 5 popen; the failed posix_spawn with errno 2)
nexec=$(echo $execs | wc -w)
assert_eq $((1 + nexec + 3)) "$(ev rec FORK proc=1 how=0)" "FORK records of fork()"
assert_eq 1 "$(ev rec FORK proc=1 how=1)" "FORK records of vfork()"
assert_eq "2 0
3 0
2 2
4 0
5 0" "$(ev rec SPAWN proc=1 -f how,errno)" "SPAWN records (how errno)"
assert_eq "$PROG/spawn" "$(ev rec SPAWN proc=1 how=3 -f path)" "posix_spawnp: the path it found"
# every image recorded how it ended, and nothing was lost
assert_eq 0 "$(ev procs state!=1 state!=2)" "images that neither exited nor exec'd"
assert_eq "0 0 0" "$(stat_of dropped corrupt gaps)" "dropped, corrupt, gaps"
