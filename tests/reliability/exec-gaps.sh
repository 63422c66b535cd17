#!/bin/sh
# exec-gaps.sh — RELIABILITY 4: a static or set-id program cannot be traced (the loader,
# and with it LD_PRELOAD, is not involved or is told to ignore it).  The program runs
# unaffected and the run says what it could not see: from an exec wrapper that saw the
# image (fork+exec, posix_spawn), or, after a vfork (dash, Python's subprocess), from
# the collector, which never saw the child's image appear.
. "$top_srcdir/tests/lib.sh"

static="$top_builddir/tests/reliability/staticprog"
forkexec="$top_builddir/tests/reliability/forkexec"
file "$static" 2>/dev/null | grep -q "statically linked" || skip "staticprog is not static"

gaps() {   # gaps RUN KIND: number of coverage gaps of that kind
	provtrace-dump --log "$1/nodes/"*.mdb | "$PY" -c '
import json, sys
print(sum(1 for r in map(json.loads, sys.stdin) if r["type"] == "GAP" and r["kind"] == int(sys.argv[1])))' "$2"
}
gap_total() { provtrace-stat --json "$1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["gaps"])'; }

# fork + exec: the exec wrapper sees a static image (GAP kind 1, recorded by the shim)
set +e
out=$(provtrace-run -q -o "$T/r1" -- "$forkexec" "$static" "$T/f1")
rc=$?
set -e
assert_eq 7 "$rc" "exit status through fork+exec"
assert_eq "static ok" "$out" "output of the static program"
assert_eq "made by a static program" "$(cat "$T/f1")" "the static program's file"
assert_eq 1 "$(gaps "$T/r1" 1)" "static-exec gaps, fork+exec"

# vfork + exec (dash runs commands through vfork): the collector reports the child
set +e
# (not the last command: dash would exec it in place instead of vforking)
provtrace-run -q -o "$T/r2" -- /bin/sh -c "\"$static\" \"$T/f2\"; exit \$?" >/dev/null
rc=$?
set -e
assert_eq 7 "$rc" "exit status through sh"
assert_eq 1 "$(gaps "$T/r2" 7)" "untraced-child gaps, vfork"

# Python's subprocess (vfork too)
provtrace-run -q -o "$T/r3" -- "$PY" -c "import subprocess, sys; sys.exit(subprocess.run([sys.argv[1]]).returncode - 7)" "$static" >/dev/null
assert_eq 1 "$(gaps "$T/r3" 7)" "untraced-child gaps, subprocess"

# posix_spawn of the static program: the spawn wrapper records it
provtrace-run -q -o "$T/r4" -- "$PY" -c "import os, sys; pid = os.posix_spawn(sys.argv[1], [sys.argv[1]], {}); os.waitpid(pid, 0)" "$static" >/dev/null
assert_eq 1 "$(gaps "$T/r4" 1)" "static-exec gaps, posix_spawn"

# a traced child is no gap: the same shapes with a dynamic program record none
provtrace-run -q -o "$T/r5" -- /bin/sh -c "/bin/true; \"$forkexec\" /bin/true" >/dev/null
assert_eq 0 "$(gap_total "$T/r5")" "gaps of dynamic children"

# set-uid to another user: the loader ignores LD_PRELOAD (secure mode)
[ "$(id -u)" = 0 ] || { echo "not root: the set-uid case needs root" >&2; exit 0; }
user=ptsecurity
id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user" ||
	skip "cannot create user $user"
cp /usr/bin/id "$T/idsuid"
chown "$user" "$T/idsuid"
chmod 4755 "$T/idsuid"
out=$(provtrace-run -q -o "$T/r6" -- "$forkexec" "$T/idsuid" -u)
assert_eq "$(id -u "$user")" "$out" "effective uid of the set-uid program"
assert_eq 1 "$(gaps "$T/r6" 2)" "set-id exec gaps"
